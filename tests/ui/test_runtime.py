"""Process-wide settings the app applies at start."""

import os
import subprocess
import sys
import warnings

import pytest

from dropout_viz.ui import runtime
from tests.asyncio_thread import run

# In a fresh interpreter: the setting first, then torch, then a new thread, as Streamlit
# runs each script run (fragment runs too) in a new thread.
NEW_THREAD_THREADS = """
from dropout_viz.ui.runtime import one_math_thread_everywhere
one_math_thread_everywhere()
import threading, torch
seen = []
thread = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
thread.start(); thread.join()
print(seen[0])
"""


def test_a_new_thread_does_its_math_on_one_thread():
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    result = subprocess.run(
        [sys.executable, "-c", NEW_THREAD_THREADS],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "1"


def test_an_operators_own_setting_wins(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch is loaded, but the setting was made before
        runtime.one_math_thread_everywhere()
    assert os.environ["OMP_NUM_THREADS"] == "2"


def test_too_late_is_said_out_loud(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    import torch  # noqa: F401  (loaded, as in this test process)

    with pytest.warns(UserWarning, match="too late"):
        runtime.one_math_thread_everywhere()


def test_a_socket_closed_mid_send_reads_as_a_disconnect():
    """What Streamlit's endpoint sees after a send failed because the tab was gone."""

    from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

    async def receive():
        return {"type": "websocket.receive", "bytes": b"x"}

    async def send(message):
        raise OSError("the browser is gone")

    async def receive_after_failed_send():
        socket = WebSocket({"type": "websocket", "path": "/", "headers": []}, receive, send)
        socket.client_state = socket.application_state = WebSocketState.CONNECTED
        with pytest.raises(WebSocketDisconnect):
            await socket.send_bytes(b"update")  # marks the socket disconnected
        await socket.receive_bytes()

    with pytest.raises(RuntimeError):  # unpatched: Streamlit 1.67 takes it for a text frame
        run(receive_after_failed_send())
    runtime.quiet_closed_websockets()
    runtime.quiet_closed_websockets()  # twice is once
    with pytest.raises(WebSocketDisconnect) as caught:
        run(receive_after_failed_send())
    assert caught.value.code == 1006
