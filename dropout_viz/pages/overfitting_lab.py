"""Overfitting lab (being built)."""

import streamlit as st

from dropout_viz import lesson

TITLE = "Overfitting lab"
ICON = ":material/trending_up:"
URL_PATH = lesson.OVERFITTING


def render() -> None:
    st.title(TITLE)
    st.info("This page is being built.")
