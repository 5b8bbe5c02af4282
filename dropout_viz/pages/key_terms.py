"""Key terms: every term of the lesson, its definition, and where the app shows it.

The definitions live in ``lesson.TERMS_LIST``; the controls' tooltips are built from
the same texts (``lesson.tooltip``), so a definition is written once.
"""

from __future__ import annotations

import streamlit as st

from dropout_viz import lesson
from dropout_viz.ui import common

TITLE = "Key terms"
ICON = ":material/menu_book:"
URL_PATH = lesson.TERMS


def render() -> None:
    st.title(TITLE)
    st.markdown(
        "The words the lesson uses, in short, each with a link to the page where you can "
        "watch it happen. The same definitions appear when you hover over a control's "
        ":material/help: icon."
    )
    st.info(lesson.ABOUT_P, icon=":material/info:")
    for term in lesson.TERMS_LIST:
        with st.container(border=True, key=f"term_{_slug(term.name)}"):
            st.subheader(term.name, anchor=_slug(term.name))
            st.markdown(term.definition)
            common.link(term.where, term.where_label)


def _slug(name: str) -> str:
    return "-".join(name.lower().replace("-", " ").split())
