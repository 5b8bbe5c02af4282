"""A real `streamlit run app.py` server and Debian's Chromium driven by Playwright.

Browser downloads do not work on our machines, so Playwright launches the
system Chromium. When no browser is found the tests skip locally but FAIL in
CI (``CI`` set): a green CI run must have driven a browser.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 90  # importing torch and plotly on a busy 2-core machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def streamlit_command(port: int, *flags: str) -> list[str]:
    """`streamlit run app.py` on loopback, as a user starts it, plus any flags."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        *flags,
    ]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def wait_for_health(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)  # polling interval, not a wait for an outcome
    raise TimeoutError(f"{url} did not answer /_stcore/health within {timeout} s")


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The app served by `streamlit run`, as a user would start it, on a free port."""
    port = free_port()
    log = ARTIFACTS / "e2e-streamlit.log"
    ARTIFACTS.mkdir(exist_ok=True)
    with log.open("w") as log_file:
        process = subprocess.Popen(
            streamlit_command(port, "--client.showErrorDetails", "full"),
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_health(url, process, STARTUP_SECONDS)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "no Chromium found (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ConsoleLog(list):
    """Console errors and uncaught page errors seen by one page."""

    def errors(self) -> list[str]:
        # Chromium reports the blocked calls home of a closed network; they are not ours.
        return [e for e in self if "net::ERR" not in e and "Failed to load resource" not in e]


def new_tab(browser, width: int = 1400, height: int = 2000):
    """A tab in a browser context of its own (another student), its uncaught page errors
    kept in ``tab.errors``; close it with ``tab.context.close()``."""
    context = browser.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    return tab


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 2000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    console = ConsoleLog()
    page.on(
        "console", lambda m: console.append(f"{m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    page.console = console
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    context.close()


# The Playground's step line ("Step 1,234 · seed 0 ..."): its canvas draws it, inside the
# component's shadow root (Playwright's locators see into it; document.querySelector
# does not). STEP_TEXT_JS is its text in the page, "" while there is none.
STEP_LINE = ".dl-own .dl-step"
STEP_TEXT_JS = (
    "(Array.from(document.querySelectorAll('*')).map((e) => e.shadowRoot"
    "?.querySelector('.dl-own .dl-step')).find(Boolean)?.textContent ?? '')"
)


def open_page(page, url: str) -> None:
    """Load a page and wait until Streamlit has finished running its script."""
    page.goto(url)
    page.wait_for_selector("[data-testid=stApp]")
    wait_until_idle(page)


def wait_until_idle(page, timeout: float = 60_000) -> None:
    """Streamlit marks the app 'running' while a script runs; wait for it to settle."""
    page.wait_for_function(
        "() => { const app = document.querySelector('[data-testid=stApp]');"
        " return app && app.getAttribute('data-test-script-state') === 'notRunning'"
        " && document.querySelector('[data-testid=stMain]') !== null; }",
        timeout=timeout,
    )


def scroll_to(locator, timeout: float = 60_000) -> None:
    """Scroll an element into view, even while a rerun replaces it.

    Playwright resolves the locator, then waits for the element to be stable; a
    rerun that swaps the element in between detaches it, and Playwright gives up
    instead of resolving again. Resolving again is what a person's eye does.
    """
    deadline = time.monotonic() + timeout / 1000
    while True:
        left_ms = max(1.0, (deadline - time.monotonic()) * 1000)
        try:
            locator.scroll_into_view_if_needed(timeout=left_ms)
            return
        except PlaywrightError as error:
            if "not attached" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.1)


def assert_no_exception(page) -> None:
    exceptions = page.locator("[data-testid=stException]")
    assert exceptions.count() == 0, exceptions.all_inner_texts()
    assert page.console.errors() == []
