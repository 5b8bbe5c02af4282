"""The image's command, run here: the Dockerfile's CMD with its flags and ENV, from the repo root.

There is no Docker engine on these machines, so this is the closest check of what
`docker run dropout-lab` does: the same argv (only the port is changed, to a free
one), the same environment variables, the same working directory contents (the repo
root is what `COPY . .` puts in /app). Then the HEALTHCHECK's own command is run
against it, a browser loads the page, and SIGTERM (what `docker stop` sends) stops it.
"""

from __future__ import annotations

import re
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.helpers import (
    REPO_ROOT,
    STARTUP_TIMEOUT_S,
    STOP_TIMEOUT_S,
    StreamlitServer,
    container_env,
    free_ports,
    health_is_ok,
    http_get,
    parse_dockerfile,
    resolve_program,
    session_connects,
    start_image_command,
    wait_until,
)

pytestmark = pytest.mark.deploy


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    (port,) = free_ports(1)
    log_dir = tmp_path_factory.mktemp("entry")
    started = start_image_command("entry", port, log_dir)
    try:
        yield started
    finally:
        started.stop()


def run_healthcheck(port: int) -> subprocess.CompletedProcess[str]:
    """The Dockerfile's HEALTHCHECK command, aimed at `port` instead of the image's.

    Docker runs it in WORKDIR with the image's ENV; so does this.
    """
    dockerfile = parse_dockerfile()
    _, argv = dockerfile.healthcheck()
    joined, image_port = "\0".join(argv), f":{dockerfile.port()}/"
    assert joined.count(image_port) == 1, f"expected one {image_port} URL in {argv}"
    argv = joined.replace(image_port, f":{port}/").split("\0")
    with tempfile.TemporaryDirectory(prefix="dropout-lab-home-") as home:
        return subprocess.run(
            resolve_program(argv),
            cwd=REPO_ROOT,
            env=container_env(dockerfile, Path(home)),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )


def test_health_answers_ok(server: StreamlitServer) -> None:
    r = http_get(f"{server.url}/_stcore/health")
    assert r is not None and (r.status, r.text) == (200, "ok")


def test_page_serves_the_streamlit_shell_and_its_script(server: StreamlitServer) -> None:
    page = http_get(f"{server.url}/")
    assert page is not None and page.status == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<div id="root">' in page.text, page.text[:500]
    # The shell is useless without its bundle: fetch the main script it names.
    scripts = re.findall(r'<script[^>]+src="\.?/?(static/js/[^"]+\.js)"', page.text)
    assert scripts, "no static/js script in the page"
    bundle = http_get(f"{server.url}/{scripts[0]}")
    assert bundle is not None and bundle.status == 200
    assert "javascript" in bundle.headers["content-type"]


def test_healthcheck_command_passes(server: StreamlitServer) -> None:
    result = run_healthcheck(server.port)
    assert result.returncode == 0, result.stdout + result.stderr


def test_page_loads_in_chromium_and_starts_a_session(server: StreamlitServer, browser) -> None:
    """A real browser opens the page; the server then counts a session (its websocket)."""
    before = session_connects(server.url)
    page = browser.new_page()
    try:
        response = page.goto(f"{server.url}/", wait_until="load")
        assert response is not None and response.ok
        wait_until(
            lambda: session_connects(server.url) > before,
            STARTUP_TIMEOUT_S,
            "the browser's session to connect to the server",
            abort=server.died,
        )
    finally:
        page.close()


def test_sigterm_stops_the_server_cleanly_with_a_browser_connected(tmp_path: Path, browser) -> None:
    """`docker stop` sends SIGTERM, often mid-lesson: streamlit must exit by itself, promptly."""
    (port,) = free_ports(1)
    server = start_image_command("entry-stop", port, tmp_path)
    page = browser.new_page()
    try:
        assert run_healthcheck(port).returncode == 0
        page.goto(server.url, wait_until="load")
        wait_until(
            lambda: session_connects(server.url) > 0,
            STARTUP_TIMEOUT_S,
            "the browser's session to connect",
            abort=server.died,
        )
        code = server.stop(signal.SIGTERM)
    finally:
        page.close()
        server.stop()  # no-op when already stopped; kills it if the test failed early
    # None: it ignored SIGTERM for STOP_TIMEOUT_S and had to be killed.
    assert code is not None, f"no exit within {STOP_TIMEOUT_S:.0f} s of SIGTERM:\n{server.log()}"
    # 0: Streamlit's own SIGTERM handler stopped the server (the expected path).
    # -SIGTERM: the default action killed it, which happens only if the signal beat
    # the handler's installation; Docker reports that as 143 and treats it as a stop.
    assert code in (0, -signal.SIGTERM), f"exit code {code}:\n{server.log()}"
    assert "Traceback" not in server.log(), server.log()
    # Once it is down, the health check must say so (it can fail, so it means something).
    assert not health_is_ok(server.url)
    assert run_healthcheck(port).returncode != 0
