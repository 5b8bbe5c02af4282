"""The Inference page in a real browser: it loads clean, and the sub-network count slider
redraws the average and the distance chart's marker."""

import pytest
from playwright.sync_api import expect

from dropout_viz.core import limits
from dropout_viz.pages import inference

from .conftest import assert_no_exception, open_page, scroll_to, wait_until_idle

pytestmark = pytest.mark.e2e
CHART_MS = 60_000  # Plotly's bundle and five charts on a busy 2-core machine


def test_page_loads_and_the_count_slider_changes_the_charts(page, app_url):
    open_page(page, f"{app_url}/{inference.URL_PATH}")
    expect(page.locator("h1").first).to_have_text(inference.TITLE)
    n = limits.SUB_NETWORKS.default
    charts = page.locator("[data-testid=stPlotlyChart]")
    # Sub-networks, average, distance, test score, histogram: each once Plotly's bundle loaded.
    expect(charts).to_have_count(5, timeout=CHART_MS)
    scroll_to(charts.nth(1))  # Plotly draws a chart once it is on screen
    expect(page.get_by_text(f"average of {n} sub-networks")).to_be_visible(timeout=CHART_MS)
    scroll_to(charts.nth(2))
    expect(page.get_by_text(f"N = {n}, the slider").first).to_be_visible(timeout=CHART_MS)
    assert_no_exception(page)

    slider = (
        page.locator("[data-testid=stSlider]")
        .filter(has_text="Sub-networks averaged N")
        .get_by_role("slider")
    )
    slider.focus()
    slider.press("ArrowRight")  # one step: N + 1
    expect(slider).to_have_value(str(n + 1))
    scroll_to(charts.nth(1))
    expect(page.get_by_text(f"average of {n + 1} sub-networks")).to_be_visible(timeout=CHART_MS)
    scroll_to(charts.nth(2))
    expect(page.get_by_text(f"N = {n + 1}, the slider").first).to_be_visible(timeout=CHART_MS)
    wait_until_idle(page)
    assert page.get_by_text(f"N = {n}, the slider").count() == 0
    assert_no_exception(page)
