"""A class in real browsers: a follower's counter follows the teacher's; a copy is its own."""

import re
import time

import pytest

from dropout_viz.ui.live_screen import HELP

from .conftest import STEP_LINE, assert_no_exception, new_tab, open_page, wait_until_idle

pytestmark = pytest.mark.e2e

STEP = re.compile(r"Step ([\d,]+)")
# The counter of one's own Playground, and the one a follower's feed writes (both inside
# the canvas component's shadow root, which Playwright's locators see into).
OWN, FOLLOWED = STEP_LINE, ".dl-follow .dl-step"
WAIT_SECONDS = 30


def step_of(page, where: str = OWN) -> int:
    return int(STEP.search(page.locator(where).inner_text()).group(1).replace(",", ""))


def wait_for_step_above(page, step: int, where: str = OWN) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        texts = page.locator(where).all_inner_texts()  # none while a rerun swaps it
        found = [int(m.group(1).replace(",", "")) for m in map(STEP.search, texts) if m]
        if found and found[0] > step:
            return
        assert time.monotonic() < deadline, f"{where} stayed at {found} (waited for > {step})"
        page.wait_for_timeout(100)  # polling interval, not a wait for an outcome


@pytest.fixture
def follower(browser):
    tab = new_tab(browser)  # another student
    yield tab
    tab.context.close()


def test_a_follower_watches_the_teacher_and_a_copy_trains_alone(page, follower, app_url):
    open_page(page, app_url)
    page.get_by_text("Teach a class").click()
    link = page.locator("[data-testid=stCode]").filter(has_text="follow=").first.inner_text()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?follow=[\w-]{8,}", link.strip())

    page.get_by_role("button", name="Play", exact=True).click()
    wait_for_step_above(page, 100)
    open_page(follower, link.strip())
    follower.get_by_text("following your teacher").first.wait_for()
    # The follower's counter moves on with the teacher's, and it trains nothing itself.
    wait_for_step_above(follower, 0, FOLLOWED)
    first = step_of(follower, FOLLOWED)
    wait_for_step_above(follower, first + 60, FOLLOWED)
    assert follower.locator("canvas[data-kind=network]").count() >= 1  # the teacher's board
    # The numbers explain themselves as on the teacher's own screen.
    gap = follower.locator(".dl-follow .dl-label").first
    assert gap.get_attribute("title") == HELP[0]
    assert follower.get_by_role("button", name="Play", exact=True).count() == 0
    # Both screens read the same updates; paused, they come to rest on the same step.
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    wait_until_idle(page)  # the pausing run has drawn the step it paused at
    paused_at = step_of(page)
    follower.locator(FOLLOWED).filter(has_text=f"Step {paused_at:,} ").wait_for()
    assert paused_at > first
    page.get_by_role("button", name="Play", exact=True).click()

    follower.get_by_role("button", name="Make my own copy").click()
    follower.get_by_role("button", name="Play", exact=True).wait_for()  # its own Playground
    copied_at = step_of(follower)
    assert copied_at > first
    assert follower.locator(FOLLOWED).count() == 0  # the feed has stopped with its page
    teacher_then = step_of(page)
    wait_for_step_above(page, teacher_then + 60)  # the teacher plays on...
    assert step_of(follower) == copied_at  # ...and the paused copy stays where it forked
    follower.get_by_role("button", name="Step", exact=True).click()
    wait_for_step_above(follower, copied_at)
    assert step_of(follower) == copied_at + 1
    assert not follower.errors
    page.get_by_role("button", name="Pause", exact=True).click()
    assert_no_exception(page)
