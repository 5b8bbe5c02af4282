"""Own data on a page: the CSV uploader, its example files, and what a link says about it.

The checks are core/user_data.py's; this is only the Streamlit side. A file is read
once (per upload), and a bad one leaves everything as it was: the last good file,
the dataset chosen and the running twins. Its message stays beside the uploader
until another file replaces it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict

import streamlit as st

from dropout_viz import lesson
from dropout_viz.core import limits
from dropout_viz.core.export import history_columns, history_csv, history_json, twin_history
from dropout_viz.core.user_data import (
    LAB,
    OWN_DATA,
    PLAYGROUND,
    UserDataError,
    UserTable,
    data_config,
    example_csv,
    lookup,
    parse_csv,
    register,
)

OWN = "own"  # what a shared link says instead of the file's key: a link cannot carry the file
LINK_NOTE = (
    "This link was made with its author's own data file, which a link cannot carry: "
    "showing {fallback} instead. Upload the file under **Your own data** to see it."
)
EXAMPLES = {  # shape: (kind, file name, what it holds)
    PLAYGROUND: [
        ("classification", "example_two_classes.csv", "x1, x2, label: 2-D classification"),
        ("three_classes", "example_three_classes.csv", "x1, x2, label: three classes"),
        ("regression", "example_curve.csv", "x, target: 1-D regression"),
    ],
    LAB: [("lab", "example_8_features.csv", "8 features and a label of 3 classes")],
}


def read_upload(file, shape: str) -> UserTable:
    """A Streamlit UploadedFile (anything with name, size and getvalue()) as a table;
    UserDataError says what is wrong with it."""
    if file.size > limits.USER_MAX_BYTES:  # say so without reading it all
        raise UserDataError(
            f"{file.name} is {file.size / 1e6:.1f} MB; files may be at most "
            f"{limits.USER_MAX_BYTES / 1e6:g} MB ({limits.USER_MAX_ROWS:,} rows)."
        )
    return parse_csv(file.getvalue(), name=file.name, shape=shape)


def take_upload(state: dict, prefix: str, file, shape: str) -> UserTable | None:
    """Remember a newly uploaded file in state: the table if good (returned), else its
    error. A file already taken, or none, changes nothing. No Streamlit calls: tests
    pass a dict and a fake file."""
    seen, error, own = f"{prefix}_seen", f"{prefix}_error", f"{prefix}_table"
    if file is None:
        state.pop(error, None)
        state.pop(seen, None)
        return None
    if state.get(seen) == file.file_id:
        return None
    state[seen] = file.file_id
    try:
        table = read_upload(file, shape)
    except UserDataError as problem:
        message = str(problem)  # which file it was, once: most messages name a row only
        state[error] = message if message.startswith(file.name) else f"{file.name}: {message}"
        return None
    state.pop(error, None)
    state[own] = table
    return table


def own_table(prefix: str) -> UserTable | None:
    """This session's last good file for that page, loaded for make_dataset."""
    table = st.session_state.get(f"{prefix}_table")
    if table is not None:
        register(table)  # the registry keeps recent files only: a long session re-adds its own
    return table


def data_panel(place, prefix: str, shape: str) -> tuple[UserTable | None, UserTable | None]:
    """The uploader in an expander: (this session's own table, the table just uploaded)."""
    with place.expander("Your own data (CSV)", icon=":material/upload_file:"):
        what = (
            f"Two numeric columns and a label (2–{limits.USER_MAX_CLASSES} classes), or one "
            "numeric column and a number to predict"
            if shape == PLAYGROUND
            else f"Up to {limits.USER_MAX_FEATURES} numeric columns and a label "
            f"(up to {limits.USER_MAX_CLASSES} classes) or a number to predict"
        )
        st.markdown(
            f"{what}, the label or target last; a header row is optional. At most "
            f"{limits.USER_MAX_ROWS:,} rows and {limits.USER_MAX_BYTES / 1e6:g} MB. The test "
            "share holds rows out; every column is standardised (mean 0, std 1)."
        )
        file = st.file_uploader(
            "CSV file",
            type=["csv", "txt"],
            key=f"{prefix}_upload",
            help="Nothing leaves this server, and nothing is kept after your session ends.",
        )
        new = take_upload(st.session_state, prefix, file, shape)
        problem = st.session_state.get(f"{prefix}_error")
        if problem:
            st.error(problem, icon=":material/error:")
        table = own_table(prefix)
        if table is not None:
            st.markdown(table.describe())
        for kind, name, holds in EXAMPLES[shape]:
            st.download_button(
                f"Example: {holds}",
                example_csv(kind),
                file_name=name,
                mime="text/csv",
                key=f"{prefix}_example_{kind}",
                on_click="ignore",
                icon=":material/download:",
            )
    return table, new


def dataset_name(key: str) -> str:
    """A dataset's name for the learner, own data included."""
    if key in lesson.DATASET_NAMES:
        return lesson.DATASET_NAMES[key]
    table = lookup(key)
    return f"Own data: {table.name}" if table is not None else "Own data"


# --- links --------------------------------------------------------------------------------
def link_query(query: Mapping[str, str], fallback: str) -> tuple[dict[str, str], str | None]:
    """A link's settings without an own-data dataset (the file is not in the link), and
    the note to show when it had one."""
    values = {name: query[name] for name in query}
    dataset = values.get("dataset", "")
    if dataset == OWN or dataset.startswith(OWN_DATA):
        del values["dataset"]
        return values, LINK_NOTE.format(fallback=lesson.DATASET_NAMES[fallback])
    return values, None


def shareable(query: dict[str, str]) -> dict[str, str]:
    """A page's query for its URL: own data is written as "own", never its key."""
    if query.get("dataset", "").startswith(OWN_DATA):
        query = {**query, "dataset": OWN}
    return query


# --- the Playground -----------------------------------------------------------------------
PLAYGROUND_PREFIX = "own_pg"  # not "pg_": a new run clears those keys, not the learner's file


def playground_data(place) -> str | None:
    """The Playground's uploader; a new good file becomes the chosen dataset (before the
    sidebar's widgets are drawn). Returns the own-data key to offer as a dataset."""
    table, new = data_panel(place, PLAYGROUND_PREFIX, PLAYGROUND)
    if new is not None:
        share = st.session_state.get("pg_test_share", limits.TEST_SHARE.default)
        config = data_config(new, share, limits.PLAYGROUND_N_TRAIN.high, 0)
        st.session_state["pg_dataset"] = new.key
        st.session_state["pg_n_train"] = max(limits.PLAYGROUND_N_TRAIN.low, config.n_train)
    return table.key if table is not None else None


def history_downloads(place, session) -> None:
    """The run's history as CSV and JSON, built when pressed (a tick may have added to it)."""

    def rows() -> tuple[list[dict], list[str]]:
        with session.lock:
            twin = session.twin
            return twin_history(twin.histories, twin.labels), history_columns(twin.labels)

    def as_csv() -> str:
        return history_csv(*rows())

    def as_json() -> str:
        settings = asdict(session.settings)
        if settings["dataset"].startswith(OWN_DATA):
            settings["dataset"] = dataset_name(settings["dataset"])
        return history_json(rows()[0], json.loads(json.dumps(settings)))

    left, right = place.columns(2)
    _download(left, "History (CSV)", as_csv, "dropout_lab_history.csv", "text/csv", "pg_dl_csv")
    _download(
        right,
        "History (JSON)",
        as_json,
        "dropout_lab_history.json",
        "application/json",
        "pg_dl_json",
    )


def _download(place, label: str, data: Callable[[], str], name: str, mime: str, key: str) -> None:
    place.download_button(
        label,
        data,
        file_name=name,
        mime=mime,
        key=key,
        on_click="ignore",
        icon=":material/download:",
        width="stretch",
        help="Both twins' train and test loss and accuracy at every evaluated step.",
    )
