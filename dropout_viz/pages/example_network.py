"""The example network (being built)."""

import streamlit as st

from dropout_viz import lesson

TITLE = "The example network"
ICON = ":material/code:"
URL_PATH = lesson.EXAMPLE


def render() -> None:
    st.title(TITLE)
    st.info("This page is being built.")
