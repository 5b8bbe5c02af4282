"""Process-wide settings of the server that every page depends on, applied once."""

from __future__ import annotations

import gc

_prepared = False


def prepare_process() -> None:
    """One torch thread per session, and a garbage collector that stays cheap. Idempotent.

    Threads: our networks are tiny, so torch's intra-op thread pool costs more in
    hand-offs than it saves (25 twin steps: ~50 ms on 2 threads, ~15 ms on 1).
    Streamlit already runs each browser session in its own thread, so a class of
    students still spreads over every core.

    Garbage collector: Streamlit calls ``gc.collect(2)`` after every script run,
    fragment runs included (``runner.postScriptGC``). With torch, plotly and
    pandas imported a full collection walks ~1 M long-lived objects: ~110 ms
    here, which caps a live fragment near 2 updates/s. ``gc.freeze()`` moves
    everything that exists after the heavy imports (modules, classes,
    functions: nothing that ever becomes garbage) into a permanent generation
    the collector skips. The per-run collection keeps freeing what each run
    leaves behind, so memory stays flat; switching ``postScriptGC`` off instead
    would have given that up.
    """
    global _prepared
    if _prepared:
        return
    import plotly.graph_objects  # noqa: F401  - the heavy imports, loaded before freezing
    import torch

    torch.set_num_threads(1)
    gc.collect()  # first free what is already garbage, so it is not frozen forever
    gc.freeze()
    _prepared = True
