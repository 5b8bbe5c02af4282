"""Seeded randomness that is safe when many users train in one server process.

Streamlit runs every browser session in its own thread, and they all share
torch's global generator. Anything that must use the global generator (layer
initialisation does) goes through ``seeded``: a lock, a private copy of the
global state, and the state put back afterwards. Everything else draws from
its own ``torch.Generator``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch

_GLOBAL_RNG_LOCK = threading.RLock()


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Run the block with torch's global generator seeded, without leaking that state."""
    with _GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def generator(seed: int) -> torch.Generator:
    """A private CPU generator, so a run's draws never depend on other runs."""
    return torch.Generator().manual_seed(seed)


# Seeds are below 2**31 (limits.SEED), so seed + 2**32 is never another model's weight seed.
MASK_STREAM = 2**32


def mask_generator(seed: int) -> torch.Generator:
    """The dropout masks of the model with this seed: a stream apart from its initial weights."""
    return generator(seed + MASK_STREAM)
