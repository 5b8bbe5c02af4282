"""Key terms (being built)."""

import streamlit as st

from dropout_viz import lesson

TITLE = "Key terms"
ICON = ":material/menu_book:"
URL_PATH = lesson.TERMS


def render() -> None:
    st.title(TITLE)
    st.info("This page is being built.")
