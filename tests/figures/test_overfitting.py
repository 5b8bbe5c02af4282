from dropout_viz.core.best_p import best_p
from dropout_viz.figures import overfitting


def summary_rows():
    rows = []
    for p, test in ((0.0, 1.5), (0.3, 0.8), (0.6, 0.4)):
        row = {"p": p, "label": f"p={p}", "seeds": 3}
        for metric, value in (
            ("train_loss", 0.01),
            ("test_loss", test),
            ("gap", test - 0.01),
            ("test_acc", 0.9),
            ("train_acc", 1.0),
        ):
            row[f"{metric}_mean"], row[f"{metric}_std"] = value, 0.05
        rows.append(row)
    return rows


def test_p_sweep_plots_means_with_error_bars_against_p():
    fig = overfitting.p_sweep(list(reversed(summary_rows())), classification=True)
    test = next(t for t in fig.data if t.name == "test loss")
    assert list(test.x) == [0.0, 0.3, 0.6]  # sorted by p
    assert list(test.y) == [1.5, 0.8, 0.4]
    assert list(test.error_y.array) == [0.05] * 3
    assert [t.name for t in fig.data] == ["train loss", "test loss", "gap", "test accuracy"]
    assert fig.layout.xaxis.title.text == "dropout rate p"


def test_p_sweep_without_accuracy_for_regression():
    rows = summary_rows()
    assert "test accuracy" not in [t.name for t in overfitting.p_sweep(rows, False).data]


def test_size_sweep_marks_clear_gains():
    gain = [
        {
            "n_train": 25,
            "error_without_dropout": 0.2,
            "error_with_dropout": 0.2,
            "gain": 0.0,
            "gain_se": 0.01,
        },
        {
            "n_train": 100,
            "error_without_dropout": 0.15,
            "error_with_dropout": 0.1,
            "gain": 0.05,
            "gain_se": 0.01,
        },
    ]
    fig = overfitting.size_sweep(gain, classification=True)
    bars = next(t for t in fig.data if t.type == "bar")
    assert list(bars.y) == [0.0, 0.05]
    assert bars.marker.color[0] != bars.marker.color[1]  # only the clear gain is highlighted
    assert fig.layout.xaxis.type == "log"
    assert list(fig.layout.xaxis.tickvals) == [25, 100]  # the sizes, not 2 and 5 of a decade


def test_knockout_pools_units_per_arm():
    rows = [
        {"label": "no dropout", "layer": 0, "acc_drop_per_unit": [0.0, 0.05]},
        {"label": "no dropout", "layer": 0, "acc_drop_per_unit": [0.01]},
        {"label": "dropout", "layer": 0, "acc_drop_per_unit": [0.0, 0.002]},
        {"label": "dropout", "layer": 1, "acc_drop_per_unit": [0.5]},
    ]
    fig = overfitting.knockout(rows, layer=0)
    assert [list(t.y) for t in fig.data] == [[0.0, 0.05, 0.01], [0.0, 0.002]]


def test_p_grid_colours_each_row_against_its_own_best_and_stars_the_best_p():
    losses = {25: (1.5, 0.9, 0.6), 400: (0.40, 0.35, 0.38)}  # rows at very different levels
    grid = [
        {"n_train": n, "p": p, "test_loss_mean": loss, "test_loss_std": 0.0, "seeds": 3}
        for n, row in losses.items()
        for p, loss in zip((0.0, 0.4, 0.8), row)
    ]
    fig = overfitting.p_grid(grid, best_p(grid, "n_train"), "n_train")
    heat, stars = fig.data[0], fig.data[1]
    assert list(heat.x) == ["0", "0.4", "0.8"] and list(heat.y) == ["25", "400"]
    assert heat.z[0][2] == 0 and heat.z[1][1] == 0  # each row's best is the palest cell
    assert heat.z[0][0] == (1.5 / 0.6 - 1)
    assert heat.text[1][1] == "0.350"  # the number shown is the loss itself
    assert list(stars.x) == ["0.8", "0.4"] and list(stars.y) == ["25", "400"]
    assert len(fig.data) == 2  # no open circles: no row's lowest lies apart from its star
