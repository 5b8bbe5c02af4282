"""Our Dropout against torch.nn.Dropout, the oracle."""

import math

import pytest
import torch
from torch import nn

from dropout_viz.core.dropout import Dropout


def both(p: float, x: torch.Tensor, seed: int = 0, **kwargs):
    torch.manual_seed(seed)
    expected = nn.Dropout(p, **kwargs)(x)
    torch.manual_seed(seed)
    ours = Dropout(p, **kwargs)
    return expected, ours(x), ours


@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.77, 0.95])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_bit_for_bit_equal_to_torch(p, dtype):
    x = torch.randn(17, 33, dtype=dtype)
    expected, got, _ = both(p, x, seed=3)
    assert torch.equal(expected, got)


@pytest.mark.parametrize("shape", [(0,), (0, 5), (7,), (2, 3, 4, 5), (3, 1, 1, 1, 2)])
def test_any_rank_and_empty_inputs(shape):
    x = torch.randn(shape)
    expected, got, ours = both(0.4, x)
    assert got.shape == x.shape
    assert torch.equal(expected, got)
    assert ours.last_keep_mask.shape == x.shape


def test_non_contiguous_input():
    x = torch.randn(20, 30).t()[::2]
    assert not x.is_contiguous()
    expected, got, _ = both(0.5, x, seed=7)
    assert torch.equal(expected, got)


def test_inplace_matches_torch_and_records_the_original_input():
    x = torch.randn(8, 8)
    a, b = x.clone(), x.clone()
    torch.manual_seed(1)
    nn.Dropout(0.5, inplace=True)(a)
    torch.manual_seed(1)
    ours = Dropout(0.5, inplace=True)
    ours(b)
    assert torch.equal(a, b)
    assert torch.equal(ours.last_input, x)  # not the overwritten tensor


@pytest.mark.parametrize("p", [-0.1, 1.5, 2])
def test_invalid_rate_raises_torch_message(p):
    with pytest.raises(ValueError) as torch_error:
        nn.Dropout(p)
    with pytest.raises(ValueError) as our_error:
        Dropout(p)
    assert str(our_error.value) == str(torch_error.value)
    assert "dropout probability has to be between 0 and 1, but got" in str(our_error.value)


def test_eval_mode_and_zero_rate_return_the_same_tensor():
    x = torch.randn(4, 4)
    d = Dropout(0.5).eval()
    assert d(x) is x
    assert Dropout(0.0)(x) is x
    assert d.last_keep_mask.all()


def test_rate_one_gives_zeros_and_an_all_dropped_mask():
    d = Dropout(1.0)
    out = d(torch.randn(5, 6))
    assert torch.equal(out, torch.zeros(5, 6))
    assert not d.last_keep_mask.any()


def test_kept_units_scaled_and_gradient_is_mask_over_keep():
    p = 0.3
    x = torch.randn(40, 50, requires_grad=True)
    d = Dropout(p)
    out = d(x)
    mask = d.last_keep_mask
    assert torch.allclose(out[mask], x[mask] / (1 - p))
    assert (out[~mask] == 0).all()
    upstream = torch.randn_like(out)
    out.backward(upstream)
    assert torch.allclose(x.grad, mask.float() / (1 - p) * upstream)


def test_gradient_equals_torch():
    x1 = torch.randn(30, 20, requires_grad=True)
    x2 = x1.detach().clone().requires_grad_()
    upstream = torch.randn(30, 20)
    torch.manual_seed(5)
    nn.Dropout(0.6)(x1).backward(upstream)
    torch.manual_seed(5)
    Dropout(0.6)(x2).backward(upstream)
    assert torch.equal(x1.grad, x2.grad)


def test_zero_fraction_is_p_within_four_sigma():
    p, n = 0.3, 200_000
    d = Dropout(p, generator=torch.Generator().manual_seed(0))
    d(torch.ones(n))
    dropped = (~d.last_keep_mask).float().mean().item()
    sigma = math.sqrt(p * (1 - p) / n)  # binomial standard error of the fraction
    assert abs(dropped - p) < 4 * sigma


def test_records_input_output_and_mask_detached():
    x = torch.randn(6, 10, requires_grad=True)
    d = Dropout(0.5)
    out = d(x)
    assert torch.equal(d.last_input, x.detach())
    assert torch.equal(d.last_output, out.detach())
    assert not d.last_output.requires_grad
    assert d.last_keep_mask.dtype == torch.bool
    assert torch.equal(d.last_output, x.detach() * d.last_keep_mask / 0.5)


def test_repr_matches_torch_in_default_mode():
    assert repr(Dropout(0.3)) == repr(nn.Dropout(0.3))
    assert repr(Dropout(0.2, inplace=True)) == repr(nn.Dropout(0.2, inplace=True))
    assert "classic" in repr(Dropout(0.2, mode="classic"))


def test_classic_mode_scales_at_test_time_and_matches_in_expectation():
    p, x = 0.4, torch.rand(100_000) + 0.5
    d = Dropout(p, mode="classic", generator=torch.Generator().manual_seed(0))
    train = d(x)
    assert set(torch.unique(train[train != 0] / x[train != 0]).tolist()) == {1.0}  # no scaling
    d.eval()
    assert torch.allclose(d(x), x * (1 - p))
    # Expected training activation equals the eval one: mean(m * x) ~ (1 - p) * mean(x).
    assert abs(train.mean() / (x.mean() * (1 - p)) - 1) < 0.01  # >20 sigma for n = 1e5


def test_unscaled_bug_makes_eval_too_large_by_one_over_keep():
    p, x = 0.5, torch.rand(100_000) + 0.5
    d = Dropout(p, mode="unscaled", generator=torch.Generator().manual_seed(0))
    train_mean = d(x).mean()
    d.eval()
    eval_mean = d(x).mean()
    assert abs(eval_mean / train_mean - 1 / (1 - p)) < 0.03  # ratio 2 within 1.5 %


def test_mc_switch_keeps_dropout_on_in_eval():
    d = Dropout(0.5, mc=True).eval()
    x = torch.ones(1000)
    assert (d(x) == 0).any()
    d.mc = False
    assert d(x) is x


def test_own_generator_is_reproducible_and_leaves_global_rng_alone():
    x = torch.ones(100)
    state = torch.get_rng_state()
    a = Dropout(0.5, generator=torch.Generator().manual_seed(9))(x)
    b = Dropout(0.5, generator=torch.Generator().manual_seed(9))(x)
    assert torch.equal(a, b)
    assert torch.equal(torch.get_rng_state(), state)


def test_tensor_rate_drops_per_model():
    p = torch.tensor([0.0, 0.5, 1.0]).view(3, 1, 1)
    d = Dropout(p, generator=torch.Generator().manual_seed(0))
    out = d(torch.ones(3, 200, 50))
    assert torch.equal(out[0], torch.ones(200, 50))  # p = 0: untouched
    assert (out[2] == 0).all()  # p = 1: everything dropped, no NaN
    kept = d.last_keep_mask[1].float().mean().item()
    assert abs(kept - 0.5) < 4 * math.sqrt(0.25 / 10_000)
    assert set(torch.unique(out[1]).tolist()) <= {0.0, 2.0}


@pytest.mark.parametrize(
    ("p", "mode", "training"),
    [
        (0.3, "inverted", True),
        (1.0, "inverted", True),
        (0.0, "inverted", True),
        (0.3, "classic", True),
        (0.3, "classic", False),
        (0.3, "unscaled", True),
        (0.3, "inverted", False),
    ],
)
def test_input_grad_is_what_autograd_gives(p, mode, training):
    layer = Dropout(p, mode=mode).train(training)
    x = torch.randn(5, 7, dtype=torch.float64, requires_grad=True)
    upstream = torch.randn(5, 7, dtype=torch.float64)
    layer(x).backward(upstream)
    assert torch.equal(layer.input_grad(upstream.clone()), x.grad)
