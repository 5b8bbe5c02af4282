import threading

import pytest

from dropout_viz.state.shared_results import SharedResults


def test_computes_each_key_once_however_many_ask_at_once():
    results = SharedResults()
    calls = []
    started = threading.Event()
    release = threading.Event()

    def compute():
        calls.append(1)
        started.set()
        release.wait(timeout=10)  # hold the computation until every asker is waiting
        return {"answer": 42}

    answers = []
    threads = [
        threading.Thread(target=lambda: answers.append(results.get("k", compute))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    started.wait(timeout=10)
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    assert len(calls) == 1
    assert answers == [{"answer": 42}] * 8
    assert "k" in results


def test_bounded_oldest_first():
    results = SharedResults(max_results=2)
    for key in "abc":
        results.get(key, lambda key=key: key.upper())
    assert "a" not in results and "b" in results and "c" in results


def test_a_failed_computation_is_not_remembered():
    results = SharedResults()

    def fail():
        raise ValueError("bad settings")

    with pytest.raises(ValueError, match="bad settings"):
        results.get("k", fail)
    assert "k" not in results
    assert results.get("k", lambda: 1) == 1
