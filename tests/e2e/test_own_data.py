"""Own data and the board's PNG in a real browser: an uploaded file changes the boundary,
a bad one shows its message, and the PNG is the board's own pixels at the board's size."""

import struct

import pytest
from playwright.sync_api import expect

from dropout_viz.core.user_data import example_csv

from .conftest import ARTIFACTS, assert_no_exception, open_page, wait_until_idle

pytestmark = pytest.mark.e2e


def boundary_pixels(page) -> str:
    # Locators reach into the component's shadow root; document.querySelector does not.
    return page.locator("canvas[data-kind=boundary]").first.evaluate("c => c.toDataURL()")


def _upload(page, path) -> None:
    page.locator("[data-testid=stSidebar] input[type=file]").set_input_files(str(path))
    wait_until_idle(page)


def test_an_uploaded_file_changes_the_boundary_and_a_bad_one_says_why(page, app_url, tmp_path):
    open_page(page, app_url)
    boundary = page.locator("canvas[data-kind=boundary]").first
    boundary.wait_for()
    before, summary = boundary_pixels(page), boundary.get_attribute("data-summary")
    page.get_by_text("Your own data (CSV)").click()
    good = tmp_path / "two_classes.csv"
    good.write_bytes(example_csv("classification"))
    _upload(page, good)
    sidebar = page.locator("[data-testid=stSidebar]")
    dataset = sidebar.get_by_role("combobox", name="Dataset")
    expect(dataset).to_have_value("Own data: two_classes.csv")
    # The boundary panel's own summary (its losses) moves to the new data, then its pixels.
    expect(boundary).not_to_have_attribute("data-summary", summary)
    assert boundary_pixels(page) != before
    sidebar.screenshot(path=str(ARTIFACTS / "own_data_upload.png"))

    after = boundary_pixels(page)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"x1,x2,label\n" + b"1,2,0\n1,3,1\n" * 10 + b"1,oops,0\n")
    _upload(page, bad)
    error = sidebar.locator("[data-testid=stAlertContentError]")
    error.wait_for()
    assert "Row 22, column 2 ('x2')" in error.inner_text()
    expect(dataset).to_have_value("Own data: two_classes.csv")  # still the dataset
    assert boundary_pixels(page) == after  # the twins were not touched
    sidebar.screenshot(path=str(ARTIFACTS / "own_data_bad_file.png"))

    three = tmp_path / "three.csv"
    three.write_bytes(example_csv("three_classes"))
    summary = boundary.get_attribute("data-summary")
    _upload(page, three)
    expect(dataset).to_have_value("Own data: three.csv")
    expect(boundary).not_to_have_attribute("data-summary", summary)
    page.locator(".dl-board").screenshot(path=str(ARTIFACTS / "own_data_three_classes.png"))
    assert_no_exception(page)


def test_the_png_download_is_the_board_at_its_size(page, app_url, tmp_path):
    open_page(page, app_url)
    page.locator("canvas[data-kind=lines]").first.wait_for()
    size = page.locator(".dl-board").evaluate(
        "b => { const r = b.getBoundingClientRect(), k = window.devicePixelRatio || 1;"
        " return [Math.round(r.width * k), Math.round(r.height * k)]; }"
    )
    with page.expect_download() as download:
        page.get_by_role("button", name="Download board (PNG)").click()
    path = tmp_path / "board.png"
    download.value.save_as(path)
    download.value.save_as(ARTIFACTS / "board_download.png")
    assert download.value.suggested_filename == "dropout_lab_board_step_0.png"
    raw = path.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n" and raw[12:16] == b"IHDR"
    assert list(struct.unpack(">II", raw[16:24])) == size
    assert size[0] > 600 and size[1] > 300
    assert_no_exception(page)


def test_the_history_downloads_as_the_run_is_now(page, app_url, tmp_path):
    open_page(page, app_url)
    page.get_by_role("button", name="Step ×30", exact=True).click()
    wait_until_idle(page)
    page.get_by_role("button", name="Step ×30", exact=True).click()
    wait_until_idle(page)
    page.get_by_text("Take your results with you").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="History (CSV)").click()
    assert download.value.suggested_filename == "dropout_lab_history.csv"
    path = tmp_path / "history.csv"
    download.value.save_as(path)
    lines = path.read_text().splitlines()
    assert lines[0].startswith("step,no_dropout_train_loss,no_dropout_test_loss")
    assert [line.split(",")[0] for line in lines[1:]] == ["0", "30", "60"]
    assert_no_exception(page)
