"""Dropout Lab — the front door: page config and navigation, nothing else."""

import streamlit as st

from dropout_viz.core.memory import reuse_freed_memory
from dropout_viz.pages import PAGES
from dropout_viz.ui.runtime import freeze_new_imports, use_one_torch_thread

st.set_page_config(page_title="Dropout Lab", page_icon=":material/blur_on:", layout="wide")
use_one_torch_thread()
reuse_freed_memory()  # every training step reallocates the same tensors: see its module
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
freeze_new_imports()  # keeps the GC after every run cheap: see its docstring
