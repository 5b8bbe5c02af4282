"""Small Streamlit helpers the lesson pages share: links between pages, per-user caching
of trained models, and a progress bar for a training run."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import TypeVar

import streamlit as st

from dropout_viz import lesson

T = TypeVar("T")
CACHE = "lesson_cache"  # st.session_state key: this user's trained models and runs
KEEP = 4  # results kept per kind: enough to slide p back and forth without retraining
_PAGES: list[ModuleType] = []  # see register_pages


def register_pages(modules: Sequence[ModuleType]) -> None:
    """The app's page modules in navigation order, the first the landing page.

    ``dropout_viz.pages`` registers them when it is imported, so this module needs no
    import of the pages (they import it): links find their target here.
    """
    _PAGES[:] = modules


def page(url_path: str) -> st.Page:
    """The app's page at url_path, as the navigation registers it.

    Streamlit identifies a page by its url path alone, so an equal ``st.Page`` works for
    ``st.page_link``; outside the app (AppTest) there is nothing to validate against.
    """
    module = next((m for m in _PAGES if url_path == m.URL_PATH), None)
    if module is None:
        raise ValueError(f"No page has the url path {url_path!r}.")
    return st.Page(
        module.render,
        title=module.TITLE,
        icon=module.ICON,
        url_path=module.URL_PATH,
        default=module is _PAGES[0],
    )


def link(url_path: str, label: str) -> None:
    """A link to another page of the app, with that page's icon."""
    target = page(url_path)
    st.page_link(target, label=label, icon=target.icon)


def metric_row(count: int) -> list:
    """``count`` places for metrics side by side, as ``st.columns(count)`` gives, but in one
    row that wraps: on a narrow screen a metric moves down a line instead of cutting its
    value short ("94.8% …")."""
    row = st.container(horizontal=True, gap="medium")
    return [row] * count


def preset_links(presets: tuple[lesson.Preset, ...]) -> None:
    """Playground set-ups as plain links: they open in a new tab, a fresh session that
    takes its settings from the URL (a Playground already open keeps its own)."""
    if presets:
        st.markdown(
            "Try it: " + " · ".join(f"[{p.label}]({p.url})" for p in presets),
            help="Opens the Playground in a new tab, set up to show this.",
        )


def remember(
    kind: str,
    key: tuple,
    compute: Callable[[Callable[[float], None]], T],
    progress_text: str = "Training…",
) -> T:
    """This user's result of compute(report) for key, computed once (per user, never shared).

    While it computes, a progress bar shows what compute reports (0…1) through ``report``.
    """
    cache = st.session_state.setdefault(CACHE, {}).setdefault(kind, {})
    if key not in cache:
        with progress(progress_text) as report:
            cache[key] = compute(report)
        while len(cache) > KEEP:  # oldest first: dicts keep insertion order
            cache.pop(next(iter(cache)))
    return cache[key]


@contextmanager
def progress(text: str) -> Iterator[Callable[..., None]]:
    """A progress bar for a training run; yields the callback the core reports to:
    ``report(fraction)``, or ``report(fraction, text)`` to say how far in words too."""
    bar = st.progress(0.0, text=text)

    def report(fraction: float, now: str | None = None) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=now or text)

    try:
        yield report
    finally:
        bar.empty()
