"""The three losses, each with its gradient written beside it (micrograd-style).

    losses, accuracy = loss_per_model(output, target, n_classes)   # (K,), (K,) or None
    grad = loss_grad(output, target, n_classes)                    # (K, n, out)

``n_classes`` picks the loss: 0 squared error (regression), 2 binary cross-entropy
of one logit, more: cross-entropy of a softmax. Each loss is per example, (K, n);
a model's loss is the mean over its own examples (``example_mask``). The tests
check every gradient against autograd.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from .speedups import per_model_empty


# --- squared error: (y - t)^2, whose gradient is 2 (y - t) ------------------------------
def _squared_error(output: Tensor, target: Tensor, accuracy: bool):
    losses = F.mse_loss(output, target.expand_as(output), reduction="none").squeeze(2)
    return losses, None  # regression has no accuracy


def _squared_error_grad(output: Tensor, target: Tensor) -> Tensor:
    return (output - target.expand_as(output)).mul_(2)


# --- binary cross-entropy of a logit z: gradient sigmoid(z) - t --------------------------
def _binary_cross_entropy(output: Tensor, target: Tensor, accuracy: bool):
    logit = output.squeeze(2)  # (K, n); a view, whose backward is free (select's copies)
    losses = F.binary_cross_entropy_with_logits(
        logit, target.to(logit.dtype).expand_as(logit), reduction="none"
    )
    return losses, ((logit > 0) == target.bool()) if accuracy else None


def _binary_cross_entropy_grad(output: Tensor, target: Tensor) -> Tensor:
    if target.dtype != output.dtype:  # a training step's already is: skip .to's dispatch
        target = target.to(output.dtype)
    # Into per-model rows (see speedups.per_model_empty), so identical models stay identical.
    return torch.sigmoid(output, out=per_model_empty(output)).sub_(target.unsqueeze(1))


# --- cross-entropy of a softmax: gradient softmax(z) - one_hot(t) -------------------------
def _cross_entropy(output: Tensor, target: Tensor, accuracy: bool):
    losses = F.cross_entropy(
        output.transpose(1, 2), target.expand(output.shape[0], -1), reduction="none"
    )
    return losses, (output.argmax(2) == target) if accuracy else None


def _cross_entropy_grad(output: Tensor, target: Tensor) -> Tensor:
    n_classes = output.shape[2]
    return torch.softmax(output, 2).sub_(F.one_hot(target, n_classes).to(output.dtype))


def _loss(n_classes: int):
    """(per-example loss, its gradient) for the task."""
    if n_classes == 0:
        return _squared_error, _squared_error_grad
    if n_classes == 2:
        return _binary_cross_entropy, _binary_cross_entropy_grad
    return _cross_entropy, _cross_entropy_grad


# --- per model: the mean over its own examples -------------------------------------------
def loss_per_model(
    output: Tensor,
    target: Tensor,
    n_classes: int,
    example_mask: Tensor | None = None,
    accuracy: bool = True,
) -> tuple[Tensor, Tensor | None]:
    """Mean loss of each model (BCE, cross-entropy or MSE), shape (K,), and its accuracy.

    output: (K, n, out). example_mask: (K, n) bool, the examples each model trains
    on (a dataset-size sweep gives models different subsets); None means all.
    accuracy=False skips it (None), which a training step does not need.
    """
    losses, correct = _loss(n_classes)[0](output, target, accuracy)
    if example_mask is None:
        return losses.mean(1), None if correct is None else correct.float().mean(1)
    weight = example_mask.to(losses.dtype)
    count = weight.sum(1).clamp_min(1)
    accuracy = None if correct is None else (correct * weight).sum(1) / count
    return (losses * weight).sum(1) / count, accuracy


@torch.no_grad()
def loss_grad(
    output: Tensor, target: Tensor, n_classes: int, example_mask: Tensor | None = None
) -> Tensor:
    """d(sum over models of ``loss_per_model``)/d(output), shape (K, n, out), by hand.

    Each model's loss is a mean over its own examples, so each example's share of
    the gradient is 1/(its model's count).
    """
    grad = _loss(n_classes)[1](output, target)
    if example_mask is None:
        # Times 1/n, not divided by n: ATen's vectorised division rounds unlike its scalar
        # tail, so two identical models in one stack would drift apart.
        return grad.mul_(1 / output.shape[1])
    weight = example_mask.to(output.dtype)
    weight /= weight.sum(1, keepdim=True).clamp_min(1)
    return grad.mul_(weight.unsqueeze(2))
