"""Dropout Lab's front door: ``streamlit run app.py`` serves the whole lab.

Streamlit runs ``navigation.py`` for every browser (page config and the
pages). This file adds the one address that is not a page: the class feed, from which a
class following its teacher reads each update without a script run of its own
(``dropout_viz/serving/feed.py``). Nothing here loads torch: the navigation script sets
the math threads first.
"""

import streamlit as st

from dropout_viz.serving.classroom import CLASSROOM
from dropout_viz.serving.feed import Feed
from dropout_viz.ui.class_server import is_connected

feed = Feed(CLASSROOM, is_connected)
app = st.App(
    "navigation.py",
    routes=[feed.route(st.get_option("server.baseUrlPath"))],
)
