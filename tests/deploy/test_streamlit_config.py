""".streamlit/config.toml: real option names, the deployment's values, and AppTest still works.

Streamlit only warns about an unknown key, so a typo would silently deploy the
default. These tests read the file through Streamlit itself, in a subprocess started
from the repo root (where `streamlit run` and AppTest look for it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.deploy.helpers import REPO_ROOT

pytestmark = pytest.mark.deploy

CONFIG = REPO_ROOT / ".streamlit" / "config.toml"

EXPECTED = {
    "browser.gatherUsageStats": False,
    "server.headless": True,
    "server.enableXsrfProtection": True,
    "server.fileWatcherType": "none",
    "client.showErrorDetails": "type",
    # The app's janitor collects garbage every few seconds instead (ui/class_server.py).
    "runner.postScriptGC": False,
}


def run_python(code: str, home: Path) -> subprocess.CompletedProcess[str]:
    """Run code from the repo root with no STREAMLIT_* variables and an empty HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env["HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def file_keys() -> dict[str, object]:
    data = tomllib.loads(CONFIG.read_text())
    return {
        f"{section}.{key}": value for section, opts in data.items() for key, value in opts.items()
    }


def test_config_sets_the_deployment_values() -> None:
    keys = file_keys()
    for name, value in EXPECTED.items():
        assert keys.get(name) == value, (name, keys.get(name))


def test_streamlit_reads_every_key_from_the_file(tmp_path: Path) -> None:
    code = """
import json
from streamlit import config
options = config.get_config_options(force_reparse=True)
print(json.dumps({name: [o.value, o.where_defined] for name, o in options.items()}))
"""
    result = run_python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "not a valid config option" not in result.stderr, result.stderr
    options = json.loads(result.stdout.strip().splitlines()[-1])
    for name, value in file_keys().items():
        assert name in options, f"{name} is not a Streamlit option"
        seen, where = options[name]
        assert seen == value, (name, seen, value)
        assert Path(where) == CONFIG, (name, where)


def test_apptest_runs_under_this_config(tmp_path: Path) -> None:
    """AppTest picks up the file too: it must still run scripts and report exceptions."""
    code = """
from streamlit import config
from streamlit.testing.v1 import AppTest
ok = AppTest.from_string("import streamlit as st\\nst.write('hello')").run()
assert not ok.exception and ok.markdown[0].value == "hello", ok
bad = AppTest.from_string("raise ValueError('no such drop rate')").run()
assert len(bad.exception) == 1, bad
shown = bad.exception[0]
assert "no such drop rate" not in shown.message and not shown.stack_trace, shown
print(config.get_option("client.showErrorDetails"), shown.proto.type)
"""
    result = run_python(code, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    # With "type", AppTest (like the browser) gets the exception type and a generic
    # message, no traceback; the full message is in the log (stderr).
    assert result.stdout.split()[-2:] == ["type", "ValueError"], result.stdout
