"""The sweep experiments, with plain PyTorch (the loop engine, nn.Dropout) as the oracle."""

import math
import statistics
from dataclasses import replace

import pytest
import torch.nn.functional as F

from dropout_viz.core import limits, sweep, sweep_engines
from dropout_viz.core.data import DataConfig, make_dataset
from dropout_viz.core.sweep import ModelSpec, SweepConfig
from dropout_viz.core.train_config import TrainConfig
from dropout_viz.core.training import Run

MOONS = DataConfig("moons", n_train=60, n_test=200, seed=0)
SMALL = SweepConfig(MOONS, TrainConfig(hidden=(16, 16), learning_rate=0.02), steps=150)


def by_key(records, *names):
    return {tuple(getattr(r, n) for n in names): r for r in records}


def test_p_sweep_records_and_summary_have_the_promised_fields():
    result = sweep.p_sweep(SMALL, drop_rates=[0.0, 0.5], seeds=[0, 1, 2])
    assert [(r.p, r.seed) for r in result.records] == [
        (p, s) for p in (0.0, 0.5) for s in (0, 1, 2)
    ]
    payload = result.to_dict()
    assert set(payload) == {"config", "results", "summary"}
    assert {"p", "seed", "n_train", "train_loss", "test_loss", "train_acc", "test_acc"} <= set(
        payload["results"][0]
    )
    want = {"p", "n_train", "test_loss_mean", "test_loss_std", "test_acc_mean", "test_acc_std"}
    assert want | {"gap_mean"} <= set(payload["summary"][0])
    rows = {row["p"]: row for row in result.summary}
    for p, row in rows.items():
        members = [r for r in result.records if r.p == p]
        assert row["seeds"] == 3
        assert row["test_loss_mean"] == pytest.approx(
            statistics.fmean(r.test_loss for r in members)
        )
        assert row["test_loss_std"] == pytest.approx(statistics.stdev(r.test_loss for r in members))
        assert row["gap_mean"] == pytest.approx(statistics.fmean(r.gap for r in members))
    # The lesson in one line: dropout narrows the gap between test and training loss.
    assert rows[0.5]["gap_mean"] < rows[0.0]["gap_mean"]


def test_a_run_does_not_depend_on_the_rest_of_its_sweep():
    alone = sweep.p_sweep(SMALL, drop_rates=[0.3], seeds=[2]).records[0]
    crowd = by_key(
        sweep.p_sweep(SMALL, drop_rates=[0.0, 0.3, 0.6], seeds=[1, 2]).records, "p", "seed"
    )
    assert crowd[0.3, 2].test_loss == pytest.approx(alone.test_loss, abs=1e-6)
    assert crowd[0.3, 2].train_loss == pytest.approx(alone.train_loss, abs=1e-6)


def test_without_dropout_both_engines_compute_the_same_run():
    """p = 0: nothing random is left (same initial weights, full batches), so the stack and
    nn.Sequential + torch.optim.Adam agree up to float32 rounding."""
    config = replace(SMALL, steps=100)
    batched = sweep.p_sweep(config, drop_rates=[0.0], seeds=[0, 1])
    loop = sweep.p_sweep(replace(config, engine="loop"), drop_rates=[0.0], seeds=[0, 1])
    for a, b in zip(batched.records, loop.records):
        assert a.test_loss == pytest.approx(b.test_loss, abs=1e-4)
        assert a.train_acc == b.train_acc


def test_engines_agree_statistically_with_dropout():
    """Same seeds give the same initial weights in both engines; only the masks differ
    (our generator vs nn.Dropout's). Over paired seeds, the mean difference of each
    metric must be within 4 standard errors of zero: a biased mask or scaling shows up
    as a systematic shift far larger than that."""
    config = SweepConfig(MOONS, TrainConfig(hidden=(16, 16), learning_rate=0.02), steps=200)
    seeds = range(10)
    batched = sweep.p_sweep(config, drop_rates=[0.5], seeds=seeds).records
    loop = sweep.p_sweep(replace(config, engine="loop"), drop_rates=[0.5], seeds=seeds).records
    for metric in ("train_loss", "test_loss", "test_acc"):
        diffs = [getattr(a, metric) - getattr(b, metric) for a, b in zip(batched, loop)]
        se = statistics.stdev(diffs) / math.sqrt(len(diffs))
        assert abs(statistics.fmean(diffs)) < 4 * se, metric
    # ...and dropout's effect is visible in both: the training loss rises above p = 0's.
    plain = sweep.p_sweep(config, drop_rates=[0.0], seeds=seeds).records
    for records in (batched, loop):
        assert statistics.fmean(r.train_loss for r in records) > statistics.fmean(
            r.train_loss for r in plain
        )


def test_size_sweep_trains_each_model_on_the_first_points_and_reports_the_gain():
    config = replace(SMALL, data=replace(MOONS, n_train=10))
    result = sweep.size_sweep(config, sizes=[80, 20, 40], drop_rate=0.5, seeds=[0, 1])
    assert result.config.data.n_train == 80  # the dataset is built at the largest size
    assert sorted({r.n_train for r in result.records}) == [20, 40, 80]
    assert {r.label for r in result.records} == {"no dropout", "dropout"}
    gains = result.tables["gain"]
    assert [row["n_train"] for row in gains] == [20, 40, 80]
    for row in gains:
        members = [r for r in result.records if r.n_train == row["n_train"]]
        without = statistics.fmean(1 - r.test_acc for r in members if r.p == 0)
        with_dropout = statistics.fmean(1 - r.test_acc for r in members if r.p > 0)
        assert row["gain"] == pytest.approx(without - with_dropout)
    assert "gain" in result.to_dict()
    # The 20-point model of a size sweep is the 20-point model trained alone.
    alone = sweep.p_sweep(replace(config, data=replace(MOONS, n_train=80)), [0.5], [1])
    small = sweep.train_models(
        replace(config, data=replace(MOONS, n_train=80)), [ModelSpec(0.5, 1, n_train=20)]
    )[0]
    grouped = by_key(result.records, "p", "seed", "n_train")
    assert grouped[0.5, 1, 20].test_loss == pytest.approx(small.test_loss, abs=1e-6)
    assert alone.records[0].n_train == 80


def test_size_sweep_with_the_loop_engine_uses_the_same_subsets():
    config = replace(SMALL, steps=50, engine="loop")
    result = sweep.size_sweep(config, sizes=[15, 60], drop_rate=0.0, seeds=[0])
    batched = sweep.size_sweep(replace(config, engine="batched"), [15, 60], 0.0, [0])
    for a, b in zip(result.records, batched.records):
        assert a.n_train == b.n_train
        assert a.train_loss == pytest.approx(b.train_loss, abs=1e-4)


def test_regularizer_comparison_has_four_arms():
    result = sweep.regularizer_comparison(SMALL, drop_rate=0.4, weight_decay=0.01, seeds=[0, 1])
    arms = {(r.label, r.p, r.weight_decay) for r in result.records}
    assert arms == {
        ("none", 0.0, 0.0),
        ("dropout", 0.4, 0.0),
        ("weight decay", 0.0, 0.01),
        ("both", 0.4, 0.01),
    }
    rows = {row["label"]: row for row in result.summary}
    assert rows["weight decay"]["test_loss_mean"] != rows["none"]["test_loss_mean"]
    # Per-model weight decay in one batched sweep equals a sweep that is all weight decay.
    alone = sweep.p_sweep(
        replace(SMALL, train=replace(SMALL.train, weight_decay=0.01)), [0.4], [1]
    ).records[0]
    both = by_key(result.records, "label", "seed")["both", 1]
    assert both.test_loss == pytest.approx(alone.test_loss, abs=1e-6)


def test_knockout_matches_silencing_the_unit_by_hand():
    """Zeroing a unit's outgoing weights must equal zeroing its activation, checked with a
    forward hook on the plain exported model."""
    data = make_dataset(MOONS)
    run = Run(data, SMALL.train, drop_rates=[0.0, 0.5], seeds=[0, 0])
    run.step(150)
    results = sweep.knockout(run.model, data)
    assert [loss.shape for loss, _ in results] == [(2, 16), (2, 16)]
    model = run.model.export(1).eval()

    def test_loss() -> float:
        logit = model(data.x_test)[:, 0]
        return F.binary_cross_entropy_with_logits(logit, data.y_test.float()).item()

    intact = test_loss()
    for layer, unit in [(0, 3), (1, 11)]:

        def silence(module, inputs, output, unit=unit):
            output = output.clone()
            output[:, unit] = 0
            return output

        handle = model.dropouts[layer].register_forward_hook(silence)
        silenced = test_loss()
        handle.remove()
        assert results[layer][0][1, unit].item() == pytest.approx(silenced - intact, abs=1e-5)


def test_coadaptation_probe_compares_both_arms_per_layer():
    result = sweep.coadaptation_probe(SMALL, drop_rate=0.5, seeds=[0, 1])
    rows = result.tables["knockout"]
    assert len(rows) == 2 * 2 * 2  # layers x arms x seeds
    assert {row["label"] for row in rows} == {"no dropout", "dropout"}
    for row in rows:
        assert row["units"] == 16 and len(row["acc_drop_per_unit"]) == 16
        assert row["worst_acc_drop"] >= row["acc_drop"]
    summary = result.tables["knockout_summary"]
    assert {(row["label"], row["layer"]) for row in summary} == {
        (label, layer) for label in ("no dropout", "dropout") for layer in (0, 1)
    }


def test_progress_reports_reach_the_total():
    seen = []
    sweep.p_sweep(SMALL, [0.0, 0.5], [0], progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (2 * 150, 2 * 150)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sweep.p_sweep(SMALL, drop_rates=[]), "at least one dropout rate"),
        (lambda: sweep.p_sweep(SMALL, seeds=[]), "at least one seed"),
        (lambda: sweep.p_sweep(SMALL, drop_rates=[0.2, 1.0]), "Dropout rate p must be between"),
        (lambda: sweep.p_sweep(SMALL, drop_rates=[-0.1]), "Dropout rate p must be between"),
        (lambda: sweep.size_sweep(SMALL, sizes=[]), "at least one training-set size"),
        (lambda: sweep.size_sweep(SMALL, sizes=[50, 5000]), "Training points must be between"),
        (
            lambda: sweep.size_sweep(replace(SMALL, data=DataConfig("digits")), sizes=[1500]),
            "digits has 1797 images",
        ),
        (
            lambda: sweep.train_models(SMALL, [ModelSpec(n_train=61)]),
            "larger than the dataset's 60",
        ),
        (
            lambda: sweep.p_sweep(SMALL, drop_rates=[0.1] * 30, seeds=range(20)),
            f"limit of {limits.MAX_SWEEP_MODELS}",
        ),
        (
            lambda: sweep.p_sweep(
                replace(SMALL, train=TrainConfig(hidden=(512, 512, 512, 512))),
                drop_rates=[0.1] * 25,
                seeds=range(20),
            ),
            "weights exceed the limit",
        ),
        (
            lambda: sweep.size_sweep(
                replace(SMALL, train=replace(SMALL.train, batch_size=8)), sizes=[20, 40]
            ),
            "use batch size 0",
        ),
        (lambda: sweep.train_models(SMALL, [ModelSpec(n_train=0)]), "at least 1"),
        (lambda: sweep.p_sweep(replace(SMALL, engine="gpu")), "engine must be one of"),
        (
            lambda: sweep.p_sweep(
                replace(SMALL, engine="loop", train=replace(SMALL.train, dropout_mode="classic"))
            ),
            "torch.nn.Dropout",
        ),
    ],
)
def test_bad_input_is_refused_before_training(call, message, monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(sweep_engines, "train_batched", no_training)
    monkeypatch.setattr(sweep_engines, "train_loop", no_training)
    with pytest.raises(ValueError, match=message):
        call()


def test_json_has_no_nan():
    record = sweep.Record("x", 0.1, 0, 10, 0.0, 5, "diverged", math.nan, math.inf, None, None)
    row = record.to_dict()
    assert row["train_loss"] is None and row["test_loss"] is None and row["gap"] is None
