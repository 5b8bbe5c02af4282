"""Uncertainty (MC dropout) (being built)."""

import streamlit as st

from dropout_viz import lesson

TITLE = "Uncertainty (MC dropout)"
ICON = ":material/blur_on:"
URL_PATH = lesson.UNCERTAINTY


def render() -> None:
    st.title(TITLE)
    st.info("This page is being built.")
