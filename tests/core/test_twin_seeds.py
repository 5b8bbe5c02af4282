"""Many seeds' twins as one stack: each seed is the Playground's own run; the default
scene's claim over ten seeds."""

import math
import statistics
from dataclasses import replace

import pytest
import torch

from dropout_viz.core.boundary import boundary_length
from dropout_viz.core.data import DataConfig
from dropout_viz.core.training import TrainConfig
from dropout_viz.core.twin_seeds import SeedTwins
from dropout_viz.state.twin_session import PlaygroundSettings, TwinSession

PLAY_STEPS = 6000  # ~10 s of Play: 30 steps per screen update, 20 updates per second


def test_each_seed_trains_exactly_the_playgrounds_twin():
    settings = PlaygroundSettings()
    twins = SeedTwins(settings.data_config(), settings.train_config(), seeds=[0, 3])
    twins.advance(200)
    result = twins.measure()
    for i, seed in enumerate((0, 3)):
        session = TwinSession(replace(settings, seed=seed))
        session.step(200)
        mine = twins.model.layers()
        for (weight, bias), (their_weight, their_bias) in zip(mine, session.twin.model.layers()):
            assert torch.equal(weight[2 * i : 2 * i + 2], their_weight)  # bit for bit
            assert torch.equal(bias[2 * i : 2 * i + 2], their_bias)
        twin = result.twins[i]
        no_dropout, dropout = session.twin.evaluate()
        assert twin.no_dropout.test_acc == no_dropout["test_acc"]
        assert twin.dropout.test_loss == dropout["test_loss"]
        shown = boundary_length(session.twin.predict(session.view_inputs).numpy(), session.extent)
        assert [twin.no_dropout.boundary, twin.dropout.boundary] == pytest.approx(shown)


def test_several_rates_share_each_seeds_baseline():
    data = DataConfig("circles", n_train=30, n_test=60, noise=0.15)
    twins = SeedTwins(data, TrainConfig(hidden=(8,)), seeds=[1, 2], drop_rates=[0.2, 0.6])
    twins.advance(20)
    result = twins.measure()
    assert [(t.seed, t.drop_rate) for t in result.twins] == [(1, 0.2), (1, 0.6), (2, 0.2), (2, 0.6)]
    assert result.twins[0].no_dropout == result.twins[1].no_dropout
    assert result.twins[0].dropout != result.twins[1].dropout


def test_mini_batches_are_refused():
    with pytest.raises(ValueError, match="full batches"):
        SeedTwins(DataConfig(), TrainConfig(batch_size=8), seeds=[0])


@pytest.mark.slow
def test_the_default_scene_shows_the_lesson_in_ten_seeds():
    """After ~10 s of Play on the Playground's defaults, seeds 0–9 (each bit for bit the
    run a teacher gets with that seed), the issue's bar: dropout ≥ 2 points more test
    accuracy in ≥ 8 of 10 seeds and ≥ 4 points on average, a smaller gap in ≥ 9 of 10,
    and a no-dropout boundary ≥ 20 % longer in ≥ 8 of 10.

    The seeds are fixed, so the test is deterministic. What it says about seeds not
    tried: 8 wins of 10 put a seed's chance of a win above 0.49 at 95 % confidence
    (Clopper–Pearson); this scene wins in all 10, which puts it above 0.74. The mean
    gain must also stay ≥ 4 points at the one-sided 95 % lower bound of a t interval
    over the ten seeds, not just on average.
    """
    settings = PlaygroundSettings()
    twins = SeedTwins(settings.data_config(), settings.train_config(), seeds=range(10))
    twins.advance(PLAY_STEPS)
    result = twins.measure()
    tally = result.tally(accuracy_margin=0.02, boundary_margin=1.2)
    gains = [t.accuracy_gain for t in result.twins]
    assert tally["accuracy_wins"] >= 8, gains
    assert tally["mean_accuracy_gain"] >= 0.04, gains
    lower = statistics.fmean(gains) - 1.833 * statistics.stdev(gains) / math.sqrt(10)  # t(9)
    assert lower >= 0.04, gains
    assert tally["smaller_gap"] >= 9
    assert tally["longer_boundary"] >= 8, [t.boundary_ratio for t in result.twins]
