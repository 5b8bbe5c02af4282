"""The deployment tests' own helpers: the Dockerfile reader and the CI rule for missing tools."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deploy.helpers import parse_dockerfile, replace_port_flag, require_tool

pytestmark = pytest.mark.deploy

SAMPLE = """\
# comment
FROM python:3.11-slim
ENV A=1 \\
    B="two words"
# a comment between instructions
RUN echo one \\
    && echo two
HEALTHCHECK --interval=30s --retries=3 \\
    CMD ["python", "-c", "print(1)"]
CMD ["streamlit", "run", "app.py", "--server.port=8501"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    return path


def test_parse_joins_continuations_and_reads_env(tmp_path: Path) -> None:
    df = parse_dockerfile(write(tmp_path, SAMPLE))
    assert [i.keyword for i in df.instructions] == ["FROM", "ENV", "RUN", "HEALTHCHECK", "CMD"]
    assert df.env == {"A": "1", "B": "two words"}
    assert df.last("RUN").args == "echo one && echo two"
    assert df.last("RUN").line == 6
    assert df.healthcheck() == ({"interval": "30s", "retries": "3"}, ["python", "-c", "print(1)"])
    assert df.command() == ["streamlit", "run", "app.py", "--server.port=8501"]


def test_shell_form_command_is_refused(tmp_path: Path) -> None:
    df = parse_dockerfile(write(tmp_path, "FROM x\nCMD streamlit run app.py\n"))
    with pytest.raises(AssertionError, match="exec form"):
        df.command()


def test_env_references_are_refused(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="references"):
        parse_dockerfile(write(tmp_path, "FROM x\nENV PATH=/opt/bin:$PATH\n"))


def test_port_flag_is_replaced_once_in_either_spelling() -> None:
    assert replace_port_flag(["s", "--server.port=8501"], 9) == ["s", "--server.port=9"]
    assert replace_port_flag(["s", "--server.port", "8501"], 9) == ["s", "--server.port", "9"]
    with pytest.raises(AssertionError):
        replace_port_flag(["s", "run"], 9)


def test_missing_tool_fails_under_ci_and_skips_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = [tmp_path / "no-such-tool"]
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must provide it"):
        require_tool("nginx", missing)
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        require_tool("nginx", missing)
