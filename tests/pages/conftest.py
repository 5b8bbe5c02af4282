"""Run one page at a time in Streamlit's AppTest, the way app.py's navigation runs it."""

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options


@pytest.fixture(autouse=True)
def full_error_details():
    """The deployment config shows learners only an exception's type; tests need it all."""
    with patch_config_options({"client.showErrorDetails": "full"}):
        yield


def page_test(module: str, timeout: float = 90) -> AppTest:
    """An AppTest of dropout_viz.pages.<module>.render()."""
    return AppTest.from_string(
        f"from dropout_viz.pages import {module}\n{module}.render()\n", default_timeout=timeout
    )


@pytest.fixture
def run_page():
    def run(module: str, query: dict | None = None) -> AppTest:
        at = page_test(module)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return run
