"""A class in real browsers: a follower's counter follows the teacher's; a copy is its own."""

import re

import pytest

from .conftest import assert_no_exception, open_page

pytestmark = pytest.mark.e2e

STEP = re.compile(r"Step ([\d,]+)")
COUNTER = "(document.querySelector('.st-key-step')?.innerText ?? '')"  # "" while detached


def step_of(page) -> int:
    return int(STEP.search(page.locator(".st-key-step").inner_text()).group(1).replace(",", ""))


def wait_for_step_above(page, step: int) -> None:
    page.wait_for_function(
        f"() => {{ const m = /Step ([\\d,]+)/.exec({COUNTER});"
        f" return m && parseInt(m[1].replace(/,/g, '')) > {step}; }}"
    )


@pytest.fixture
def follower(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2000})  # another student
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    yield page
    context.close()


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
    first = step_of(follower)
    wait_for_step_above(follower, first + 60)
    assert step_of(page) >= step_of(follower) > first
    assert follower.get_by_role("button", name="Play", exact=True).count() == 0

    follower.get_by_role("button", name="Make my own copy").click()
    follower.get_by_role("button", name="Play", exact=True).wait_for()  # its own Playground
    copied_at = step_of(follower)
    assert copied_at > first
    teacher_then = step_of(page)
    wait_for_step_above(page, teacher_then + 60)  # the teacher plays on...
    assert step_of(follower) == copied_at  # ...and the paused copy stays where it forked
    follower.get_by_role("button", name="Step", exact=True).click()
    follower.wait_for_function(f"() => {COUNTER}.includes('Step {copied_at + 1:,}')")
    assert not follower.errors
    page.get_by_role("button", name="Pause", exact=True).click()
    assert_no_exception(page)
