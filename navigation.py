"""The script Streamlit runs for every browser: page config and navigation, nothing else.

``app.py`` serves it (``streamlit run app.py``), beside the class feed. It lives here, not
in ``dropout_viz/``: Streamlit treats a ``pages/`` folder beside its main script as the
old multipage app's page list, and then a page's own URL opens the main page instead."""

from pathlib import Path

import streamlit as st

from dropout_viz.ui.runtime import (
    freeze_new_imports,
    one_math_thread_everywhere,
    quiet_closed_websockets,
    use_one_torch_thread,
)

FAVICON = Path(__file__).parent / "static" / "favicon.png"

one_math_thread_everywhere()  # before the imports below load torch: see its docstring

from dropout_viz.core.memory import reuse_freed_memory  # noqa: E402
from dropout_viz.pages import PAGES  # noqa: E402
from dropout_viz.ui.class_server import start_janitor  # noqa: E402

# A file, not a :material: icon: Streamlit fetches those favicons from fonts.gstatic.com,
# and a classroom server may be offline (tests/e2e/test_accessibility.py).
# The presenter view (?present=1, ui/tour.py) starts with the sidebar folded away.
st.set_page_config(
    page_title="Dropout Lab",
    page_icon=FAVICON,
    layout="wide",
    initial_sidebar_state="collapsed" if st.query_params.get("present") == "1" else "auto",
)
use_one_torch_thread()
reuse_freed_memory()  # every training step reallocates the same tensors: see its module
quiet_closed_websockets()  # a class closing its tabs leaves no tracebacks: see its docstring
start_janitor()  # frees closed tabs' runs, and collects garbage in their stead: see there
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
