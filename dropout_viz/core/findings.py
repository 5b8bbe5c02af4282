"""Sentences that say what a run shows, computed from its numbers.

A page never states a fixed claim ("the right one keeps a smooth boundary") that a
given run may not bear out: it shows one of these, which reads the run's own
losses, accuracies and boundary lengths and says plainly when the run does not
show the lesson's effect, and what would. Plain strings (Markdown); no streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from torch import Tensor

from . import limits
from .boundary import boundary_length
from .training import Twin

# Differences smaller than these are "about the same" in a sentence.
ACCURACY_MARGIN = 0.02  # 2 points of test accuracy: ~5 test points of the default scene
BOUNDARY_MARGIN = 1.2  # one boundary 20 % longer than the other
EARLY_STEPS = 3000  # ~5 s of Play: before this a run may still turn either way
MANY_POINTS = 200  # training sets this large leave little to memorise


# While a run plays no script runs (serving/trainer.py), so a sentence drawn by the page
# would stay at the step it was drawn at: the page says this instead, until Pause.
PLAYING = (
    "While it plays, the numbers under the step counter follow every update. Press "
    "**Pause** and this line says in words what the run shows at that step."
)


def _pct(value: float) -> str:
    return f"{value:.1%}"  # as the Playground's metrics write it


def playground_finding(
    step: int,
    latest: Sequence[Mapping],
    task: str,
    boundary_lengths: Sequence[float] | None = None,
    *,
    n_train: int,
    drop_rates: Sequence[float],
    weight_decay: float = 0.0,
    link: str = "",
) -> str:
    """What the Playground's twin (no dropout, dropout) shows at this step: its numbers,
    whether dropout is ahead on each, and if it is not, why not and what would be."""
    if step == 0:
        return (
            "At step 0 both twins are the same network: same weights, same predictions. "
            "Press **Play** to see where they go."
        )
    base, drop = latest
    gap_base = base["test_loss"] - base["train_loss"]
    gap_drop = drop["test_loss"] - drop["train_loss"]
    numbers = (
        f"no dropout: train loss {base['train_loss']:.3f}, test loss {base['test_loss']:.3f}; "
        f"dropout: {drop['train_loss']:.3f} / {drop['test_loss']:.3f} — "
        f"gap {gap_base:.3f} → {gap_drop:.3f}"
    )
    shown = gap_drop < gap_base
    verdicts = ["the gap is smaller with dropout" if shown else "the gap is not smaller"]
    if task == "classification":
        gain = drop["test_acc"] - base["test_acc"]
        numbers += f"; test accuracy {_pct(base['test_acc'])} → {_pct(drop['test_acc'])}"
        if gain >= ACCURACY_MARGIN:
            verdicts.append(f"dropout's test accuracy is {gain * 100:.1f} points higher")
        elif gain <= -ACCURACY_MARGIN:
            verdicts.append(f"dropout's test accuracy is {-gain * 100:.1f} points *lower*")
            shown = False
        else:
            verdicts.append(
                f"test accuracy is about the same (within {ACCURACY_MARGIN * 100:.0f} points)"
            )
            shown = False
        if boundary_lengths is not None:
            length_base, length_drop = boundary_lengths
            numbers += f"; boundary length {length_base:.1f} → {length_drop:.1f}"
            ratio = length_base / max(length_drop, 1e-9)
            if ratio >= BOUNDARY_MARGIN:
                verdicts.append(
                    f"the no-dropout boundary is {ratio - 1:.0%} longer: it bends around "
                    "single training points"
                )
            elif ratio <= 1 / BOUNDARY_MARGIN:
                verdicts.append("the dropout twin's boundary is the longer one")
            else:
                verdicts.append("the two boundaries are about as long")
    else:
        lower = drop["test_loss"] < base["test_loss"]
        verdicts.append("dropout's test loss is lower" if lower else "its test loss is not lower")
        shown = shown and lower
    text = f"At step {step:,} — {numbers}. In this run {_join(verdicts)}."
    if shown:
        return text + " Dropout generalizes better here."
    if step < EARLY_STEPS:
        return text + " It is early: keep playing and see whether that changes."
    return text + " " + _why_not(n_train, drop_rates, weight_decay, drop, link)


def twin_finding(
    twin: Twin, view_inputs: Tensor, extent: Sequence[tuple[float, float]], link: str = ""
) -> str:
    """``playground_finding`` for a running twin, as of its latest evaluation; measures
    both boundaries on ``view_inputs`` (the Playground's grid). Hold the run's lock."""
    if twin.status == "diverged":
        return (
            "This run diverged, so it shows nothing about dropout yet: lower the learning "
            "rate and press **Play** again."
        )
    data, config = twin.data, twin.config
    lengths = None
    if data.task == "classification" and data.in_features == 2:
        lengths = boundary_length(twin.predict(view_inputs).numpy(), extent)
    return playground_finding(
        twin.latest[0]["step"],
        twin.latest,
        data.task,
        lengths,
        n_train=len(data.x_train),
        drop_rates=config.drop_rates,
        weight_decay=config.weight_decay,
        link=link,
    )


def _why_not(
    n_train: int, drop_rates: Sequence[float], weight_decay: float, drop: Mapping, link: str
) -> str:
    reasons = []
    if max(drop_rates, default=0.0) == 0:
        reasons.append("p is 0, so both twins are the same network")
    if n_train >= MANY_POINTS:
        reasons.append(
            f"with {n_train} training points there is little to memorise (more data is "
            "itself a regularizer)"
        )
    if weight_decay > 0:
        reasons.append("weight decay already regularizes the no-dropout twin")
    if max(drop_rates, default=0.0) >= 0.8:
        reasons.append(
            f"p = {max(drop_rates):g} drops so many units that the dropout twin underfits "
            f"(train loss {drop['train_loss']:.3f})"
        )
    if reasons:
        text = f"This run does not show dropout's effect: {_join(reasons)}."
        return text + (f" [The default scene]({link}) does." if link else "")
    text = "This run does not show dropout's effect. Runs differ from seed to seed: try another"
    return text + (f" seed, or [the default scene]({link})." if link else " seed.")


def p_sweep_finding(summary: Sequence[Mapping]) -> str:
    """Where a p sweep's test loss is lowest, and whether that is the paper's U shape."""
    rows = sorted(summary, key=lambda r: r["p"])
    best = min(rows, key=lambda r: r["test_loss_mean"])
    low, high = limits.TYPICAL_DROP_RATES
    text = f"Lowest test loss at p = {best['p']:g}: {best['test_loss_mean']:.3f}"
    ends = [r for r in (rows[0], rows[-1]) if r is not best]
    if ends:
        text += ", against " + " and ".join(
            f"{r['test_loss_mean']:.3f} at p = {r['p']:g}" for r in ends
        )
    text += "."
    inside = low <= best["p"] <= high
    if inside and len(ends) == 2:
        text += (
            f" A U shape with its bottom inside the typical {low}–{high}: too little dropout "
            "overfits, too much underfits."
        )
    elif best is rows[0]:
        text += " No rate beat p = 0 here: this network does not overfit this data enough."
    elif not inside:
        text += (
            f" That is outside the typical {low}–{high}: which p is best depends on the "
            "data and the network (the experiment **Which p is best?** maps it)."
        )
    first, last = rows[0], rows[-1]
    text += (
        f" The gap went from {first['gap_mean']:.3f} at p = {first['p']:g} to "
        f"{last['gap_mean']:.3f} at p = {last['p']:g}."
    )
    return text


def regularizer_finding(summary: Sequence[Mapping]) -> str:
    """What weight decay added on its own and on top of dropout, from the comparison's
    mean test losses (arms "none", "dropout", "weight decay", "both")."""
    loss = {row["label"]: row["test_loss_mean"] for row in summary}
    arms = [arm for arm in ("none", "dropout", "weight decay", "both") if arm in loss]
    text = "Test loss: " + ", ".join(f"{arm} {loss[arm]:.3f}" for arm in arms) + "."
    if len(arms) < 4:
        return text
    alone = loss["none"] - loss["weight decay"]
    on_top = loss["dropout"] - loss["both"]

    def change(gain: float) -> str:
        return f"lowered it by {gain:.3f}" if gain >= 0 else f"raised it by {-gain:.3f}"

    text += f" Weight decay {change(alone)} on its own and {change(on_top)} on top of dropout"
    if on_top < alone:
        return text + ": next to dropout, the second regularizer helped less."
    return text + ": in this run the two did not overlap."


def best_p_finding(best: Sequence[Mapping], axis: str) -> str:
    """How the best p moves along a p × size or p × width grid (rows: axis, best_p)."""
    name = {"n_train": "training points", "width": "units per layer"}[axis]
    rows = sorted(best, key=lambda r: r[axis])
    steps = ", ".join(f"{r['best_p']:g} at {r[axis]}" for r in rows)
    first, last = rows[0]["best_p"], rows[-1]["best_p"]
    text = f"Best p per row: {steps} {name}. "
    if last == first:
        text += f"From the first row to the last it stays at {first:g}."
    else:
        trend = "falls" if last < first else "rises"
        text += f"From the first row to the last it {trend} ({first:g} → {last:g})."
    if axis == "n_train" and last < first:
        return text + " In this run more data needed less dropout."
    if axis == "width" and last > first:
        return text + " In this run wider layers needed more dropout."
    usual = "fall as the training set grows" if axis == "n_train" else "rise as layers widen"
    return text + (
        f" This run does not show the usual trend (the best p should {usual}): try more "
        "seeds or steps."
    )


def _join(parts: Sequence[str]) -> str:
    parts = list(parts)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
