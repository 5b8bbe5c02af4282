"""Dropout Lab's front door: ``streamlit run app.py`` serves the whole lab.

Streamlit runs ``navigation.py`` for every browser (page config and the
pages). This file adds the one address that is not a page: the feed, from which a
playing Playground and a class following its teacher read each update without a script
run (``dropout_viz/serving/feed.py``). Nothing here loads torch: the navigation script
sets the math threads first.
"""

import streamlit as st

from dropout_viz.serving.classroom import CLASSROOM
from dropout_viz.serving.feed import Feed
from dropout_viz.ui.class_server import is_connected


def wake_trainer() -> None:
    """A playing run's screen asked for its next update. Imported late: the trainer loads
    torch, and by the time a screen asks, a page has run and loaded it."""
    from dropout_viz.serving.trainer import TRAINER

    TRAINER.wake()


feed = Feed(CLASSROOM, is_connected, wake_trainer=wake_trainer)
app = st.App(
    "navigation.py",
    routes=[feed.route(st.get_option("server.baseUrlPath"))],
)
