"""Dropout Lab — the front door: page config and navigation, nothing else."""

import streamlit as st

st.set_page_config(page_title="Dropout Lab", page_icon="🎲", layout="wide")
st.title("Dropout Lab")
