"""The `mc` command: inference taken apart, headless, on the same core calls as the pages.

    python -m dropout_viz mc ensemble                      # the Inference page's default network
    python -m dropout_viz mc ensemble --hidden 32 --json - | jq '.summary'
    python -m dropout_viz mc sine --p 0.2 --passes 1000    # the Uncertainty page's 1-D example
    python -m dropout_viz mc 2d --p 0.3 --seed 1           # ...and its 2-D one

`ensemble` trains a network with dropout (by default the Playground's default dropout twin),
runs up to 500 thinned sub-networks and reports how the average of N of them approaches the
full network in eval mode. `sine` and `2d` train the Uncertainty page's networks and report
their Monte-Carlo dropout uncertainty.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import asdict, replace

import torch

from ..core import inference, limits
from ..core import mc_classify as mcc
from ..core import mc_dropout as mc
from ..core.data import grid, make_dataset
from ..core.rng import generator
from ..state.twin_session import PlaygroundSettings  # plain data: the Playground's defaults
from . import flags
from .output import format_table, progress, report

TABLE_COUNTS = (1, 2, 5, 10, 20, 50, 100, 200, 500)
FOLLOW = (2.0, 0.0)  # the sine example's x in the data and in the gap, as on the page


def add_command(commands) -> None:
    parser = commands.add_parser(
        "mc",
        help="inference taken apart: thinned sub-networks and Monte-Carlo dropout",
        description="The ensemble of thinned sub-networks inside a network trained with "
        "dropout, and Monte-Carlo dropout's uncertainty: the Inference and Uncertainty pages.",
    )
    views = parser.add_subparsers(dest="view", required=True, metavar="VIEW")
    _add_ensemble(views)
    for name, text in (
        ("sine", "the noisy sine with a gap: band widths and the MC mean against eval mode"),
        ("2d", "two moons with a region held out: predictive entropy and std by region"),
    ):
        view = views.add_parser(name, help=text, description=f"Monte-Carlo dropout on {text}.")
        view.add_argument(
            "--p",
            type=flags.bounded(limits.DROP_RATE),
            default=0.2,
            help="dropout rate, the chance of DROPPING a unit (default: %(default)s)",
        )
        view.add_argument(
            "--passes",
            type=flags.bounded(limits.MC_PASSES, int),
            default=limits.MC_PASSES.default,
            help="T, predictions with dropout on (default: %(default)s)",
        )
        view.add_argument(
            "--seed",
            type=flags.bounded(limits.SEED, int),
            default=0,
            help="seed of the data, weights and masks (default: %(default)s)",
        )
        view.add_argument("--json", metavar="PATH|-", help="write config and results as JSON")
        view.set_defaults(run=RUNS[name])


def _add_ensemble(views) -> None:
    view = views.add_parser(
        "ensemble",
        help="N thinned sub-networks against the full network in eval mode",
        description="Train a network with dropout, run its thinned sub-networks (one fixed "
        "mask each) and report the distance of their average to the eval-mode prediction and "
        "the test score of the average, N = 1 ... --sub-networks. The defaults are the "
        "Playground's default dropout twin, trained for the Inference page's steps.",
    )
    flags.add_data_flags(view)
    flags.add_model_flags(view)
    view.add_argument(
        "--p",
        type=flags.bounded(limits.DROP_RATE),
        default=None,
        help="dropout rate of every hidden layer (default: 0.5, the Playground's)",
    )
    view.add_argument(
        "--sub-networks",
        type=flags.bounded(limits.SUB_NETWORKS, int),
        default=limits.SUB_NETWORKS.high,
        help="how many sub-networks to run and average (default: %(default)s)",
    )
    view.add_argument(
        "--mask-seed",
        type=flags.bounded(limits.SEED, int),
        default=0,
        help="seed of the sub-networks' masks (default: %(default)s)",
    )
    view.add_argument("--json", metavar="PATH|-", help="write config, curves and summary as JSON")
    playground = PlaygroundSettings()
    data, train = playground.data_config(), playground.train_config()
    view.set_defaults(
        run=run_ensemble,
        n_train=data.n_train,
        n_test=data.n_test,
        hidden=train.hidden,
        lr=train.learning_rate,
        epochs=limits.ENSEMBLE_TRAIN_STEPS,
        default_p=playground.drop_rate,
    )


def run_ensemble(args: argparse.Namespace) -> int:
    data_cfg = flags.data_config(args)
    config = flags.train_config(
        args, drop_rate=args.default_p if args.p is None else args.p, seed=args.seed
    ).validate()
    if config.drop_rate == 0:
        raise ValueError("With p = 0 there is one network only: give --p above 0.")
    data = make_dataset(data_cfg)
    if data.out_features != 1:
        raise ValueError("The ensemble view needs one output: a 2-D set or the sine, not digits.")
    steps = flags.steps_for(args.epochs, args.n_train, args.batch_size)
    with progress(steps, "train") as bar:
        model = inference.train_dropout_network(
            data, config, steps, on_progress=lambda f: bar.update(round(f * steps) - bar.n)
        )
    run = inference.run_ensemble(model, data, args.sub_networks, args.mask_seed)
    curve = run.curve
    rows = []
    for n in [c for c in TABLE_COUNTS if c <= args.sub_networks]:
        row = {"N": n, "distance": curve.at(n), "noise": float(curve.noise[n - 1])}
        if curve.distance_of_outputs is not None:
            row["distance_of_outputs"] = float(curve.distance_of_outputs[n - 1])
        row |= {s.metric.replace(" ", "_"): float(s.of_average[n - 1]) for s in run.scores}
        rows.append(row)
    summary = run.summary()
    point = run.point(run.most_disputed)
    table = "\n\n".join(format_table(part, list(part[0])) for part in (rows, [summary], [point]))
    curves = {"distance": curve.distance.tolist(), "noise": curve.noise.tolist()}
    if curve.distance_of_outputs is not None:
        curves["distance_of_outputs"] = curve.distance_of_outputs.tolist()
    curves |= {s.metric.replace(" ", "_"): s.of_average.tolist() for s in run.scores}
    payload = {
        "config": {
            "data": asdict(data_cfg),
            "train": asdict(config),
            "steps": steps,
            "sub_networks": args.sub_networks,
            "mask_seed": args.mask_seed,
        },
        "curve": curves,
        "table": rows,
        "summary": {**summary, "point": point},
    }
    report(table, payload, args.json)
    return 0


def run_sine(args: argparse.Namespace) -> int:
    config = replace(mc.MCConfig(), drop_rate=args.p, seed=args.seed).validate()
    data = mc.sine_with_gap(config)
    model = mc.train_regressor(data, config)
    x = torch.linspace(*data.x_range, 240).reshape(-1, 1)
    prediction = mc.mc_predict(model, x, args.passes, generator(config.seed + 2))
    where = mc.regions(prediction.x, data)
    width_data, width_gap = (prediction.band_width(where[k]) for k in ("data", "gap"))
    rows = []
    for at in FOLLOW:
        point = mc.convergence_at(prediction, int((prediction.x - at).abs().argmin()))
        rows.append(
            {
                "x": round(point.x, 3),
                "eval_output": point.eval_value,
                "mc_mean": float(point.running_mean[-1]),
                "distance": point.distance,
                "band_2sigma_sqrt_t": float(point.band()[-1]),
            }
        )
    summary = {
        "band_width_data": width_data,
        "band_width_gap": width_gap,
        "gap_over_data": width_gap / width_data if width_data > 0 else math.nan,
    }
    table = format_table([summary], list(summary)) + "\n\n" + format_table(rows, list(rows[0]))
    payload = {
        "config": {**asdict(config), "passes": args.passes},
        "convergence": rows,
        "summary": summary,
    }
    report(table, payload, args.json)
    return 0


def run_2d(args: argparse.Namespace) -> int:
    config = replace(mcc.HoleConfig(), drop_rate=args.p, seed=args.seed).validate()
    hole = mcc.moons_with_hole(config)
    model = mcc.train_classifier(hole, config)
    _, where = mcc.region_uncertainty(
        model, hole, grid(mcc.EXTENT, 50), args.passes, generator(config.seed + 3)
    )
    rows = [
        {"region": region, "entropy_bits": where.entropy[region], "std": where.std[region]}
        for region in where.entropy
    ]
    table = format_table(rows, ["region", "entropy_bits", "std"])
    payload = {
        "config": {**asdict(config), "passes": args.passes},
        "regions": rows,
        "summary": {
            "held_out_over_training_entropy": where.entropy["held-out region"]
            / max(where.entropy["training points"], 1e-12)
        },
    }
    report(table, payload, args.json)
    return 0


RUNS = {"sine": run_sine, "2d": run_2d}
