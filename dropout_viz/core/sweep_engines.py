"""The two ways a sweep trains its models, from the same data, weights and settings.

* ``"batched"``: every model in one computation (a ``Run`` over a ``StackedMLP``;
  one per weight-decay value, since Adam's weight decay is one setting per optimizer).
* ``"loop"``: each model on its own, an ``nn.Sequential`` with ``torch.nn.Dropout``,
  the plain-PyTorch baseline that the batched engine is benchmarked and tested against.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import torch
from torch import Tensor, nn

from . import limits
from .batches import MiniBatches
from .data import Dataset, make_dataset
from .losses import loss_per_model
from .models import ACTIVATIONS
from .optimizers import torch_optimizer
from .rng import MASK_STREAM, seeded
from .stacked import StackedMLP
from .sweep_config import ModelSpec, Progress, SweepConfig, check_specs
from .sweep_results import Record
from .train_config import TrainConfig
from .training import Run

CHUNK = 25  # steps between progress reports
Weights = list[list[tuple[Tensor, Tensor]]]  # per model, per layer: weight (in, out), bias (out,)


def train_models(
    config: SweepConfig, specs: Sequence[ModelSpec], progress: Progress | None = None
) -> list[Record]:
    """Train every spec with the config's engine; one record per spec, in order."""
    records, _, _ = fit(config, specs, progress)
    return records


def fit(
    config: SweepConfig,
    specs: Sequence[ModelSpec],
    progress: Progress | None,
    keep_models: bool = False,
) -> tuple[list[Record], StackedMLP | None, Dataset]:
    """Check, then train: the records, the trained models as one stack if asked, the data."""
    config = config.validate()
    specs = list(specs)
    data = make_dataset(config.data)
    check_specs(config, specs, data)
    engine = train_batched if config.engine == "batched" else train_loop
    records, weights = engine(config, specs, data, progress or _no_progress)
    stack = _stack(config.train, data, weights) if keep_models else None
    return records, stack, data


def train_batched(
    config: SweepConfig, specs: list[ModelSpec], data: Dataset, progress: Progress
) -> tuple[list[Record], Weights]:
    records: list[Record | None] = [None] * len(specs)
    weights: Weights = [[] for _ in specs]
    total, done = len(specs) * config.steps, 0
    groups: dict[float, list[int]] = {}
    for i, spec in enumerate(specs):
        groups.setdefault(spec.weight_decay, []).append(i)
    n = len(data.x_train)
    for weight_decay, members in groups.items():
        group = [specs[i] for i in members]
        sizes = torch.tensor([spec.train_size(n) for spec in group])
        example_mask = None if (sizes == n).all() else torch.arange(n) < sizes[:, None]
        run = Run(
            data,
            _run_config(config, weight_decay),
            drop_rates=[spec.drop_rate for spec in group],
            seeds=[spec.seed for spec in group],
            labels=[spec.label for spec in group],
            input_drop_rates=[config.train.input_drop_rate] * len(group),
            example_mask=example_mask,
        )
        while run.step_count < config.steps and run.status == "running":
            taken = run.step(min(CHUNK, config.steps - run.step_count))
            done += taken * len(group)
            progress(done, total)
        done += (config.steps - run.step_count) * len(group)  # a diverged run stops early
        final = run.evaluate() if run.status == "running" else run.latest
        status = "done" if run.status == "running" else run.status
        layers = run.model.layers()
        for k, (i, spec) in enumerate(zip(members, group)):
            records[i] = _record(spec, n, run.step_count, status, final[k])
            weights[i] = [(w[k].detach().clone(), b[k, 0].detach().clone()) for w, b in layers]
    progress(total, total)
    return records, weights


def _run_config(config: SweepConfig, weight_decay: float) -> TrainConfig:
    # Mini-batch order from the data's seed: shared by every model, whatever its seed.
    return replace(
        config.train,
        weight_decay=weight_decay,
        seed=config.data.seed,
        eval_every=min(limits.EVAL_EVERY.high, max(1, config.steps // 10)),
    )


def train_loop(
    config: SweepConfig, specs: list[ModelSpec], data: Dataset, progress: Progress
) -> tuple[list[Record], Weights]:
    """Each model alone, in plain PyTorch: what the batched engine must agree with."""
    c, n_all = config.train, len(data.x_train)
    y_all = data.y_train.float() if data.n_classes == 2 else data.y_train
    total = len(specs) * config.steps
    records, weights = [], []
    for i, spec in enumerate(specs):
        n = spec.train_size(n_all)
        x, y = data.x_train[:n], y_all[:n]
        # nn.Dropout draws from torch's global generator: seed it per model, privately.
        with seeded(spec.seed + MASK_STREAM):
            model = plain_model(c, data, spec)
            optimizer = torch_optimizer(
                c.optimizer, model.parameters(), c.learning_rate, spec.weight_decay
            )
            batches = MiniBatches(n, c.batch_size, config.data.seed)  # as Run takes them
            status, step = "done", 0
            for step in range(1, config.steps + 1):
                index = batches.next()
                xb, yb = (x, y) if index is None else (x[index], y[index])
                loss = loss_per_model(model(xb)[None], yb, data.n_classes)[0][0]
                if not math.isfinite(loss.item()):
                    status, step = "diverged", step - 1
                    break
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if step % CHUNK == 0:
                    progress(i * config.steps + step, total)
        final = _evaluate_plain(model, data, n)
        records.append(_record(spec, n_all, step, status, final))
        linears = [m for m in model if isinstance(m, nn.Linear)]
        weights.append([(m.weight.detach().T.clone(), m.bias.detach().clone()) for m in linears])
    progress(total, total)
    return records, weights


def plain_model(config: TrainConfig, data: Dataset, spec: ModelSpec) -> nn.Sequential:
    """A spec as plain PyTorch (Linear, activation, torch.nn.Dropout), with the initial
    weights the batched engine gives the same seed."""
    start = StackedMLP([spec.seed], data.in_features, config.hidden, data.out_features)
    sizes, layers = start.sizes, []
    if config.input_drop_rate:
        layers.append(nn.Dropout(config.input_drop_rate))
    for i, (weight, bias) in enumerate(start.layers()):
        linear = nn.Linear(sizes[i], sizes[i + 1])
        with torch.no_grad():
            linear.weight.copy_(weight[0].T)
            linear.bias.copy_(bias[0, 0])
        layers.append(linear)
        if i < len(sizes) - 2:
            layers += [ACTIVATIONS[config.activation](), nn.Dropout(spec.drop_rate)]
    return nn.Sequential(*layers)


@torch.no_grad()
def _evaluate_plain(model: nn.Module, data: Dataset, n_train: int) -> dict:
    model.eval()
    train_loss, train_acc = loss_per_model(
        model(data.x_train[:n_train])[None], data.y_train[:n_train], data.n_classes
    )
    test_loss, test_acc = loss_per_model(model(data.x_test)[None], data.y_test, data.n_classes)
    return {
        "train_loss": train_loss.item(),
        "test_loss": test_loss.item(),
        "train_acc": None if train_acc is None else train_acc.item(),
        "test_acc": None if test_acc is None else test_acc.item(),
    }


def _record(spec: ModelSpec, n_all: int, steps: int, status: str, final: dict) -> Record:
    return Record(
        label=spec.label,
        p=spec.drop_rate,
        seed=spec.seed,
        n_train=spec.train_size(n_all),
        weight_decay=spec.weight_decay,
        steps=steps,
        status=status,
        **{name: final[name] for name in ("train_loss", "test_loss", "train_acc", "test_acc")},
    )


def _stack(config: TrainConfig, data: Dataset, weights: Weights) -> StackedMLP:
    """Trained models, whichever engine trained them, as one stack (for probing)."""
    stack = StackedMLP(
        range(len(weights)),
        data.in_features,
        config.hidden,
        data.out_features,
        activation=config.activation,
        dropout_mode=config.dropout_mode,
    )
    with torch.no_grad():
        for layer, (weight, bias) in enumerate(stack.layers()):
            weight.copy_(torch.stack([w[layer][0] for w in weights]))
            bias.copy_(torch.stack([w[layer][1] for w in weights])[:, None])
    return stack.eval()


def _no_progress(done: int, total: int) -> None:
    pass
