import math
from dataclasses import replace

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dropout_viz.core.data import DataConfig, make_dataset
from dropout_viz.core.losses import loss_grad, loss_per_model
from dropout_viz.core.speedups import (
    SIMD_BLOCK,
    StackedDropout,
    narrow_output,
    narrow_output_backward,
    per_model_empty,
)
from dropout_viz.core.stacked import StackedMLP
from dropout_viz.core.train_config import TrainConfig
from dropout_viz.core.training import Run


def test_each_model_initialised_from_its_own_seed_only():
    pair = StackedMLP([5, 6], 2, (8, 4), 1)
    alone = StackedMLP([6], 2, (8, 4), 1)
    for (w2, b2), (w1, b1) in zip(pair.layers(), alone.layers()):
        assert torch.equal(w2[1], w1[0]) and torch.equal(b2[1], b1[0])
        assert not torch.equal(w2[0], w2[1])


def test_exported_model_computes_the_same_as_its_slice():
    stack = StackedMLP([1, 2, 3], 3, (7, 5), 2, activation="sigmoid").eval()
    x = torch.randn(10, 3)
    out = stack(x)
    for k in range(3):
        assert torch.allclose(stack.export(k).eval()(x), out[k], atol=1e-6)


def test_fast_masks_keep_the_right_fraction_and_leave_p0_untouched():
    p = torch.tensor([0.0, 0.3, 0.8, 1.0]).view(4, 1, 1)
    d = StackedDropout(p, generator=torch.Generator().manual_seed(0))
    x = torch.ones(4, 500, 100)
    out = d(x)
    assert torch.equal(out[0], x[0])
    assert (out[3] == 0).all()
    n = 500 * 100
    for k, rate in [(1, 0.3), (2, 0.8)]:
        kept = d.last_keep_mask[k].float().mean().item()
        assert abs(kept - (1 - rate)) < 4 * math.sqrt(rate * (1 - rate) / n)  # 4 sigma
        assert torch.allclose(out[k][out[k] != 0], torch.tensor(1 / (1 - rate)))
    # Every unit is equally likely to drop: no position is biased by the bit trick.
    column_rate = (~d.last_keep_mask[1]).float().mean(0)
    assert (column_rate - 0.3).abs().max() < 5 * math.sqrt(0.21 / 500)


def test_per_model_rates_change_in_place():
    stack = StackedMLP([0, 0], 2, (4, 4), 1, drop_rates=[0.1, [0.2, 0.3]])
    assert torch.allclose(stack.drop_rates, torch.tensor([[0.1, 0.1], [0.2, 0.3]]))
    before = stack.flat.detach().clone()
    stack.set_drop_rates([0.5, 0.0])
    assert torch.allclose(stack.drop_rates, torch.tensor([[0.5, 0.5], [0.0, 0.0]]))
    assert torch.equal(stack.flat, before)


# --- per-model random streams -----------------------------------------------------------
def train_mode_masks(stack: StackedMLP, x: torch.Tensor, passes: int = 3) -> list[torch.Tensor]:
    """Every dropout layer's keep masks over a few training-mode passes, (K, batch, width)."""
    masks = []
    for _ in range(passes):
        stack(x)
        masks += [d.last_keep_mask for d in stack.dropout_layers()]
    return masks


def test_a_models_masks_do_not_depend_on_the_other_models_in_the_stack():
    x = torch.randn(30, 2)
    alone = StackedMLP([2], 2, (8, 8), 1, drop_rates=[0.3], input_drop_rates=[0.2])
    crowd = StackedMLP(
        [0, 2, 7],
        2,
        (8, 8),
        1,
        drop_rates=[0.5, 0.3, [0.0, 0.9]],
        input_drop_rates=[0.0, 0.2, 0.4],
    )
    for mine, shared in zip(train_mode_masks(alone, x), train_mode_masks(crowd, x)):
        assert torch.equal(mine[0], shared[1])
    # Same seed, different rate: the same uniform draws, so p = 0.5 drops a superset.
    twin = StackedMLP([2, 2], 2, (8, 8), 1, drop_rates=[0.3, 0.5], input_drop_rates=[0.2, 0.2])
    for layer in train_mode_masks(twin, x):
        assert not (layer[1] & ~layer[0]).any()


def test_per_model_masks_keep_each_models_fraction():
    rates = [0.1, 0.3, 0.5, 0.8]
    stack = StackedMLP(range(4), 2, (100,), 1, drop_rates=rates)
    stack(torch.randn(500, 2))
    kept = stack.dropouts[0].last_keep_mask.float().mean((1, 2))
    n = 500 * 100
    for k, p in enumerate(rates):
        assert abs(kept[k] - (1 - p)) < 4 * math.sqrt(p * (1 - p) / n)  # 4 sigma
    others = [stack.dropouts[0].last_keep_mask[k] for k in range(4)]
    # Independent streams: masks of different seeds agree only as often as chance says.
    agree = (others[1] == others[2]).float().mean()
    expected = 0.7 * 0.5 + 0.3 * 0.5
    assert abs(agree - expected) < 4 * math.sqrt(expected * (1 - expected) / n)


def test_example_rows_draw_masks_only_for_a_models_own_rows():
    x = torch.randn(40, 2)
    alone = StackedMLP([5], 2, (6,), 1, drop_rates=[0.5])
    padded = StackedMLP([5, 9], 2, (6,), 1, drop_rates=[0.5, 0.5])
    for _ in range(3):
        alone(x[:10])
        padded(x, example_rows=[10, 40])
        assert torch.equal(
            alone.dropouts[0].last_keep_mask[0], padded.dropouts[0].last_keep_mask[0, :10]
        )


def test_one_shared_generator_is_still_possible():
    stack = StackedMLP([1, 1], 2, (16,), 1, drop_rates=[0.5, 0.5])
    stack.set_generator(torch.Generator().manual_seed(3))
    stack(torch.randn(20, 2))
    mask = stack.dropouts[0].last_keep_mask
    assert not torch.equal(mask[0], mask[1])  # one stream shared: the two models differ


# --- the narrow output layer, against plain torch -------------------------------------
@pytest.mark.parametrize("out_features", [1, 3])
def test_narrow_output_and_its_gradients_equal_baddbmms(out_features):
    x = torch.randn(4, 7, 6, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(4, 6, out_features, dtype=torch.float64, requires_grad=True)
    bias = torch.randn(4, 1, out_features, dtype=torch.float64, requires_grad=True)
    out = torch.baddbmm(bias, x, weight)
    grad = torch.randn_like(out)
    out.backward(grad)
    torch.testing.assert_close(narrow_output(x, weight, bias), out)
    grad_weight, grad_x = narrow_output_backward(grad, x.detach(), weight.detach())
    torch.testing.assert_close(grad_weight, weight.grad)
    torch.testing.assert_close(grad_x, x.grad)


# --- the stack against K separate nn.Modules, the oracle --------------------------------
class GivenMask(nn.Module):
    """Inverted dropout with a mask handed in from outside (the stack's, for this step)."""

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p, self.keep_mask = p, None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * (self.keep_mask.to(x.dtype) / (1 - self.p))  # ATen's noise, ATen's product


def separate_modules(run: Run, k: int) -> nn.Sequential:
    """Model k of the run as a plain nn.Sequential with the same initial weights."""
    sizes, rates = run.model.sizes, run.model.drop_rates[k].tolist()
    layers = []
    for i, (weight, bias) in enumerate(run.model.layers()):
        linear = nn.Linear(sizes[i], sizes[i + 1], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(weight[k].T)
            linear.bias.copy_(bias[k, 0])
        layers.append(linear)
        if i < len(sizes) - 2:
            layers += [nn.Tanh(), GivenMask(rates[i])]
    return nn.Sequential(*layers)


@pytest.mark.parametrize("varied", ["drop_rate", "n_train"])
def test_stack_equals_separate_modules_after_200_adam_steps_in_float64(varied):
    data = make_dataset(DataConfig("moons", n_train=40, n_test=20, seed=1))
    data = replace(
        data,
        **{name: getattr(data, name).double() for name in ("x_train", "x_test")},
    )
    rates = [0.0, 0.2, [0.5, 0.1], 0.7] if varied == "drop_rate" else [0.3] * 4
    sizes = [40, 40, 40, 40] if varied == "drop_rate" else [5, 12, 40, 27]
    example_mask = torch.arange(40) < torch.tensor(sizes)[:, None]
    config = TrainConfig(hidden=(8, 6), learning_rate=0.02, weight_decay=1e-3, eval_every=50)
    run = Run(
        data,
        config,
        drop_rates=rates,
        seeds=[3, 4, 5, 6],
        example_mask=None if varied == "drop_rate" else example_mask,
    )
    assert run.model.flat.dtype == torch.float64
    modules = [separate_modules(run, k) for k in range(4)]
    optimizers = [torch.optim.Adam(m.parameters(), lr=0.02, weight_decay=1e-3) for m in modules]
    y = data.y_train.double()
    for _ in range(200):
        run.step(1)
        masks = run.last_step.keep_masks[1:]  # hidden layers; index 0 is the input layer
        for k, (module, optimizer) in enumerate(zip(modules, optimizers)):
            n = sizes[k]
            for given, mask in zip([m for m in module if isinstance(m, GivenMask)], masks):
                given.keep_mask = mask[k, :n]
            loss = F.binary_cross_entropy_with_logits(module(data.x_train[:n])[:, 0], y[:n])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    assert run.status == "running" and run.step_count == 200
    for k, module in enumerate(modules):
        for linear, (weight, bias) in zip(module[::3], run.model.layers()):
            assert (linear.weight.T - weight[k]).abs().max() < 1e-9
            assert (linear.bias - bias[k, 0]).abs().max() < 1e-9


# --- the written-out backward pass against autograd -------------------------------------
@pytest.mark.parametrize(
    ("activation", "n_classes", "hidden", "mode"),
    [
        ("relu", 2, (8, 6), "inverted"),
        ("tanh", 0, (5,), "inverted"),  # regression: one output
        ("sigmoid", 4, (3, 7, 2), "classic"),  # an output wider than its input
        ("tanh", 3, (6, 6), "unscaled"),
    ],
)
@pytest.mark.parametrize("with_example_mask", [False, True])
def test_written_out_backward_equals_autograd(
    activation, n_classes, hidden, mode, with_example_mask
):
    n, features = 9, 3
    torch.manual_seed(0)
    x = torch.randn(n, features, dtype=torch.float64)
    if n_classes == 0:
        target = torch.randn(n, 1, dtype=torch.float64)
    else:
        target = torch.randint(n_classes, (n,))
        target = target.double() if n_classes == 2 else target
    example_mask = (
        (torch.arange(n) < torch.tensor([9, 4, 7, 1])[:, None]) if with_example_mask else None
    )
    model = StackedMLP(
        [1, 2, 3, 4],
        features,
        hidden,
        1 if n_classes in (0, 2) else n_classes,
        drop_rates=[0.0, 0.5, 0.9, [0.3] * len(hidden)],
        input_drop_rates=[0.0, 0.2, 0.0, 0.4],
        activation=activation,
        dropout_mode=mode,
        dtype=torch.float64,
    )
    rows = None if example_mask is None else example_mask.sum(1).tolist()
    states = [g.get_state() for g in model.mask_generators]
    loss = loss_per_model(model(x, rows), target, n_classes, example_mask)[0].sum()
    loss.backward()
    expected = model.flat.grad.clone()

    for g, state in zip(model.mask_generators, states):
        g.set_state(state)  # the same masks again
    model.flat.grad = None
    with torch.no_grad():
        output = model(x, rows)
        model.backward(loss_grad(output, target, n_classes, example_mask))
    assert model.flat.grad.abs().max() > 0  # a real gradient, not zeros on both sides
    torch.testing.assert_close(model.flat.grad, expected, rtol=1e-12, atol=1e-14)


def test_layer_views_without_autograd_follow_the_flat_parameter():
    """Views are cached when autograd is off; they must still see in-place updates,
    and be made again if the parameter's memory is replaced."""
    model = StackedMLP([0, 1], 2, (4,), 1)
    with torch.no_grad():
        (weight, _), _ = model.layers()
        model.flat.add_(1.0)
        assert torch.equal(model.layers()[0][0], weight)  # the same views...
        assert torch.equal(weight.reshape(-1), model.flat[: weight.numel()])  # ...updated
    model.to(torch.float64)
    with torch.no_grad():
        (weight64, _), _ = model.layers()
    assert weight64.dtype == torch.float64
    assert weight64.data_ptr() == model.flat.data_ptr()
    # With autograd on, views are fresh and carry gradients back to flat.
    (weight_grad, _), _ = model.layers()
    assert weight_grad.requires_grad


# --- identical models in one stack compute identically ----------------------------------
# A SIMD kernel finishes a tensor's last elements in a scalar loop that may round
# differently; over a stack, that tail is the last model's alone (see SIMD_BLOCK).
def test_flat_is_whole_simd_blocks_and_its_padding_stays_zero():
    data = make_dataset(DataConfig("moons", n_train=20, n_test=10))
    config = TrainConfig(hidden=(5,), weight_decay=0.1)
    run = Run(data, config, drop_rates=[0.0, 0.5], seeds=[0, 1])
    model = run.model
    n_weights = sum(w.numel() + b.numel() for w, b in model.layers())  # 2 * 21
    assert model.flat.numel() % SIMD_BLOCK == 0 and model.flat.numel() > n_weights
    run.step(5)
    assert not model.flat[n_weights:].any() and not model.flat.grad[n_weights:].any()


def test_sigmoid_into_per_model_rows_is_the_same_for_identical_models():
    """Over a contiguous (2, 13, 3) stack, sigmoid's scalar tail is the second model's
    last 14 values, of which ~4 % round differently here; written per model, none do."""
    generator = torch.Generator().manual_seed(0)
    for _ in range(20):
        x = (4 * torch.randn(1, 13, 3, generator=generator)).expand(2, 13, 3).contiguous()
        y = torch.sigmoid(x, out=per_model_empty(x))
        assert torch.equal(y[0], y[1])
        torch.testing.assert_close(y, x.sigmoid())  # the values themselves: sigmoid's


@pytest.mark.parametrize("n", [5, 13, 60, 64])
def test_bce_gradient_is_the_same_for_identical_models(n):
    generator = torch.Generator().manual_seed(n)
    target = torch.randint(2, (n,), generator=generator).float()
    for _ in range(20):
        output = (4 * torch.randn(1, n, 1, generator=generator)).expand(2, n, 1).contiguous()
        grad = loss_grad(output, target, 2)
        assert torch.equal(grad[0], grad[1])
        torch.testing.assert_close(grad, (output.sigmoid() - target[:, None]) / n)


def test_tanh_units_round_alike_for_identical_models_in_one_loop():
    """Why tanh (the default) stays in place, in one loop over the stack: its scalar
    tail rounds like its SIMD loop on this build. If this fails, give tanh and its
    gradient per-model rows (per_model_empty), as sigmoid has."""
    generator = torch.Generator().manual_seed(0)
    for _ in range(50):
        x = (3 * torch.randn(1, 13, 3, generator=generator)).expand(2, 13, 3).contiguous()
        upstream = torch.randn(1, 13, 3, generator=generator).expand(2, 13, 3).contiguous()
        y = x.tanh_()
        assert torch.equal(y[0], y[1])
        grad = torch.ops.aten.tanh_backward(upstream, y)
        assert torch.equal(grad[0], grad[1])
