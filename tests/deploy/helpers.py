"""Helpers for the deployment tests: read the Dockerfile, find tools, run servers, poll.

Nothing here sleeps a fixed time: waits poll a condition until a deadline.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO_ROOT / "Dockerfile"

# Startup imports streamlit (and, once a page runs, torch): generous, but polled.
STARTUP_TIMEOUT_S = 60.0
# SIGTERM to exit: Streamlit stops its runtime and uvicorn, nothing more.
STOP_TIMEOUT_S = 20.0

T = TypeVar("T")


# ----------------------------------------------------------------------------- tools


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def require_tool(name: str, candidates: list[Path | str | None]) -> str:
    """Path of the first existing executable among candidates; else fail in CI, skip locally."""
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    message = f"{name} not found (looked in {[str(c) for c in candidates if c]})"
    if in_ci():
        pytest.fail(f"{message}; CI must provide it (see .ci/run)")
    pytest.skip(message)


def venv_bin(name: str) -> Path:
    """A console script installed next to this interpreter (the venv's bin/)."""
    return Path(sys.executable).parent / name


# ------------------------------------------------------------------------ Dockerfile


@dataclass
class Instruction:
    keyword: str  # upper case, e.g. "RUN"
    args: str  # the rest of the logical line, continuations joined
    line: int  # 1-based line where it starts


@dataclass
class Dockerfile:
    instructions: list[Instruction]
    env: dict[str, str] = field(default_factory=dict)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction:
        found = self.all(keyword)
        assert found, f"Dockerfile has no {keyword}"
        return found[-1]

    def index(self, instruction: Instruction) -> int:
        return self.instructions.index(instruction)

    def exec_form(self, keyword: str) -> list[str]:
        """ENTRYPOINT/CMD as an argv list; the shell form is refused (signals, PID 1)."""
        found = self.all(keyword)
        if not found:
            return []
        return parse_exec_form(found[-1].args, keyword)

    def command(self) -> list[str]:
        """What the container runs: ENTRYPOINT + CMD, both exec form."""
        return self.exec_form("ENTRYPOINT") + self.exec_form("CMD")

    def port(self) -> str:
        """The port the command serves on (its --server.port flag)."""
        argv = self.command()
        hits = [i for i, a in enumerate(argv) if a.split("=")[0] == "--server.port"]
        assert len(hits) == 1, f"expected exactly one --server.port flag in {argv}"
        flag = argv[hits[0]]
        return flag.split("=", 1)[1] if "=" in flag else argv[hits[0] + 1]

    def healthcheck(self) -> tuple[dict[str, str], list[str]]:
        """HEALTHCHECK options (--interval=...) and its CMD as an argv list."""
        args = self.last("HEALTHCHECK").args
        options: dict[str, str] = {}
        while args.startswith("--"):
            option, _, args = args.partition(" ")
            key, _, value = option[2:].partition("=")
            options[key] = value
            args = args.lstrip()
        keyword, _, rest = args.partition(" ")
        assert keyword.upper() == "CMD", f"HEALTHCHECK must use CMD, got {args!r}"
        return options, parse_exec_form(rest.strip(), "HEALTHCHECK CMD")


def parse_exec_form(args: str, what: str) -> list[str]:
    assert args.startswith("["), f"{what} must use the exec form (a JSON array), got {args!r}"
    argv = json.loads(args)
    assert isinstance(argv, list) and all(isinstance(a, str) for a in argv), argv
    return argv


def parse_dockerfile(path: Path = DOCKERFILE) -> Dockerfile:
    """Logical instructions (comments dropped, `\\` continuations joined) and the ENV map."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not pending):
            continue
        if not pending:
            start = number
        continued = stripped.endswith("\\")
        pending.append(stripped[:-1].strip() if continued else stripped)
        if continued:
            continue
        keyword, _, args = " ".join(p for p in pending if p).partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip(), start))
        pending = []
    assert not pending, f"{path}: dangling line continuation at line {start}"

    env: dict[str, str] = {}
    for instruction in instructions:
        if instruction.keyword != "ENV":
            continue
        words = shlex.split(instruction.args)
        if "=" not in words[0]:  # the legacy form: ENV key value with spaces
            words = [f"{words[0]}={' '.join(words[1:])}"]
        for pair in words:
            key, _, value = pair.partition("=")
            # $VAR and ${VAR}: from the ENV so far, this environment standing in for the
            # base image's (e.g. PATH)
            env[key] = string.Template(value).safe_substitute({**os.environ, **env})
    return Dockerfile(instructions, env)


def replace_port_flag(argv: list[str], port: int) -> list[str]:
    """argv with its one `--server.port=N` (or `--server.port N`) set to `port`.

    A flag, not STREAMLIT_SERVER_PORT: Streamlit ranks command-line flags above
    environment variables, so the env var could not override the CMD's flag.
    """
    out = list(argv)
    hits = [i for i, a in enumerate(out) if a == "--server.port" or a.startswith("--server.port=")]
    assert len(hits) == 1, f"expected exactly one --server.port flag in {argv}"
    i = hits[0]
    if out[i] == "--server.port":
        out[i + 1] = str(port)
    else:
        out[i] = f"--server.port={port}"
    return out


def replace_flag(argv: list[str], name: str, value: str) -> list[str]:
    """argv with its one `--name=value` flag changed (used to bind replicas to loopback)."""
    hits = [i for i, a in enumerate(argv) if a.startswith(f"{name}=")]
    assert len(hits) == 1, f"expected exactly one {name}= flag in {argv}"
    out = list(argv)
    out[hits[0]] = f"{name}={value}"
    return out


def resolve_program(argv: list[str]) -> list[str]:
    """argv[0] as this environment's executable: the venv's first, then PATH.

    In the image `streamlit`/`python` are on PATH; here pytest may run as
    .venv/bin/python without the venv's bin on PATH.
    """
    name = argv[0]
    if name in {"python", "python3"}:
        return [sys.executable, *argv[1:]]
    local = venv_bin(name)
    found = str(local) if local.is_file() else shutil.which(name)
    assert found, f"{name} (the image's command) is not installed in this environment"
    return [found, *argv[1:]]


def container_env(dockerfile: Dockerfile, home: Path) -> dict[str, str]:
    """This environment plus the Dockerfile's ENV, without the caller's STREAMLIT_* settings.

    HOME points at an empty directory like the image user's fresh home, so a
    developer's ~/.streamlit/config.toml cannot change what the test runs.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env.update(dockerfile.env)
    env["HOME"] = str(home)
    return env


# ----------------------------------------------------------------------------- ports


def free_ports(count: int) -> list[int]:
    """`count` distinct ports the OS reports free right now (held together, then released)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


# ---------------------------------------------------------------------------- polling


def wait_until(
    condition: Callable[[], T | None],
    timeout: float,
    what: str,
    interval: float = 0.2,
    abort: Callable[[], str | None] | None = None,
) -> T:
    """Poll `condition` until it returns a truthy value; fail with `what` at the deadline.

    `abort` may return a reason to stop early (e.g. the server process died).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if abort is not None and (reason := abort()):
            pytest.fail(f"{what}: {reason}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)  # poll interval, not a wait for something to be ready


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def http_get(
    url: str, timeout: float = 5.0, opener: urllib.request.OpenerDirector | None = None
) -> Response | None:
    """GET url; a Response for any HTTP status, None if nothing answered."""
    open_ = (opener or urllib.request.build_opener()).open
    try:
        with open_(url, timeout=timeout) as r:
            return Response(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
    except urllib.error.HTTPError as e:
        return Response(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def health_is_ok(base_url: str) -> bool:
    r = http_get(f"{base_url}/_stcore/health", timeout=2.0)
    return r is not None and r.status == 200 and r.text == "ok"


def session_connects(base_url: str) -> int:
    """Sessions a Streamlit server has seen start (connect + reconnect), from its metrics."""
    r = http_get(f"{base_url}/_stcore/metrics")
    assert r is not None and r.status == 200, f"{base_url}/_stcore/metrics did not answer"
    total = 0
    for line in r.text.splitlines():
        m = re.fullmatch(r'session_events_total\{type="(connect|reconnect)"\} (\d+)', line)
        if m:
            total += int(m.group(2))
    return total


# --------------------------------------------------------------------------- processes


@dataclass
class Server:
    """A started process with its logs; stop() sends SIGTERM and waits, then SIGKILL."""

    name: str
    proc: subprocess.Popen
    log_path: Path
    _log: IO[bytes]

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def died(self) -> str | None:
        if self.proc.poll() is None:
            return None
        return f"{self.name} exited with {self.proc.returncode}; its log:\n{self.log()}"

    def stop(self, sig: int = signal.SIGTERM) -> int | None:
        """Signal the process and wait; returns its exit code, None if it needed SIGKILL."""
        code: int | None = None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                code = self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        else:
            code = self.proc.returncode
        if not self._log.closed:
            self._log.close()
        return code


def start_process(
    name: str,
    argv: list[str],
    env: dict[str, str],
    cwd: Path,
    log_dir: Path,
) -> Server:
    log_path = log_dir / f"{name}.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a Ctrl-C in the terminal reaches pytest, not the servers
    )
    return Server(name, proc, log_path, log)


@dataclass
class StreamlitServer(Server):
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_image_command(
    name: str,
    port: int,
    log_dir: Path,
    address: str | None = None,
    extra_env: dict[str, str] | None = None,
    wait: bool = True,
) -> StreamlitServer:
    """Start the Dockerfile's CMD here, from the repo root, on `port` (and wait until healthy).

    Only the port is changed (and, for replicas, the bind address); the flags and
    the ENV are the image's. (The image's USER is not: as root, the tests could drop
    to it only if this interpreter were readable by that user, which it need not be.)
    """
    dockerfile = parse_dockerfile()
    argv = replace_port_flag(dockerfile.command(), port)
    if address is not None:
        argv = replace_flag(argv, "--server.address", address)
    home = log_dir / f"{name}-home"
    home.mkdir()
    env = container_env(dockerfile, home) | (extra_env or {})
    base = start_process(name, resolve_program(argv), env, REPO_ROOT, log_dir)
    server = StreamlitServer(base.name, base.proc, base.log_path, base._log, port=port)
    if wait:
        wait_healthy(server)
    return server


def wait_healthy(server: StreamlitServer) -> None:
    """Poll /_stcore/health until `ok`; on failure or timeout stop the server and fail."""
    try:
        wait_until(
            lambda: health_is_ok(server.url),
            STARTUP_TIMEOUT_S,
            f"{server.name}: {server.url}/_stcore/health to answer ok",
            abort=server.died,
        )
    except BaseException:
        server.stop()
        raise
