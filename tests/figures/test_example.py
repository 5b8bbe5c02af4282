"""Figures of the lesson's example network."""

import numpy as np

from dropout_viz.figures import example as fig


def test_outputs_one_trace_per_pass_then_eval_then_mean():
    train = np.array([[0.1, 0.2], [0.3, -0.1], [0.0, 0.4]])
    evals = np.array([[0.15, 0.2]] * 3)
    figure = fig.outputs(train, evals, np.array([0.14, 0.19]), np.array([0.01, 0.02]), 1000)
    assert [t.name for t in figure.data] == [
        "train mode, pass 1",
        "train mode, pass 2",
        "train mode, pass 3",
        "eval mode, all 3 passes (identical)",
        "mean of 1,000 train-mode passes ± tolerance",
    ]
    for i in range(3):
        np.testing.assert_array_equal(figure.data[i].y, train[i])
    np.testing.assert_array_equal(figure.data[3].y, evals[0])
    np.testing.assert_array_equal(figure.data[4].error_y.array, [0.01, 0.02])
    assert figure.layout.xaxis.title.text == "example (row of input_tensor)"
    assert figure.layout.yaxis.title.text == "output of the network"


def test_mask_grid_one_heat_map_per_pass_with_counts_in_the_titles():
    masks = np.zeros((3, 5, 50), dtype=bool)
    masks[0, :, :35] = True
    figure = fig.mask_grid(masks)
    assert [t.type for t in figure.data] == ["heatmap"] * 3
    np.testing.assert_array_equal(figure.data[0].z, masks[0].astype(int))
    titles = [a.text for a in figure.layout.annotations]
    assert titles[0].startswith("pass 1: 175 of 250 kept (per example: 35, 35, 35, 35, 35)")
    assert titles[1].startswith("pass 2: 0 of 250 kept")
    assert figure.layout.xaxis3.title.text == "hidden unit (0–49)"
