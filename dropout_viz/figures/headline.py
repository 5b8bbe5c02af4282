"""The three numbers above a Playground board: each twin's generalization gap and test
score, as one screen update shows them. Plain strings, so the learner's own screen
(``st.metric``) and a class following the teacher (the feed's JSON) say the same thing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from dropout_viz import lesson


class Metric(NamedTuple):
    label: str
    value: str
    delta: str | None = None  # shown under the value; smaller is better ("inverse")


def headline(latest: Sequence[dict], task: str) -> tuple[Metric, Metric, Metric]:
    """From each twin's latest evaluation (no dropout first, dropout second)."""
    baseline, dropout = latest
    gap_base = baseline["test_loss"] - baseline["train_loss"]
    gap_drop = dropout["test_loss"] - dropout["train_loss"]
    if task == "classification":
        score = Metric(
            "Test accuracy (no dropout → dropout)",
            f"{baseline['test_acc']:.1%} → {dropout['test_acc']:.1%}",
        )
    else:
        score = Metric(
            "Test loss (no dropout → dropout)",
            f"{baseline['test_loss']:.3f} → {dropout['test_loss']:.3f}",
        )
    return (
        Metric("Gap without dropout", f"{gap_base:.3f}"),
        Metric("Gap with dropout", f"{gap_drop:.3f}", f"{gap_drop - gap_base:+.3f} vs no dropout"),
        score,
    )


def settings_line(settings: Any) -> str:
    """A run's settings in one sentence, for the class that follows it (a Playground's
    ``PlaygroundSettings``)."""
    dataset = lesson.DATASET_NAMES.get(settings.dataset, "the teacher's own data")
    rates = ", ".join(f"{p:g}" for p in dict.fromkeys(settings.drop_rates))
    return (
        f"Teacher's settings: {dataset}, {settings.n_train} training points, "
        f"{settings.layers} × {settings.width} {settings.activation} units, p = {rates}, "
        f"{settings.optimizer.capitalize()} at learning rate {settings.learning_rate:g}."
    )
