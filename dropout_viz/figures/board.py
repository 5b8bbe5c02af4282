"""The Playground's live board: one twin session's state in, the canvas payload out.

Pure (no streamlit), so it is unit-tested and the benchmarks time it alone: two
decision boundaries, the dropout twin's network with this step's masks, and the
loss curves. The painting itself is ``ui/live_canvas.js``'s; the panels' encoding
is ``figures/live.py``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dropout_viz.core.boundary import boundary_length
from dropout_viz.core.training import Twin

from . import live, style

if TYPE_CHECKING:
    from dropout_viz.state.twin_session import TwinSession


def board_for(session: TwinSession) -> dict:
    """The board as the learner's screen asked for it (``session.view``)."""
    view = session.view
    if view.panel_height is not None:  # the presenter view
        return compact_board(session, view.panel_height)
    return board_payload(session, view.example, view.frequency)


def board_payload(session: TwinSession, example: int, frequency: bool) -> dict:
    """What the live canvas draws this update: masks of training example ``example`` of
    the last batch, or (``frequency``) each unit's drop share over that batch."""
    twin, data = session.twin, session.data
    batch = twin.last_step.inputs.shape[0] if twin.last_step else len(data.x_train)
    example = min(example, batch - 1)  # the last batch of an epoch may be smaller
    scales = _kept_scales(session)
    network = network_panel(twin, example, frequency)
    network["title"] = (
        "The masks of this step (dropout twin): "
        + (
            "shade = share of the batch that dropped each unit"
            if frequency
            else "what the optimizer just used for the ringed example"
        )
        + f". Kept units × 1/(1−p) = {scales}"
    )
    panels = [
        *boundary_panels(session, highlight=example),
        network,
        {"kind": "stack", "panels": [loss_curves(twin), train_vs_eval(twin)]},
    ]
    return live.board(panels, step=twin.step_count)


def compact_board(session: TwinSession, height: int) -> dict:
    """The presenter view's board: one row of four panels ``height`` pixels tall (both
    boundaries, the network with this step's masks of example 0, the loss chart), so
    the whole board fits a projector's screen. Short titles, so each stays one line."""
    twin = session.twin
    scales = _kept_scales(session)
    network = network_panel(twin, 0, frequency=False)
    network["title"] = f"Masks of this step (kept × {scales})"
    curves = loss_curves(twin)
    curves["title"] = "Loss: solid train, dashed test"
    curves["height"] = height
    panels = [*boundary_panels(session, highlight=0), network, curves]
    return live.board(panels, step=twin.step_count, columns=len(panels), height=height)


def _kept_scales(session: TwinSession) -> str:
    """1/(1−p) of each distinct drop rate: what a kept unit is multiplied by."""
    return " / ".join(f"{1 / (1 - p):.2g}" for p in dict.fromkeys(session.settings.drop_rates))


def boundary_panels(session: TwinSession, highlight: int) -> list[dict]:
    """Each twin's prediction over the plane (or line), with the points; the dropout
    twin's panel rings ``highlight``, an example of the last batch."""
    twin, data = session.twin, session.data
    train = (data.x_train.numpy(), data.y_train.numpy())  # views: no copy
    test = (data.x_test.numpy(), data.y_test.numpy())
    record = twin.last_step
    if record is not None and record.batch_index is not None:
        highlight = int(record.batch_index[highlight])
    prediction = twin.predict(session.view_inputs).numpy()  # (2, points)
    rates = ", ".join(f"{p:g}" for p in dict.fromkeys(session.settings.drop_rates))
    titles = ("No dropout (p = 0)", f"Dropout (p = {rates})")
    lengths = ["", ""]  # how long each boundary is: a memorising twin's grows (core/boundary)
    if data.task == "classification":
        lengths = [
            f" · boundary length {v:.1f}" for v in boundary_length(prediction, session.extent)
        ]
    return [
        live.boundary(
            prediction[k],
            session.extent,
            train,
            test,
            data.task,
            grid_x=session.view_inputs.numpy()[:, 0],
            truth=session.truth,
            highlight=highlight if k == Twin.DROPOUT else None,
            title=titles[k],
            summary=f"{twin.labels[k]}: train loss {point['train_loss']:.3f}, "
            f"test loss {point['test_loss']:.3f}{lengths[k]}",
        )
        for k, point in enumerate(twin.latest)
    ]


def network_panel(twin: Twin, example: int, frequency: bool) -> dict:
    """The dropout twin's network: weights, and the last step's masks and activations."""
    k = Twin.DROPOUT
    weights = [w[k].detach().numpy() for w, _ in twin.model.layers()]
    record = twin.last_step
    masks, values, drop_frequency = [], None, None
    if record is not None:  # before the first step nothing was dropped yet
        masks = [m[k, example].numpy() for m in record.keep_masks]
        values = [a[k, example].numpy() for a in record.activations]
        values[0] = np.tanh(values[0])  # inputs: squash to [-1, 1] just for colouring
        if frequency:
            drop_frequency = [1 - m[k].float().mean(0).numpy() for m in record.keep_masks]
    names = ["x"] if twin.data.in_features == 1 else ["x1", "x2"]
    return live.network(
        twin.model.sizes,
        weights,
        masks,
        values=values,
        drop_frequency=drop_frequency,
        input_names=names,
    )


def loss_curves(twin: Twin) -> dict:
    """Both twins' train (solid) and test (dashed) loss."""
    series = []
    for k, colour in ((Twin.BASELINE, style.NO_DROPOUT_COLOR), (Twin.DROPOUT, style.DROPOUT_COLOR)):
        columns = twin.histories[k].columns
        series += [
            {"name": f"{twin.labels[k]}: train", "y": columns["train_loss"], "color": colour},
            {
                "name": f"{twin.labels[k]}: test",
                "y": columns["test_loss"],
                "color": colour,
                "dash": [6, 4],
            },
        ]
    # Both twins are evaluated at the same steps, so one x serves every series.
    steps = twin.histories[Twin.BASELINE].columns["step"]
    return live.lines(series, steps, title="Train and test loss (solid = train, dashed = test)")


def train_vs_eval(twin: Twin) -> dict:
    """The dropout twin's training loss as the optimizer sees it (units dropped) and with
    every unit on, beside its test loss."""
    columns = twin.histories[Twin.DROPOUT].columns
    series = [
        {
            "name": "train, dropout on",
            "y": columns["train_loss_train_mode"],
            "color": style.DROPOUT_PALE,
            "width": 3,
        },
        {"name": "train, dropout off", "y": columns["train_loss"], "color": style.DROPOUT_COLOR},
        {
            "name": "test",
            "y": columns["test_loss"],
            "color": style.DROPOUT_COLOR,
            "dash": [6, 4],
        },
    ]
    return live.lines(
        series,
        columns["step"],
        height=220,
        title="Dropout twin: training loss with units dropped (what the optimizer sees) "
        "vs with all units on",
    )
