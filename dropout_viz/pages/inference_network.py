"""Which network the Inference page takes apart: this session's Playground dropout twin,
read under its lock and never changed, or a default one trained here."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dropout_viz import lesson
from dropout_viz.core import inference as core
from dropout_viz.core import limits
from dropout_viz.core.data import Dataset, make_dataset
from dropout_viz.core.models import MLP
from dropout_viz.core.training import Twin
from dropout_viz.pages.playground import STATE as PLAYGROUND
from dropout_viz.state.twin_session import PlaygroundSettings
from dropout_viz.ui import common


@dataclass(frozen=True)
class Network:
    model: MLP
    data: Dataset
    key: tuple  # what its sub-networks' results depend on
    name: str  # which network it is, for the learner

    @property
    def text(self) -> str:
        model, data = self.model, self.data
        rates = sorted({round(float(d.p), 3) for d in model.dropouts})
        return (
            f"{self.name}: {lesson.DATASET_NAMES.get(data.config.dataset, 'your own data')}, "
            f"{len(data.x_train)} training points, "
            f"{' × '.join(str(w) for w in model.sizes[1:-1])} {model.activation} units, "
            f"p = {', '.join(f'{p:g}' for p in rates)}."
        )


def choose() -> Network:
    """This session's Playground dropout twin when it has trained, else a default network."""
    playground, why = _playground()
    if playground:
        labels = {"playground": playground.name, "default": "A default network, trained here"}
        choice = st.sidebar.radio(
            "Network",
            list(labels),
            format_func=labels.get,
            key="inf_source",
            help="Read only: the Playground's twin is never stepped or changed here.",
        )
        if choice == "playground":
            return playground
    else:
        st.info(why)
    settings = PlaygroundSettings()
    data = make_dataset(settings.data_config())
    config, steps = settings.train_config(), limits.ENSEMBLE_TRAIN_STEPS
    model = common.remember(
        "inference_default",
        (settings,),
        lambda report: core.train_dropout_network(data, config, steps, report),
        f"Training a default dropout network ({steps} steps)…",
    )
    name = f"Default network (the Playground's default dropout twin after {steps} steps)"
    return Network(model, data, ("default", settings), name)


def _playground() -> tuple[Network | None, str]:
    session = st.session_state.get(PLAYGROUND)
    if session is None:
        return None, (
            "No Playground run in this session yet: here is a default network, the "
            f"Playground's default dropout twin trained for {limits.ENSEMBLE_TRAIN_STEPS} steps."
        )
    with session.lock:  # its tick may be stepping it: read the weights between steps
        twin = session.twin
        if twin is None or session.data is None:
            return None, "The Playground's twins were released: here is a default network."
        step = twin.step_count
        if step < limits.MIN_PLAYGROUND_STEPS:
            return None, (
                f"The Playground's twins are at step {step}: train them for at least "
                f"{limits.MIN_PLAYGROUND_STEPS} steps to take their dropout twin apart here. "
                "Meanwhile, a default network."
            )
        if session.data.n_classes > 2:  # own data: this page averages one logit, P(class 1)
            return None, (
                f"The Playground's twins tell {session.data.n_classes} classes apart; this page "
                "takes apart networks of two classes or a curve: here is a default network."
            )
        if not bool((twin.model.drop_rates[Twin.DROPOUT] > 0).any()):
            return None, "The Playground's dropout twin has p = 0: it holds one network only."
        model, data = twin.model.export(Twin.DROPOUT), session.data
    name = f"The Playground's dropout twin at step {step}"
    return Network(model, data, ("playground", id(twin), step), name), ""
