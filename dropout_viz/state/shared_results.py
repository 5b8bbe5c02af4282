"""Read-only experiment results shared by every browser session of this server.

When a teacher says "press Run" to a class, thirty sessions ask for the same sweep
at once. Training it thirty times would take the server minutes; here the first
request trains it (with its progress bar) and the others wait for that result. Only
finished, read-only results are shared: nothing a session trains step by step (models,
optimizers, histories) ever lives here — that stays in ``st.session_state``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

MAX_RESULTS = 48  # a few hundred KB each at most


class SharedResults:
    """A bounded, thread-safe memo: compute each key once, however many ask at once."""

    def __init__(self, max_results: int = MAX_RESULTS) -> None:
        self._results: OrderedDict[Hashable, Any] = OrderedDict()
        self._key_locks: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self.max_results = max_results

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._results

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The result for key, computing it once; concurrent callers wait for that result."""
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:  # one computation per key; the others block here, then find it
            with self._lock:
                if key in self._results:
                    return self._results[key]
            result = compute()
            with self._lock:
                self._results[key] = result
                while len(self._results) > self.max_results:
                    self._results.popitem(last=False)
                self._key_locks.pop(key, None)
            return result


SWEEPS = SharedResults()
