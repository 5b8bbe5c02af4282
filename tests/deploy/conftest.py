"""Fixtures for the deployment tests: Debian's Chromium through Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.deploy.helpers import require_tool
from tests.e2e.conftest import CHROMIUM_ARGS as E2E_CHROMIUM_ARGS

# A name the browser resolves to loopback only (the .test TLD never exists in DNS).
# Streamlit lets "127.0.0.1" and "localhost" open a websocket whatever the Host header
# says; a real name makes the proxy's Host/Origin handling count, as in production.
TEST_HOST = "dropout-lab.test"

# The e2e tests' Chromium flags, plus the test host mapped to loopback.
CHROMIUM_ARGS = [*E2E_CHROMIUM_ARGS, f"--host-resolver-rules=MAP {TEST_HOST} 127.0.0.1"]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return require_tool("chromium", ["/usr/bin/chromium", shutil.which("chromium")])


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[object]:
    """A headless Chromium for this module's tests, closed after them."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
