"""The presenter view in a real browser, at a projector's 1280×720 and at 1920×1080: the
Playground's two boundaries, the network with its masks and the loss chart all lie inside
the window without scrolling; Space plays and pauses; the arrow keys walk the tour; no
Deploy button. Screenshots go to artifacts/presenter-<size>.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .conftest import (
    ARTIFACTS,
    STEP_LINE,
    STEP_TEXT_JS,
    assert_no_exception,
    open_page,
    wait_until_idle,
)

pytestmark = pytest.mark.e2e

SIZES = [(1280, 720), (1920, 1080)]
STEP = re.compile(r"Step ([\d,]+)")
COUNTER_TEXT = STEP_TEXT_JS
PANELS = [
    ("canvas[data-kind=boundary]", 0),
    ("canvas[data-kind=boundary]", 1),
    ("canvas[data-kind=network]", 0),
    ("canvas[data-kind=lines]", 0),
]


def step_of(page) -> int:
    return int(STEP.search(page.locator(STEP_LINE).inner_text()).group(1).replace(",", ""))


@pytest.fixture
def sized(browser, request):
    """A tab of the given viewport size (the page fixture's is a tall 1400×2000)."""
    contexts = []

    def open_tab(width: int, height: int):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        errors = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.errors = errors
        return tab

    yield open_tab
    for context in contexts:
        context.close()


def settled_boxes(page) -> list[dict]:
    """The four panels' boxes, once the board has taken the height the window leaves it
    (the browser measures it and the server redraws: wait until two reads agree)."""
    previous = None
    for _ in range(40):
        boxes = [page.locator(selector).nth(i).bounding_box() for selector, i in PANELS]
        if boxes == previous and all(boxes):
            return boxes
        previous = boxes
        page.wait_for_timeout(250)  # polling interval between two layout reads
    return previous


@pytest.mark.parametrize("width,height", SIZES, ids=lambda v: str(v))
def test_presenter_view_fits_the_board_in_the_window(sized, app_url, width, height):
    page = sized(width, height)
    open_page(page, f"{app_url}/?scene=2&present=1")
    for selector, i in PANELS:
        page.locator(selector).nth(i).wait_for()
    wait_until_idle(page)
    boxes = settled_boxes(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"presenter-{width}x{height}.png"))
    for (selector, i), box in zip(PANELS, boxes):
        assert box["x"] >= 0 and box["y"] >= 0, (selector, i, box)
        assert box["x"] + box["width"] <= width, (selector, i, box)
        assert box["y"] + box["height"] <= height, (selector, i, box)
        assert box["height"] >= 150, (selector, i, box)  # fitted, not squashed to nothing
    scroller = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=stMain]');"
        " return m ? m.scrollTop : -1; }"
    )
    assert scroller == 0  # nothing had to scroll to get there
    # The sidebar is folded away, the advanced controls are not drawn, no Deploy button.
    assert page.get_by_role("button", name=re.compile("^Step ×")).count() == 0
    assert page.get_by_label("Dropout rate p").count() == 0
    assert page.get_by_role("button", name="Deploy").count() == 0
    assert page.locator("[data-testid=stAppDeployButton]").count() == 0
    assert page.errors == []
    assert_no_exception(page) if hasattr(page, "console") else None


def test_space_plays_and_pauses_and_the_arrows_walk_the_tour(sized, app_url):
    page = sized(1280, 720)
    open_page(page, f"{app_url}/?scene=3&present=1")  # scene 3 starts paused
    page.locator("canvas[data-kind=network]").wait_for()
    page.evaluate("() => document.activeElement?.blur()")  # the keys go to the page
    assert step_of(page) == 0
    page.keyboard.press("Space")
    page.wait_for_function(f"() => /Step [1-9][\\d,]{{2,}}/.test({COUNTER_TEXT})")  # >= 100
    page.keyboard.press("Space")
    page.get_by_role("button", name=re.compile(r"^Play\b")).wait_for()  # "Play Shortcut Space"
    wait_until_idle(page)
    stopped = step_of(page)
    page.wait_for_timeout(1000)  # a second in which a playing run would take ~600 steps
    assert step_of(page) == stopped
    page.keyboard.press("s")
    page.wait_for_function(f"() => {COUNTER_TEXT}.includes('Step {stopped + 1:,}')")

    page.keyboard.press("ArrowRight")  # scene 4: the spiral, playing
    page.wait_for_url(re.compile(r"scene=4"))
    page.get_by_text("4 / 7").first.wait_for()
    assert "present=1" in page.url
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(re.compile(r"scene=3"))
    page.get_by_text("3 / 7").first.wait_for()
    assert page.errors == []


def test_presenter_view_fits_the_uncertainty_band_in_the_window(sized, app_url):
    page = sized(1280, 720)
    # Scene 7 typed on the landing page links to its own page (opened in the app, not by
    # loading /uncertainty: the page under test is the presenter view, not deep links).
    open_page(page, f"{app_url}/?scene=7&present=1")
    # The presenter view measures its room and reruns once it has: a click that lands just
    # as that rerun replaces the link is lost (CI once waited 180 s on the landing page).
    link = page.get_by_role("link", name=re.compile("scene 7"))
    for _ in range(3):
        link.click()
        try:
            page.wait_for_url(re.compile(r"/uncertainty\?"), timeout=20_000)
            break
        except PlaywrightTimeout:
            wait_until_idle(page)
    assert "/uncertainty?" in page.url, page.url
    band = page.locator("[data-testid=stPlotlyChart]").first  # the band: the page's first chart
    try:
        band.wait_for(timeout=90_000)  # the page trains two networks first, on a busy machine
    except PlaywrightTimeout:
        # Twice in CI (never locally, not in a rerun of the same tests) the band did not
        # come within 180 s. Until that is understood: keep what the page showed, then
        # load it again, as a teacher would, and hold the page to the same test.
        page.screenshot(path=str(ARTIFACTS / "presenter-uncertainty-stuck.png"))
        (ARTIFACTS / "presenter-uncertainty-stuck.txt").write_text(
            f"{page.url}\n{page.inner_text('body')}", encoding="utf-8"
        )
        page.reload()
        band.wait_for(timeout=90_000)
    wait_until_idle(page, timeout=180_000)
    page.screenshot(path=str(ARTIFACTS / "presenter-uncertainty-1280x720.png"))
    box = band.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 720, box
    assert page.get_by_text("7 / 7").count() == 1
    assert page.errors == []
