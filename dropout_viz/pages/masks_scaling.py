"""Masks & scaling (being built)."""

import streamlit as st

from dropout_viz import lesson

TITLE = "Masks & scaling"
ICON = ":material/grid_on:"
URL_PATH = lesson.MASKS


def render() -> None:
    st.title(TITLE)
    st.info("This page is being built.")
