"""The lesson pages and the Overfitting lab in a real browser.

Each loads clean; Resample and an in-app link work.
"""

import pytest
from playwright.sync_api import expect

from dropout_viz.pages import (
    example_network,
    key_terms,
    masks_scaling,
    overfitting_lab,
    uncertainty,
)

from .conftest import assert_no_exception, open_page, wait_until_idle

pytestmark = pytest.mark.e2e

LESSON_PAGES = (masks_scaling, overfitting_lab, example_network, key_terms, uncertainty)


@pytest.mark.parametrize("module", LESSON_PAGES, ids=lambda m: m.URL_PATH)
def test_page_loads_without_errors(page, app_url, module):
    open_page(page, f"{app_url}/{module.URL_PATH}")
    expect(page.locator("h1").first).to_have_text(module.TITLE)
    if module is not key_terms:  # the others draw their figures
        page.locator(".js-plotly-plot").first.wait_for()
    assert_no_exception(page)


def test_resample_redraws_the_mask(page, app_url):
    open_page(page, f"{app_url}/{masks_scaling.URL_PATH}")
    draw = page.get_by_text("Mask draw #1")
    expect(draw).to_be_visible()
    page.get_by_role("button", name="Resample mask").click()
    expect(page.get_by_text("Mask draw #2")).to_be_visible(timeout=30_000)  # a busy CI
    wait_until_idle(page)
    assert_no_exception(page)


def test_a_when_to_use_link_opens_the_page_that_shows_it(page, app_url):
    open_page(page, f"{app_url}/{example_network.URL_PATH}")
    page.get_by_role("link", name="Masks & scaling: one dense layer up close").click()
    page.wait_for_url(f"**/{masks_scaling.URL_PATH}")
    wait_until_idle(page)
    expect(page.locator("h1").first).to_have_text(masks_scaling.TITLE)
    assert_no_exception(page)
