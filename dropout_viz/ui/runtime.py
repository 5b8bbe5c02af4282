"""Process-wide settings of the server that every page depends on."""

from __future__ import annotations

import gc
import os
import sys
import warnings

_modules_when_frozen = 0


def one_math_thread_everywhere() -> None:
    """Make every thread's matrix products single-threaded; call before torch loads.

    Streamlit runs each script run, fragment runs included, in a new thread, and
    OpenMP's thread count is per-thread state: ``torch.set_num_threads`` in one run
    does not reach the next. So each tick's first matrix product started a new OpenMP
    team (2-15 ms here) and MKL ran its products on two threads that spun against the
    browser. ``OMP_NUM_THREADS``, read once when torch loads, is every thread's
    default. An operator's own setting wins.
    """
    if "torch" in sys.modules and "OMP_NUM_THREADS" not in os.environ:
        warnings.warn("torch is loaded already: OMP_NUM_THREADS comes too late", stacklevel=2)
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def use_one_torch_thread() -> None:
    """Our networks are tiny: torch's intra-op thread pool costs more in hand-offs than it
    saves (25 twin steps take ~50 ms on 2 threads, ~15 ms on 1). Streamlit already runs
    each browser session in its own thread, so a class still spreads over every core."""
    import torch  # here, so that importing this module does not load torch

    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)


def freeze_new_imports() -> None:
    """Keep Streamlit's per-run garbage collection cheap; call at the end of a script run.

    Streamlit calls ``gc.collect(2)`` after every script run, fragment runs included
    (``runner.postScriptGC``). A full collection walks every container object, and
    with torch, plotly and pandas loaded that is over 300 000 of them: ~110 ms here,
    which caps a live fragment near 2 updates/s. Almost all are modules, classes and
    functions that never become garbage, so once new modules have been imported we
    collect once and ``gc.freeze()`` what is left into a permanent generation the
    collector skips. torch and plotly import much of themselves lazily (the first
    fused Adam pulls in torch._dynamo and sympy), so this runs again whenever
    ``sys.modules`` has grown. Per-run garbage is still collected after every run,
    so memory stays flat — switching ``postScriptGC`` off would have given that up.
    """
    global _modules_when_frozen
    if len(sys.modules) == _modules_when_frozen:
        return
    gc.collect()  # free what is garbage now, so that it is not frozen forever
    gc.freeze()
    _modules_when_frozen = len(sys.modules)


def quiet_closed_websockets() -> None:
    """Let a tab that closes mid-send end its session cleanly instead of logging an
    "Exception in ASGI application"; call once, in the server process.

    When a browser goes while a message is being sent, Starlette (1.10) marks the socket
    disconnected and the next ``receive_bytes`` raises ``WebSocketDisconnected``, a
    ``RuntimeError``. Streamlit 1.67's endpoint takes any ``RuntimeError`` there for a
    text frame and calls ``close()``, which raises again. Raising what a disconnect
    normally raises (``WebSocketDisconnect``) sends it down the endpoint's own path:
    leave the receive loop, then ``disconnect_session``. A class makes this common: a
    class's worth of tabs closes at the end of every lesson.
    """
    from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketDisconnected

    original = WebSocket.receive_bytes
    if getattr(original, "dropout_lab_patch", False):
        return

    async def receive_bytes(self: WebSocket) -> bytes:
        try:
            return await original(self)
        except WebSocketDisconnected as error:
            raise WebSocketDisconnect(code=1006) from error  # 1006: closed abnormally

    receive_bytes.dropout_lab_patch = True
    WebSocket.receive_bytes = receive_bytes
