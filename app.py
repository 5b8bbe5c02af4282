"""Dropout Lab — the front door: page config and navigation, nothing else."""

import streamlit as st

from dropout_viz.pages import PAGES
from dropout_viz.ui.runtime import prepare_process

st.set_page_config(page_title="Dropout Lab", page_icon=":material/blur_on:", layout="wide")
prepare_process()  # torch threads and GC, once per process: see its docstring
st.navigation(
    [
        st.Page(
            page.render,
            title=page.TITLE,
            icon=page.ICON,
            url_path=page.URL_PATH,
            default=(page is PAGES[0]),
        )
        for page in PAGES
    ]
).run()
