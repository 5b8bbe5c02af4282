"""One module per page. Each has TITLE, ICON, URL_PATH and a ``render()`` work function;
the other modules here are parts of one of them (``playground_controls``: its sidebar)."""

from dropout_viz.ui.common import register_pages

from . import (
    example_network,
    inference,
    key_terms,
    masks_scaling,
    overfitting_lab,
    playground,
    uncertainty,
)

# Navigation order; the first one is the landing page.
PAGES = (
    playground,
    masks_scaling,
    overfitting_lab,
    example_network,
    inference,
    uncertainty,
    key_terms,
)
register_pages(PAGES)  # what links between pages point to (ui/common.link)
