"""Monte-Carlo dropout on the sine with a gap."""

import math
from dataclasses import replace

import pytest
import torch

from dropout_viz.core import mc_dropout as mc
from dropout_viz.core.dropout import Dropout
from dropout_viz.core.rng import generator


def test_no_training_point_in_the_gap():
    data = mc.sine_with_gap(mc.MCConfig())
    x = data.x_train[:, 0]
    assert not bool(((x > mc.GAP[0]) & (x < mc.GAP[1])).any())
    assert bool(((x >= -math.pi) & (x <= math.pi)).all())
    assert 50 < len(x) < 100  # the gap took its share of the 100 points
    again = mc.sine_with_gap(mc.MCConfig())
    assert torch.equal(data.y_train, again.y_train)


def test_sub_network_dropout_trains_like_dropout():
    x = torch.randn(32, 16)
    ours = mc.SubNetworkDropout(0.3, generator=generator(5))
    plain = Dropout(0.3, generator=generator(5))
    assert torch.equal(ours(x), plain(x))  # (batch, units): one mask per example


def test_sub_network_dropout_draws_one_mask_per_pass_for_every_point():
    layer = mc.SubNetworkDropout(0.5, generator=generator(0))
    x = torch.ones(6, 40, 16)  # (passes, points, units)
    out = layer(x)
    for p in range(6):
        assert bool((out[p] == out[p, :1]).all())  # every point: the same sub-network
    assert not torch.equal(out[0], out[1])
    assert set(out.unique().tolist()) == {0.0, 2.0}  # kept units × 1/(1−p)


@pytest.fixture(scope="module")
def trained():
    config = mc.MCConfig()
    data = mc.sine_with_gap(config)
    return data, mc.train_regressor(data, config)


def test_training_fits_the_points(trained):
    data, model = trained
    model.eval()
    with torch.no_grad():
        mse = torch.nn.functional.mse_loss(model(data.x_train), data.y_train).item()
    assert mse < 0.05  # the noise alone is 0.1² = 0.01


def test_mc_predict_keeps_dropout_on_then_switches_it_off(trained):
    _, model = trained
    x = torch.linspace(-3, 3, 50).reshape(-1, 1)
    prediction = mc.mc_predict(model, x, 30, generator(1))
    assert prediction.samples.shape == (30, 50)
    assert prediction.samples.std(0).min() > 0  # the passes differ everywhere
    assert not any(d.mc for d in model.dropout_layers())
    model.eval()
    with torch.no_grad():
        assert torch.equal(prediction.eval_prediction, model(x)[:, 0])
    again = mc.mc_predict(model, x, 30, generator(1))
    assert torch.equal(prediction.samples, again.samples)  # same generator, same passes


def test_band_is_wider_in_the_gap_than_where_the_data_is():
    """Measured gap/data width ratios of 1.5-2.1 over p = 0.05-0.5 and seeds 0-3; require
    1.3 for the default p at seeds 0-2. T = 200 passes keep the std's noise near 5%."""
    x = torch.linspace(-math.pi, math.pi, 240).reshape(-1, 1)
    for seed in range(3):
        config = replace(mc.MCConfig(), seed=seed)
        data = mc.sine_with_gap(config)
        model = mc.train_regressor(data, config)
        prediction = mc.mc_predict(model, x, 200, generator(seed + 2))
        where = mc.regions(prediction.x, data)
        assert prediction.band_width(where["gap"]) > 1.3 * prediction.band_width(where["data"])


def test_progress_and_validation():
    seen = []
    config = replace(mc.MCConfig(), steps=40)
    mc.train_regressor(mc.sine_with_gap(config), config, on_progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0
    with pytest.raises(ValueError, match="p > 0"):
        replace(mc.MCConfig(), drop_rate=0.0).validate()
    with pytest.raises(ValueError, match="Dropout rate p"):
        replace(mc.MCConfig(), drop_rate=1.5).validate()
    with pytest.raises(ValueError, match="at least 2 passes"):
        mc.mc_predict(mc.make_model(mc.MCConfig()), torch.zeros(3, 1), 1, generator(0))


def test_convergence_at_one_input_follows_the_passes(trained):
    _, model = trained
    x = torch.linspace(-3, 3, 20).reshape(-1, 1)
    prediction = mc.mc_predict(model, x, 400, generator(3))
    point = mc.convergence_at(prediction, 5)
    samples = prediction.samples[:, 5].double()
    torch.testing.assert_close(point.running_mean[-1], samples.mean())
    torch.testing.assert_close(point.running_mean[9], samples[:10].mean())
    assert point.eval_value == pytest.approx(float(prediction.eval_prediction[5]))
    assert float(point.band()[99]) == pytest.approx(2 * float(samples.std()) / 10)
    assert point.distance == pytest.approx(abs(float(samples.mean()) - point.eval_value))


def test_mc_mean_meets_eval_mode_where_the_data_is(trained):
    """Where the training points are (x = 2), the mean of 1000 passes lies within 4 sigma/sqrt(T)
    of the eval-mode output (measured: 0.7-1.8 sigma/sqrt(T) at seeds 0-2). In the gap it was
    2.2-4.5 times the 2 sigma/sqrt(T) band off: there weight scaling is only an approximation
    (shown on the page, not asserted)."""
    _, model = trained
    x = torch.tensor([[2.0], [0.0]])
    prediction = mc.mc_predict(model, x, 1000, generator(2))
    data_point = mc.convergence_at(prediction, 0)
    assert data_point.distance < 2 * float(data_point.band()[-1])  # band = 2 sigma/sqrt(T)
