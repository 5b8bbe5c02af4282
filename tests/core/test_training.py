import math

import pytest
import torch

from dropout_viz.core.data import DataConfig, make_dataset
from dropout_viz.core.history import History
from dropout_viz.core.train_config import TrainConfig
from dropout_viz.core.training import Run, Twin


@pytest.fixture(scope="module")
def moons():
    return make_dataset(DataConfig("moons", n_train=40, n_test=100, seed=0))


def slices(run: Run) -> list[torch.Tensor]:
    """Each model's weights as one vector."""
    return [
        torch.cat([w[k].flatten() for pair in run.model.layers() for w in pair])
        for k in range(run.k)
    ]


def test_twins_start_identical_and_differ_only_in_dropout(moons):
    twin = Twin(moons, TrainConfig(hidden=(8, 8), drop_rate=0.5))
    baseline, dropout = slices(twin)
    assert torch.equal(baseline, dropout)
    assert twin.model.drop_rates.tolist() == [[0.0, 0.0], [0.5, 0.5]]
    twin.step(5)
    baseline_masks = [mask[Twin.BASELINE] for mask in twin.last_step.keep_masks]
    assert all(mask.all() for mask in baseline_masks)  # the baseline never drops a unit
    assert not twin.last_step.keep_masks[1][Twin.DROPOUT].all()


def test_twins_with_no_dropout_stay_identical(moons):
    twin = Twin(moons, TrainConfig(hidden=(16, 16), drop_rate=0.0, batch_size=8))
    twin.step(150)
    baseline, dropout = slices(twin)
    assert torch.equal(baseline, dropout)
    a, b = twin.summary()
    assert a["test_loss"] == b["test_loss"]


@pytest.mark.parametrize(
    ("data_config", "config"),
    [
        # The Playground's defaults: the loss gradient's sigmoid (see loss_grad).
        (DataConfig("moons", n_train=60, n_test=20), TrainConfig(hidden=(32, 32), drop_rate=0.0)),
        # Sigmoid units (see stacked.per_model_empty).
        (
            DataConfig("sine", n_train=37, n_test=20),
            TrainConfig(hidden=(4, 4), drop_rate=0.0, activation="sigmoid"),
        ),
        # Ten outputs: the fused optimizer's scalar tail (see stacked.SIMD_BLOCK).
        (
            DataConfig("digits", n_train=100, n_test=50),
            TrainConfig(hidden=(16,), drop_rate=0.0, activation="relu", optimizer="sgd"),
        ),
    ],
    ids=["bce-gradient", "sigmoid-units", "optimizer-tail"],
)
def test_twins_at_p0_stay_identical_where_a_simd_tail_once_split_them(data_config, config):
    """Each of these drifted apart by float32 rounding within a few steps on an AVX2
    machine: a kernel's scalar tail, which rounds unlike its SIMD loop, fell in the
    second model's block alone."""
    twin = Twin(make_dataset(data_config), config)
    twin.step(60)
    baseline, dropout = slices(twin)
    assert torch.equal(baseline, dropout)
    assert twin.histories[0].columns == twin.histories[1].columns


def test_recorded_mask_is_the_one_the_step_used(moons):
    """Replay the last step by hand with the recorded masks: the update must match."""
    lr = 0.1
    twin = Twin(
        moons,
        TrainConfig(
            hidden=(6,), drop_rate=0.4, optimizer="sgd", learning_rate=lr, activation="tanh"
        ),
    )
    before = [m.detach().clone() for m in slices(twin)]
    twin.step(1)  # first SGD-momentum step: update = -lr * gradient
    record = twin.last_step
    k = Twin.DROPOUT
    model = twin.model.export(k)  # a plain MLP, but we need the weights *before* the step
    with torch.no_grad():
        offset = 0
        for linear in model.linears:
            for tensor in (linear.weight, linear.bias):
                stacked_layout = tensor.T if tensor.dim() == 2 else tensor
                n = tensor.numel()
                stacked_layout.copy_(before[k][offset : offset + n].view_as(stacked_layout))
                offset += n
    hidden_mask = record.keep_masks[1][k].float()
    h = torch.tanh(model.linears[0](record.inputs)) * hidden_mask / (1 - 0.4)
    logit = model.linears[1](h)[:, 0]
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logit, moons.y_train.float())
    loss.backward()
    expected = torch.cat(
        [
            t.grad.T.flatten() if t.dim() == 2 else t.grad.flatten()
            for linear in model.linears
            for t in (linear.weight, linear.bias)
        ]
    )
    actual = (before[k] - slices(twin)[k]) / lr
    assert torch.allclose(actual, expected, atol=1e-5)


def test_history_records_train_and_eval_mode_losses(moons):
    twin = Twin(moons, TrainConfig(hidden=(16,), drop_rate=0.5, eval_every=5))
    twin.step(20)
    history = twin.histories[Twin.DROPOUT]
    assert history.columns["step"] == [0, 5, 10, 15, 20]
    assert history.columns["train_loss_train_mode"][0] is None  # nothing trained yet at step 0
    assert all(v > 0 for v in history.columns["train_loss_train_mode"][1:])
    assert len(history.gap) == 5
    assert 0 <= history.columns["test_acc"][-1] <= 1


def test_history_memory_is_bounded():
    def run(steps: int) -> History:
        history = History(every=1, max_points=1000)
        for step in range(steps + 1):
            history.offer(dict.fromkeys(History.FIELDS, 0.0) | {"step": step})
        return history

    short, long = run(10_000), run(1_000_000)
    assert len(short) <= 1000 and len(long) <= 1000
    assert long.columns["step"][0] == 0 and long.columns["step"][-1] > 900_000
    spacing = {b - a for a, b in zip(long.columns["step"], long.columns["step"][1:])}
    assert len(spacing) == 1  # evenly spaced after thinning


def test_divergence_stops_with_a_message_and_finite_charts():
    data = make_dataset(DataConfig("sine", n_train=20, seed=0))
    run = Run(
        data,
        TrainConfig(
            hidden=(32, 32),
            optimizer="sgd",
            learning_rate=10.0,
            activation="relu",
            drop_rate=0.0,
            eval_every=1,
        ),
    )
    taken = run.step(500)
    assert taken < 500
    assert run.status == "diverged" and "lower the learning rate" in run.message
    assert all(math.isfinite(v) for v in run.histories[0].columns["train_loss"])
    assert torch.isfinite(run.model.flat).all()
    assert math.isfinite(run.latest[0]["test_loss"])
    assert run.step(10) == 0  # stays stopped
    run.set_hyperparameters(learning_rate=0.001)
    assert run.status == "running" and run.step(10) == 10


def test_hyperparameters_change_mid_run(moons):
    twin = Twin(moons, TrainConfig(hidden=(8,), drop_rate=0.2))
    twin.step(3)
    twin.set_hyperparameters(learning_rate=0.05, weight_decay=0.01)
    assert twin.optimizer.param_groups[0]["lr"] == 0.05
    assert twin.optimizer.param_groups[0]["weight_decay"] == 0.01
    twin.set_drop_rate(0.7)
    assert twin.model.drop_rates.tolist() == [[0.0], [pytest.approx(0.7)]]
    assert twin.step_count == 3  # nothing was reset
    with pytest.raises(ValueError, match="Learning rate"):
        twin.set_hyperparameters(learning_rate=-1)


def test_mini_batches_cover_the_training_set_each_epoch(moons):
    run = Run(moons, TrainConfig(hidden=(4,), batch_size=16))
    seen = []
    for _ in range(3):  # 40 points in batches of 16, 16, 8
        run.step(1)
        seen.append(run.last_step.batch_index)
    assert sorted(torch.cat(seen).tolist()) == list(range(40))


def test_multiclass_digits_learn(moons):
    data = make_dataset(DataConfig("digits", n_train=200, n_test=200))
    run = Run(data, TrainConfig(hidden=(32,), drop_rate=0.2, eval_every=50))
    run.step(200)
    assert run.latest[0]["test_acc"] > 0.7  # chance is 0.1
    assert run.predict(data.x_test[:3]).shape == (1, 3, 10)


def test_invalid_config_is_rejected(moons):
    with pytest.raises(ValueError, match="Dropout rate p"):
        Twin(moons, TrainConfig(drop_rate=1.0))
    with pytest.raises(ValueError, match="optimizer"):
        Twin(moons, TrainConfig(optimizer="rmsprop"))


def test_steps_in_inference_mode_leave_the_model_usable_with_autograd(moons):
    """Training steps run in inference mode; what they keep across steps (the gradient
    buffer, the dropout layers' random bits, cached weight views) must stay normal
    tensors, so the same model still trains and backpropagates in any mode."""
    twin = Twin(moons, TrainConfig(hidden=(8, 8), drop_rate=0.5))
    twin.step(3)
    model = twin.model
    assert not model.flat.grad.is_inference()
    for dropout in model.dropouts:
        assert not dropout._bits.is_inference()
    with torch.no_grad():
        assert not any(w.is_inference() for w, _ in model.layers())
    model.flat.grad = None
    model(moons.x_train).sum().backward()  # autograd through the same dropout layers
    assert model.flat.grad.abs().sum() > 0
    with torch.no_grad():
        model.reset_parameters()  # writes into the cached views
    assert twin.step(3) == 3
