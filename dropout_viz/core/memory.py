"""Keep freed tensor memory for the next step instead of handing it back to the OS.

A training step allocates the same tensors every time and frees them at its end.
glibc's malloc serves blocks over its mmap threshold (128 KiB at first, raised to
each freed block's size) with fresh pages and trims freed memory at the top of
the heap, so every step pays for page faults on its largest tensors, and a large
sweep runs markedly slower for it (``benchmarks/bench_sweep.py --glibc-defaults``).
With fixed thresholds those blocks come from the heap and stay there between steps.
The process then holds on to what one step needs; that is what it would allocate
again a moment later anyway.

Why ``mallopt`` through ctypes and not glibc's ``MALLOC_MMAP_THRESHOLD_`` and
``MALLOC_TRIM_THRESHOLD_``: those measure the same (``bench_core_choices.py``) but
only work if set before the process starts, and the app, the CLI, the tests and
the benchmarks each start differently; one call here covers them all.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

# mallopt parameters (glibc's malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD = 32 * 2**20  # glibc's own ceiling for its dynamic threshold
TRIM_THRESHOLD = 256 * 2**20  # free memory kept at the heap's top before trimming

_done = False


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def reuse_freed_memory() -> bool:
    """Fix glibc's thresholds once per process; True if they are set (glibc only)."""
    global _done
    if _done:
        return True
    libc = _libc()
    mallopt = getattr(libc, "mallopt", None)  # musl (Alpine) has no mallopt
    if mallopt is None:
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    _done = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
    return _done


def release_free_memory() -> bool:
    """Hand the heap's free pages back to the OS (every arena), e.g. once a class has
    left: the thresholds above keep them otherwise. True if glibc did it."""
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is None:
        return False
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    trim(0)
    return True
