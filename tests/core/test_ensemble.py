"""The ensemble of thinned sub-networks, with plain PyTorch as the oracle."""

import copy
import math

import pytest
import torch
from torch import nn

from dropout_viz.core import ensemble as ens
from dropout_viz.core.data import DataConfig, make_dataset
from dropout_viz.core.inference import train_dropout_network
from dropout_viz.core.models import MLP
from dropout_viz.core.rng import generator, seeded
from dropout_viz.core.training import TrainConfig, Twin

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def make_mlp(hidden=(16, 12), p=0.4, input_p=0.0, activation="tanh", mode="inverted", seed=0):
    with seeded(seed):
        model = MLP(
            3,
            hidden,
            1,
            drop_rates=p,
            input_drop_rate=input_p,
            activation=activation,
            dropout_mode=mode,
        )
    return model.double()


def oracle_thinned(model: MLP, masks: list[torch.Tensor], k: int) -> nn.Sequential:
    """Sub-network k as a plain nn.Sequential without any Dropout: each dropped unit's
    outgoing weights zeroed, each kept unit's scaled by 1/(1-p) (inverted) or left (else)."""
    linears = [copy.deepcopy(linear) for linear in model.linears]
    with torch.no_grad():
        for linear, mask, dropout in zip(linears, masks, model.dropout_layers()):
            p = float(dropout.p)
            scale = 1 / (1 - p) if dropout.mode == "inverted" and p > 0 else 1.0
            linear.weight.mul_(mask[k].double() * scale)  # (out, in): column j = unit j's weights
    layers = []
    for linear in linears[:-1]:
        layers += [linear, ACTIVATIONS[model.activation]()]
    return nn.Sequential(*layers, linears[-1]).double().eval()


@pytest.mark.parametrize(
    ("activation", "input_p", "mode"),
    [("tanh", 0.0, "inverted"), ("relu", 0.25, "inverted"), ("sigmoid", 0.0, "classic")],
)
def test_each_sub_network_is_the_network_with_those_units_zeroed(activation, input_p, mode):
    model = make_mlp(activation=activation, input_p=input_p, mode=mode)
    x = torch.randn(40, 3, dtype=torch.float64, generator=generator(1))
    masks = ens.draw_keep_masks(model, 120, generator(2))  # > CHUNK: crosses a chunk edge
    ours = ens.thinned_outputs(model, x, masks)
    assert ours.shape == (120, 40)
    for k in (0, 1, 49, 50, 51, 119):
        with torch.no_grad():
            expected = oracle_thinned(model, masks, k)(x)[:, 0]
        torch.testing.assert_close(ours[k], expected, rtol=0, atol=1e-12)


def test_masks_keep_one_minus_p_of_the_units_and_repeat_with_the_seed():
    model = make_mlp(hidden=(64, 64), p=0.3, input_p=0.0)
    masks = ens.draw_keep_masks(model, 500, generator(3))
    assert [m.shape for m in masks] == [(500, 3), (500, 64), (500, 64)]
    assert bool(masks[0].all())  # p = 0 on the inputs: every input kept
    n = masks[1].numel()
    # The kept share is a mean of n Bernoulli(0.7) draws: 4 sigma is sqrt(0.21 / n) * 4.
    assert abs(masks[1].double().mean() - 0.7) < 4 * math.sqrt(0.21 / n)
    again = ens.draw_keep_masks(model, 500, generator(3))
    assert all(torch.equal(a, b) for a, b in zip(masks, again))


def test_the_average_converges_to_eval_mode_when_a_linear_layer_follows_the_dropout():
    """One hidden layer: output = b + sum_j w_j h_j m_j / (1-p), so E[output] is the eval
    output exactly and Var = p/(1-p) sum_j (w_j h_j)^2. Over T = 20 000 sub-networks the
    mean must lie within 4.5 sigma/sqrt(T) of the eval output at each of the 50 inputs
    (a false failure somewhere has chance < 1e-3)."""
    p, count = 0.5, 20_000
    model = make_mlp(hidden=(32,), p=p, activation="relu")
    x = torch.randn(50, 3, dtype=torch.float64, generator=generator(4))
    outputs = torch.cat(
        [
            ens.thinned_outputs(model, x, ens.draw_keep_masks(model, 500, generator(6 + i)))
            for i in range(count // 500)
        ]
    )
    eval_output = ens.eval_outputs(model, x)
    with torch.no_grad():
        h = torch.relu(model.linears[0](x))  # (50, 32)
    sigma = math.sqrt(p / (1 - p)) * (h * model.linears[1].weight[0]).pow(2).sum(1).sqrt()
    assert bool(((outputs.mean(0) - eval_output).abs() <= 4.5 * sigma / math.sqrt(count)).all())
    # The sample spread agrees with the formula too (20 000 samples: std within 3 %).
    torch.testing.assert_close(outputs.std(0), sigma, rtol=0.03, atol=1e-9)


def test_convergence_splits_the_distance_into_noise_and_what_remains():
    model = make_mlp(hidden=(32,), p=0.5, activation="relu")
    x = torch.randn(200, 3, dtype=torch.float64, generator=generator(7))
    masks = ens.draw_keep_masks(model, 500, generator(8))
    linear_after = ens.predict_ensemble(model, x, masks, "regression")
    curve = ens.convergence(linear_after)
    assert curve.counts.tolist() == list(range(1, 501))
    assert curve.distance_of_outputs is None  # regression: the outputs are the predictions
    # Exact in expectation: what remains is small next to one sub-network's noise.
    assert curve.floor < 0.1 * float(curve.noise[0])
    assert curve.at(500) < 3 * float(curve.noise[-1])
    torch.testing.assert_close(curve.noise * curve.counts.sqrt(), curve.noise[:1].expand(500))

    classifier = ens.predict_ensemble(model, x, masks, "classification")
    curve = ens.convergence(classifier)
    averaged = torch.sigmoid(classifier.outputs.double().cumsum(0)[-1] / 500)
    expected = (averaged - classifier.eval_prediction).pow(2).mean().sqrt()
    assert float(curve.distance_of_outputs[-1]) == pytest.approx(float(expected))


def test_average_and_select():
    model = make_mlp()
    x = torch.randn(10, 3, dtype=torch.float64)
    ensemble = ens.predict_ensemble(
        model, x, ens.draw_keep_masks(model, 20, generator(0)), "classification"
    )
    torch.testing.assert_close(ensemble.average(5), torch.sigmoid(ensemble.outputs[:5]).mean(0))
    part = ensemble.select(slice(2, 4))
    torch.testing.assert_close(part.outputs, ensemble.outputs[:, 2:4])
    torch.testing.assert_close(part.eval_prediction, torch.sigmoid(ensemble.eval_output[2:4]))
    with pytest.raises(ValueError, match="Sub-networks averaged"):
        ensemble.average(0)


def test_matched_from_is_where_the_average_stays_as_good():
    score = ens.TestScore("test error", torch.tensor([0.3, 0.1, 0.3, 0.2, 0.2, 0.1]), 0.2)
    assert score.matched_from == 4  # N = 3 is the last one worse than 0.2
    assert ens.TestScore("test error", torch.tensor([0.1, 0.2]), 0.2).matched_from == 1
    assert ens.TestScore("test error", torch.tensor([0.1, 0.3]), 0.2).matched_from is None


def test_test_scores_against_plain_formulas():
    model = make_mlp()
    x = torch.randn(30, 3, dtype=torch.float64, generator=generator(1))
    labels = (x[:, 0] > 0).long()
    ensemble = ens.predict_ensemble(
        model, x, ens.draw_keep_masks(model, 40, generator(2)), "classification"
    )
    error = ens.test_score(ensemble, labels)
    average_10 = ensemble.predictions[:10].mean(0)
    assert float(error.of_average[9]) == pytest.approx(
        float(((average_10 > 0.5) != labels.bool()).double().mean())
    )
    loss = ens.test_score(ensemble, labels, "test loss")
    expected = nn.functional.binary_cross_entropy(ensemble.eval_prediction, labels.double())
    assert loss.of_eval == pytest.approx(float(expected))
    with pytest.raises(ValueError, match="No 'test MSE'"):
        ens.test_score(ensemble, labels, "test MSE")


def test_a_network_without_dropout_has_no_ensemble():
    with pytest.raises(ValueError, match="no dropout"):
        ens.draw_keep_masks(make_mlp(p=0.0), 10, generator(0))


def test_the_default_network_is_the_playground_dropout_twin():
    """Trained alone, the dropout model is the twin's dropout model: same initial weights,
    masks and steps (up to float rounding of the batched products)."""
    data = make_dataset(DataConfig("moons", 40, 50, 0.3, 0))
    config = TrainConfig(hidden=(16, 16), drop_rate=0.5)
    alone = train_dropout_network(data, config, 200)
    twin = Twin(data, config)
    twin.step(200)
    for ours, theirs in zip(alone.parameters(), twin.model.export(Twin.DROPOUT).parameters()):
        torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-4)
    seen = []
    train_dropout_network(data, config, 40, on_progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_a_wide_network_runs_fewer_sub_networks():
    from dropout_viz.core import inference, limits

    data = make_dataset(DataConfig("moons", 40, 50, 0.3, 0))
    default = inference.train_dropout_network(data, TrainConfig(hidden=(32, 32)), 1)
    wide = inference.train_dropout_network(data, TrainConfig(hidden=(512, 512, 512)), 1)
    points = limits.BOUNDARY_GRID**2 + 240 + 60  # the Inference page's default map and data
    assert inference.affordable(default, points, 500) == 500
    assert inference.affordable(wide, points, 500) == limits.SUB_NETWORKS_DRAWN.high
    run = inference.run_ensemble(wide, data, 500, mask_seed=0)
    assert run.view.count == inference.affordable(wide, 1600 + 50 + 40, 500) < 500
