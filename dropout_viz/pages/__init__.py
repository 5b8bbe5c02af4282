"""One module per page. Each has TITLE, ICON, URL_PATH and a ``render()`` work function."""

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
