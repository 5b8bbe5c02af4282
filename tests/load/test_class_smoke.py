"""A class on one server, briefly: protocol-level tabs (``streamlit_client``) against a real
``streamlit run app.py``. Correctness only; how fast is ``benchmarks/bench_class.py``'s job."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.asyncio_thread import run
from tests.e2e.conftest import (
    ARTIFACTS,
    ROOT,
    STARTUP_SECONDS,
    free_port,
    streamlit_command,
    wait_for_health,
)
from tests.load.streamlit_client import CLASS_LINK, FOLLOW, Client

pytestmark = pytest.mark.slow

STUDENTS = 10
PLAY_SECONDS = 10.0  # the one measured window: how long the class plays
WAIT = 90.0  # upper bound for any state to show up on a 2-core machine under load
SERVER_ERRORS = re.compile(r"Exception|Traceback|Error")


@dataclass
class Server:
    url: str
    log: Path

    def errors_since(self, offset: int) -> list[str]:
        with self.log.open(encoding="utf-8", errors="replace") as log:
            log.seek(offset)
            return [line.rstrip() for line in log if SERVER_ERRORS.search(line)]

    def log_size(self) -> int:
        return self.log.stat().st_size


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """``streamlit run app.py`` as a user starts it, its output kept for its errors."""
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "load-streamlit.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            streamlit_command(port),
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_health(url, process, STARTUP_SECONDS)
            yield Server(url, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


async def _opened(client: Client) -> Client:
    await client.open(timeout=WAIT)
    await client.wait_rendered(WAIT)
    return client


async def _shows_button(client: Client, label: str) -> None:
    await client.wait_for(lambda: client.has_button(label), WAIT)


async def _moves_on(client: Client, seen: int) -> None:
    """Until the step counter changed more than once after ``seen`` updates."""
    await client.wait_for(lambda: len(client.updates) > seen + 1, WAIT)


async def _close_all(clients: list[Client]) -> None:
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


def test_a_step_press_advances_the_counter_by_exactly_one(server):
    async def scenario() -> tuple[int, int, Client]:
        client = Client(server.url)
        try:
            await _opened(client)
            before = client.step
            runs = client.full_runs_finished
            await client.click("Step")
            # The press's run has finished: nothing else can move the counter any more.
            await client.wait_for(lambda: client.full_runs_finished > runs, WAIT)
            return before, client.step, client
        finally:
            await client.close()

    offset = server.log_size()
    before, after, client = run(scenario())
    assert after == before + 1
    assert client.errors == []
    assert server.errors_since(offset) == []


def test_ten_students_play_at_once(server):
    async def scenario() -> tuple[list[Client], list[int]]:
        clients = [Client(server.url) for _ in range(STUDENTS)]
        try:
            await asyncio.gather(*(_opened(c) for c in clients))
            await asyncio.gather(*(c.click("Play") for c in clients))
            await asyncio.gather(*(_shows_button(c, "Pause") for c in clients))
            seen = [len(c.updates) for c in clients]
            await asyncio.sleep(PLAY_SECONDS)
            return clients, seen
        finally:
            await _close_all(clients)

    offset = server.log_size()
    clients, seen = run(scenario())
    for client, before in zip(clients, seen):
        assert client.errors == []
        assert client.step > 0
        assert len(client.updates) - before > 1  # the counter moved on more than once
    assert server.errors_since(offset) == []


def test_followers_show_the_teachers_run_and_can_copy_it(server):
    async def scenario() -> tuple[Client, list[Client], Client]:
        teacher = Client(server.url)
        followers: list[Client] = []
        try:
            await _opened(teacher)
            await teacher.click("Play")
            await teacher.wait_for(lambda: teacher.find(CLASS_LINK) is not None, WAIT)
            followers = [Client.from_url(teacher.find(CLASS_LINK).group(0)) for _ in range(3)]
            await asyncio.gather(*(_opened(f) for f in followers))
            # Each screen moves on, more than once, while the teacher plays ...
            await asyncio.gather(*(_moves_on(f, len(f.updates)) for f in followers))
            runs = teacher.full_runs_finished
            await teacher.click("Pause")
            await teacher.wait_for(lambda: teacher.full_runs_finished > runs, WAIT)
            # ... and comes to rest on the step the teacher paused at.
            await asyncio.gather(
                *(f.wait_for(lambda f=f: f.step == teacher.step, WAIT) for f in followers)
            )
            own = followers[-1]
            await own.click("Make my own copy")
            await _shows_button(own, "Play")
            return teacher, followers, own
        finally:
            await _close_all([teacher, *followers])

    offset = server.log_size()
    teacher, followers, own = run(scenario())
    assert teacher.has_button("Play")  # paused
    for follower in followers[:-1]:
        assert follower.has_button("Make my own copy")
        assert not follower.has_button("Play")  # a follower trains nothing itself
    assert FOLLOW.search(own.url) is None  # the copy is a Playground of its own ...
    assert own.step == teacher.step  # ... that starts where the teacher's run is
    for screen in (teacher, *followers):
        assert screen.errors == []
    assert server.errors_since(offset) == []
