"""The lesson tour's bar and the presenter view, on whichever page a scene is on.

``?scene=N`` on a page's URL shows scene N's bar (its number, title and what to watch,
Back and Next) and applies the scene's settings once: on the first run that sees that
scene in this browser session, not on every rerun, so a learner can then move the
sliders. ``?present=1`` is the presenter view: the sidebar collapsed (navigation.py),
only the tour and the run's buttons, larger type. The scenes themselves are
``dropout_viz.lesson_tour``'s.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dropout_viz import lesson_tour
from dropout_viz.lesson_tour import PRESENT, SCENE, SCENES, Scene
from dropout_viz.ui import common

APPLIED = "tour_applied"  # st.session_state: the scene whose settings were last applied
PRESENT_TOGGLE = "tour_present"  # the presenter view's toggle
BACK, NEXT = "Left", "Right"  # Streamlit button shortcuts
KEYS_HINT = "Keys: Space play/pause · S step · X reset (R is Streamlit's rerun)"
TOUR_KEYS_HINT = "← / → previous / next scene"

# Presenter view: larger type where it is read from the back of a room, less space
# between rows, smaller metric numbers, so the board keeps most of a 720-pixel screen.
PRESENTER_CSS = """<style>
.stMainBlockContainer { padding-top: 3.75rem; padding-bottom: 0.5rem; }
.stMainBlockContainer [data-testid="stVerticalBlock"] { gap: 0.5rem; }
.stMainBlockContainer [data-testid="stMarkdownContainer"] p { font-size: 1.1rem; }
.stMainBlockContainer button p { font-size: 1.1rem; }
.st-key-tour [data-testid="stMarkdownContainer"] p { font-size: 1.15rem; line-height: 1.35; }
.st-key-step [data-testid="stMarkdownContainer"] p { font-size: 1.2rem; margin: 0; }
.stMainBlockContainer [data-testid="stMetricValue"] { font-size: 1.6rem; }
.stMainBlockContainer [data-testid="stMetric"] { gap: 0; }
</style>"""


# Streamlit draws a button's shortcut (<kbd>) at 60 % opacity: on the primary colour that
# is 3.1:1, under WCAG AA's 4.5:1 (axe-core, tests/e2e/test_accessibility.py). At 90 %
# it stays a shade lighter than the label and reads at AA.
KEYS_CSS = """<style>
[data-testid="stBaseButton-primary"] kbd { color: #fff; opacity: 0.9; }
</style>"""


def current() -> Scene | None:
    """The scene the URL names, if any."""
    return lesson_tour.parse(st.query_params.get(SCENE))


def presenting() -> bool:
    return st.query_params.get(PRESENT) == "1"


def kept_query() -> dict[str, str]:
    """The tour's own query parameters, for a page that rewrites its URL (the Playground)."""
    return {key: st.query_params[key] for key in (SCENE, PRESENT) if key in st.query_params}


def set_widgets(scene: Scene) -> None:
    """Apply a scene to a page's widgets (before the page draws them)."""
    for key, value in scene.widgets:
        st.session_state[key] = value


def bar(url_path: str, apply: Callable[[Scene], None] = set_widgets) -> Scene | None:
    """The tour's bar at the top of the page at url_path, and the presenter view's
    toggle; apply(scene) the first time this session sees the URL's scene. Returns the
    scene shown, if any."""
    present = presenting()
    if present:
        st.html(PRESENTER_CSS)
    if keys_on():  # the buttons show their shortcuts
        st.html(KEYS_CSS)
    scene = current()
    if scene is not None and scene.page != url_path:  # e.g. a scene number typed by hand
        st.page_link(
            common.page(scene.page),
            label=f"Lesson tour · scene {scene.number} ({scene.title}) is on another page",
            query_params=kept_query(),
        )
        scene = None
    if scene is None:
        if present:  # the presenter view without a scene: its way back out
            _present_toggle(st)
        return None
    if st.session_state.get(APPLIED) != scene.number:
        st.session_state[APPLIED] = scene.number
        apply(scene)
    with st.container(border=not present, key="tour"):
        # The controls in a row that wraps, each as wide as its label: in fixed columns
        # "Again" and "Presenter view" were cut short beside the sidebar at 1366 px.
        text, controls = st.columns([5, 4], vertical_alignment="center")
        row = controls.container(
            horizontal=True, horizontal_alignment="right", vertical_alignment="center"
        )
        text.markdown(
            f"**Lesson tour · {scene.number} / {len(SCENES)} · {scene.title}.** {scene.watch}"
        )
        go_back = row.button(
            "Back",
            key="tour_back",
            shortcut=BACK,
            disabled=scene.number == 1,
            help="The previous scene.",
        )
        row.button(
            "Again",
            key="tour_again",
            icon=":material/replay:",
            on_click=st.session_state.pop,
            args=(APPLIED, None),  # the next run applies the scene afresh
            help="Set this scene up again, as it started.",
        )
        go_ahead = row.button(
            "Next",
            key="tour_next",
            shortcut=NEXT,
            disabled=scene.number == len(SCENES),
            type="primary",
            help="The next scene.",
        )
        _present_toggle(row)
    if go_back or go_ahead:
        go(scene.number + (1 if go_ahead else -1), url_path)
    return scene


def go(number: int, here: str) -> None:
    """Open scene ``number`` on its page (it is applied there afresh); ``here`` is the
    url path of the page shown now."""
    target = lesson_tour.scene(number)
    if target is None:
        return
    st.session_state.pop(APPLIED, None)
    query = {SCENE: str(number)} | ({PRESENT: "1"} if presenting() else {})
    if target.page == here:  # the same page: a new URL and a rerun are enough
        st.query_params.from_dict(query)
        st.rerun()
    st.switch_page(common.page(target.page), query_params=query)


def entry(place=st) -> None:
    """Where the tour starts: a link to scene 1, and the presenter view's toggle."""
    first = SCENES[0]
    left, right = place.columns([3, 2], vertical_alignment="center")
    left.page_link(
        common.page(first.page),
        label=f"Start the lesson tour ({len(SCENES)} scenes)",
        icon=":material/slideshow:",
        query_params={SCENE: str(first.number)},
        help="The lesson as scenes to click through, each set up on its page.",
    )
    _present_toggle(right)


def keys_on() -> bool:
    """Whether the page is the teacher's screen (a scene, or the presenter view), where
    the run's buttons take keyboard shortcuts."""
    return presenting() or current() is not None


def keys_hint(place=st) -> None:
    """The one line that lists the keyboard shortcuts."""
    hint = KEYS_HINT + (f" · {TOUR_KEYS_HINT}" if current() is not None else "")
    place.caption(hint, width="content")  # in a row: beside the buttons if it fits


# Reports how many pixels of the window are left below an element's top (its position in
# the page, whatever the scroll): on mount, again once the page has settled, and on every
# resize; only changes of more than a few pixels, each of which reruns the script.
_ROOM_JS = """
const SENT = new WeakMap();
// The first element matching selector inside a component's shadow root under host.
const inside = (host, selector) => {
  for (const e of [host, ...host.querySelectorAll("*")]) {
    const found = e.shadowRoot && e.shadowRoot.querySelector(selector);
    if (found) return found;
  }
  return null;
};
export default function (component) {
  const { data, setStateValue, parentElement } = component;
  const measure = () => {
    let element = document.querySelector(data.below);
    if (!element) return;
    if (data.inner) element = inside(element, data.inner) || element;
    let top = element.getBoundingClientRect().top;
    const up = (e) => e.parentElement || e.getRootNode().host; // out of a shadow root too
    for (let e = up(element); e; e = up(e)) top += e.scrollTop || 0;
    const room = Math.floor(window.innerHeight - top);
    // The last value sent, kept per mount (parentElement may be a shadow root).
    if (Math.abs(room - (SENT.get(parentElement) ?? -1e9)) > 4) {
      SENT.set(parentElement, room);
      setStateValue("room", room);
    }
  };
  const timers = [0, 400, 1500].map((ms) => setTimeout(measure, ms));
  window.addEventListener("resize", measure);
  return () => {
    timers.forEach(clearTimeout);
    window.removeEventListener("resize", measure);
  };
}
"""
_room = st.components.v2.component("dropout_lab_room_below", js=_ROOM_JS)


def room_below(selector: str, inner: str = "", key: str = "tour_room") -> int | None:
    """Pixels of the browser window below the top of the element ``selector`` names, or
    of the element ``inner`` names inside its component's shadow root (None until the
    browser has measured it). Draw it last: it takes no space."""
    data = {"below": selector, "inner": inner}
    result = _room(data=data, key=key, on_room_change=lambda: None)
    room = getattr(result, "room", None)
    return int(room) if isinstance(room, int | float) else None


def _present_toggle(place) -> None:
    st.session_state[PRESENT_TOGGLE] = presenting()  # the URL decides, e.g. after Back
    place.toggle(
        "Presenter view",
        key=PRESENT_TOGGLE,
        on_change=_set_presenting,
        help="For a projector: the sidebar folded away, only the tour and the run's "
        "buttons, larger type (or add ?present=1 to the link).",
    )


def _set_presenting() -> None:
    if st.session_state[PRESENT_TOGGLE]:
        st.query_params[PRESENT] = "1"
    else:
        st.query_params.pop(PRESENT, None)
