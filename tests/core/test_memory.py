"""The malloc setting the app and the CLI apply at start."""

import sys

import pytest

from dropout_viz.core import memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux-only")
def test_glibc_takes_the_thresholds_and_a_second_call_is_free(monkeypatch):
    monkeypatch.setattr(memory, "_done", False)
    assert memory.reuse_freed_memory() is True  # mallopt said yes to both
    assert memory.reuse_freed_memory() is True


def test_elsewhere_it_does_nothing(monkeypatch):
    monkeypatch.setattr(memory, "_done", False)
    monkeypatch.setattr(memory.sys, "platform", "darwin")
    assert memory.reuse_freed_memory() is False
