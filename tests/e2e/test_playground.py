"""The Playground in a real browser: it loads clean, Play trains and redraws, Pause stops."""

import re

import pytest
from playwright.sync_api import expect

from dropout_viz.pages.playground import CHUNK

from .conftest import STEP_LINE, STEP_TEXT_JS, assert_no_exception, open_page, wait_until_idle

pytestmark = pytest.mark.e2e

STEP = re.compile(r"Step ([\d,]+)")
# The counter's text, or "" in the rare frame where a rerun has it detached: a wait
# polls again instead of failing on a null.
COUNTER_TEXT = STEP_TEXT_JS


def step_of(page) -> int:
    return int(STEP.search(page.locator(STEP_LINE).inner_text()).group(1).replace(",", ""))


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
    page.wait_for_function(f"() => /Step [1-9][\\d,]{{2,}}/.test({COUNTER_TEXT})")
    expect(boundary).to_have_attribute("data-step", re.compile(r"^[1-9]\d{2,}$"))  # >= 100
    assert "units dropped" in page.locator("canvas[data-kind=network]").get_attribute(
        "data-summary"
    )

    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()  # the pausing run began
    wait_until_idle(page)  # ... and ended: the counter below the buttons is drawn too
    paused_at = step_of(page)
    # Paused means exactly one step per press of Step: no tick of play sneaks in.
    page.get_by_role("button", name="Step", exact=True).click()
    page.wait_for_function(f"() => {COUNTER_TEXT}.includes('Step {paused_at + 1:,}')")
    assert step_of(page) == paused_at + 1
    assert_no_exception(page)


# Records every WebSocket the page opens, so a test can cut the connection.
RECORD_SOCKETS = """(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = function (...args) {
    const socket = new Native(...args);
    window.__sockets.push(socket);
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();"""
CONNECTION = (
    "document.querySelector('[data-testid=stApp]').getAttribute('data-test-connection-state')"
)


def test_a_reconnecting_browser_finds_its_session_as_it_left_it(page, app_url):
    page.add_init_script(RECORD_SOCKETS)
    open_page(page, app_url)
    page.get_by_role("button", name=f"Step ×{CHUNK}", exact=True).click()
    page.wait_for_function(f"() => {COUNTER_TEXT}.includes('Step {CHUNK}')")
    page.evaluate("() => window.__sockets.forEach((socket) => socket.close())")  # the wifi drops
    page.wait_for_function(f"() => {CONNECTION} !== 'CONNECTED'")
    page.wait_for_function(f"() => {CONNECTION} === 'CONNECTED'")
    assert page.evaluate("() => window.__sockets.length") == 2  # it really did reconnect
    assert step_of(page) == CHUNK  # same session: the twins kept their steps
    page.get_by_role("button", name="Step", exact=True).click()
    page.wait_for_function(f"() => {COUNTER_TEXT}.includes('Step {CHUNK + 1}')")
    assert_no_exception(page)


def test_rapid_clicks_and_a_reload_never_raise(page, app_url):
    open_page(page, app_url)
    chunk = f"Step ×{CHUNK}"
    for name in ["Play", "Step", "Reset", chunk, "Step", "Reset", chunk]:
        # No waiting for the app between clicks; a button Streamlit greys out during a
        # rerun is clicked as soon as it is back (the default 30 s covers a busy CI).
        page.get_by_role("button", name=name, exact=True).click(no_wait_after=True)
    page.get_by_role("button", name=re.compile("^(Play|Pause)$")).first.wait_for()
    page.reload()
    page.locator(STEP_LINE).wait_for()
    wait_until_idle(page)
    assert step_of(page) == 0  # a reload is a new session, and it starts cleanly
    assert_no_exception(page)


def test_a_run_that_diverges_while_playing_stops_and_says_why(page, app_url):
    # No script runs while it plays: the canvas sees the trainer stop the run in the feed
    # and asks for the rerun that brings back Play and the warning.
    open_page(page, f"{app_url}/?dataset=sine&optimizer=sgd&learning_rate=3.0&activation=relu")
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_text("lower the learning rate").first.wait_for()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    assert page.get_by_role("button", name="Pause", exact=True).count() == 0
    assert_no_exception(page)
