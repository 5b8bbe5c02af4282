"""The best-p grids: p × training-set size in one batched run, p × width one run per width."""

import statistics
from itertools import pairwise

import pytest

from dropout_viz.core import best_p, sweep
from dropout_viz.core.data import DEFAULT_NOISE, DataConfig
from dropout_viz.core.training import TrainConfig

TINY = sweep.SweepConfig(
    DataConfig("moons", n_train=40, n_test=80), TrainConfig(hidden=(8, 8)), steps=60
)


def test_size_grid_has_every_cell_and_each_rows_lowest_mean():
    result = best_p.p_by_size(TINY, drop_rates=[0.0, 0.3, 0.6], sizes=[40, 10], seeds=[0, 1])
    assert len(result.records) == 3 * 2 * 2
    assert {r.n_train for r in result.records} == {10, 40}
    grid = result.tables["grid"]
    assert {(c["n_train"], c["p"]) for c in grid} == {
        (n, p) for n in (10, 40) for p in (0, 0.3, 0.6)
    }
    for cell in grid:
        members = [r for r in result.records if (r.n_train, r.p) == (cell["n_train"], cell["p"])]
        assert cell["test_loss_mean"] == pytest.approx(
            statistics.fmean(r.test_loss for r in members)
        )
        assert cell["seeds"] == 2
    for row in result.tables["best_p"]:
        cells = [c for c in grid if c["n_train"] == row["n_train"]]
        assert row["lowest_test_loss"] == min(c["test_loss_mean"] for c in cells)
        assert row["lowest_p"] == min(cells, key=lambda c: c["test_loss_mean"])["p"]
        assert row["best_p"] <= row["lowest_p"]
        assert row["test_loss_without_dropout"] == next(
            c["test_loss_mean"] for c in cells if c["p"] == 0
        )
    assert [row["n_train"] for row in result.tables["best_p"]] == [10, 40]


def test_best_p_is_the_least_dropout_within_one_standard_error_of_the_lowest():
    def cell(p, loss, std=0.02):
        return {"n_train": 100, "p": p, "test_loss_mean": loss, "test_loss_std": std, "seeds": 4}

    # Lowest at p = 0.8, but 0.5 is within one s.e. (0.02 / √4 = 0.01) of it: a flat bottom.
    row = [cell(0.0, 0.9), cell(0.3, 0.48), cell(0.5, 0.465), cell(0.8, 0.457)]
    (best,) = best_p.best_p(row, "n_train")
    assert (best["lowest_p"], best["best_p"]) == (0.8, 0.5)
    assert best["lowest_test_loss_se"] == pytest.approx(0.01)
    # One seed has no spread: the rule is the plain minimum.
    one_seed = [c | {"seeds": 1, "test_loss_std": 0.0} for c in row]
    assert best_p.best_p(one_seed, "n_train")[0]["best_p"] == 0.8


def test_a_cell_is_the_same_run_as_in_the_size_sweep():
    grid = best_p.p_by_size(TINY, drop_rates=[0.5], sizes=[20, 40], seeds=[3])
    alone = sweep.size_sweep(TINY, sizes=[20, 40], drop_rate=0.5, seeds=[3])
    mine = {r.n_train: r.test_loss for r in grid.records}
    theirs = {r.n_train: r.test_loss for r in alone.records if r.p == 0.5}
    assert mine == pytest.approx(theirs, abs=1e-6)


def test_width_grid_trains_each_width_and_reports_progress():
    calls = []
    result = best_p.p_by_width(
        TINY,
        drop_rates=[0.0, 0.5],
        widths=[4, 16],
        seeds=[0],
        progress=lambda done, total: calls.append((done, total)),
    )
    assert [c["width"] for c in result.tables["best_p"]] == [4, 16]
    assert {r.label for r in result.records} == {"width=4", "width=16"}
    assert calls[-1] == (2 * 2 * TINY.steps, 2 * 2 * TINY.steps)
    assert all(b[0] >= a[0] for a, b in pairwise(calls))  # never goes back
    assert "grid" in result.to_dict() and "best_p" in result.to_dict()


def test_bad_grids_are_refused():
    with pytest.raises(ValueError, match="at least one"):
        best_p.p_by_size(TINY, sizes=[])
    with pytest.raises(ValueError, match="Hidden width"):
        best_p.p_by_width(TINY, widths=[0])


@pytest.mark.slow
def test_on_the_default_2d_set_the_best_p_falls_as_data_grows():
    """The lab's default network and steps on the default moons (noise and all), three
    sizes a factor 4 apart, every grid rate, the lab's 3 seeds. Tolerance: a row's best p
    may exceed the previous row's by one grid step (0.1), since a flat bottom can swap
    neighbouring rates; over the whole ladder it must fall by at least 0.3 (it fell
    0.8 → 0.5 → 0.3 when this was written)."""
    config = sweep.SweepConfig(
        DataConfig("moons", n_test=500, noise=DEFAULT_NOISE["moons"]),
        TrainConfig(hidden=(32, 32), activation="tanh"),
        steps=1000,  # the lab's grid caps its steps here
    )
    result = best_p.p_by_size(config, sizes=(25, 100, 400), seeds=range(3))
    ladder = [row["best_p"] for row in result.tables["best_p"]]
    assert all(b <= a + 0.1 + 1e-9 for a, b in pairwise(ladder)), ladder
    assert ladder[0] - ladder[-1] >= 0.3 - 1e-9, ladder
