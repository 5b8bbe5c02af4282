"""The Playground in a real browser: it loads clean, Play trains and redraws, Pause stops."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_exception, open_page

pytestmark = pytest.mark.e2e

STEP = re.compile(r"Step ([\d,]+)")


def step_of(page) -> int:
    return int(STEP.search(page.locator(".st-key-step").inner_text()).group(1).replace(",", ""))


def test_play_trains_and_redraws_pause_stops(page, app_url):
    open_page(page, app_url)
    assert step_of(page) == 0
    for kind in ("boundary", "network", "lines"):
        page.locator(f"canvas[data-kind={kind}]").first.wait_for()
    boundary = page.locator("canvas[data-kind=boundary]").last
    assert boundary.get_attribute("data-step") == "0"

    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for()
    # The counter and the drawing both move on, many times.
    page.wait_for_function(
        "() => /Step [1-9][\\d,]{2,}/.test(document.querySelector('.st-key-step').innerText)"
    )
    expect(boundary).to_have_attribute("data-step", re.compile(r"^[1-9]\d{2,}$"))  # >= 100
    assert "units dropped" in page.locator("canvas[data-kind=network]").get_attribute(
        "data-summary"
    )

    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    paused_at = step_of(page)
    # Paused means exactly one step per press of Step: no tick of play sneaks in.
    page.get_by_role("button", name="Step", exact=True).click()
    page.wait_for_function(
        f"() => document.querySelector('.st-key-step').innerText.includes('Step {paused_at + 1:,}')"
    )
    assert step_of(page) == paused_at + 1
    assert_no_exception(page)
