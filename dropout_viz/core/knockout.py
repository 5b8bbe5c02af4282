"""The co-adaptation probe: silence one hidden unit at a time, at test time, and measure
the damage. A network whose units rely on each other loses more when one is missing."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from .data import Dataset
from .losses import loss_per_model
from .stacked import StackedMLP
from .sweep_results import Record, fields


@torch.no_grad()
def knockout(model: StackedMLP, data: Dataset) -> list[tuple[Tensor, Tensor | None]]:
    """Per hidden layer: (K, width) rise in test loss and fall in test accuracy when
    that single unit is silenced (accuracy None for regression)."""
    model.eval()
    intact_loss, intact_acc = loss_per_model(model(data.x_test), data.y_test, data.n_classes)
    layers, results = model.layers(), []
    for next_weight, _ in layers[1:]:  # a unit's outgoing weights: (K, width, next)
        losses, accuracies = [], []
        for unit in range(next_weight.shape[1]):
            outgoing = next_weight[:, unit].clone()
            next_weight[:, unit] = 0  # nothing the unit outputs reaches the next layer
            loss, acc = loss_per_model(model(data.x_test), data.y_test, data.n_classes)
            next_weight[:, unit] = outgoing
            losses.append(loss - intact_loss)
            accuracies.append(None if acc is None else intact_acc - acc)
        acc_drop = None if intact_acc is None else torch.stack(accuracies, 1)
        results.append((torch.stack(losses, 1), acc_drop))
    return results


def knockout_rows(records: Sequence[Record], model: StackedMLP, data: Dataset) -> list[dict]:
    """One row per model (records[k] is model k of the stack) and hidden layer."""
    rows = []
    for layer, (loss_up, acc_down) in enumerate(knockout(model, data)):
        for k, record in enumerate(records):
            rows.append(
                {
                    **fields(record, "label", "p", "seed"),
                    "layer": layer,
                    "test_loss": record.test_loss,
                    "test_acc": record.test_acc,
                    "units": loss_up.shape[1],
                    # Mean over the layer's units, and the unit whose loss hurts most.
                    "loss_increase": loss_up[k].mean().item(),
                    "worst_loss_increase": loss_up[k].max().item(),
                    "acc_drop": None if acc_down is None else acc_down[k].mean().item(),
                    "worst_acc_drop": None if acc_down is None else acc_down[k].max().item(),
                    "acc_drop_per_unit": None if acc_down is None else acc_down[k].tolist(),
                }
            )
    return rows
