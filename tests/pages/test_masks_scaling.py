"""Masks & scaling in AppTest: the mask, Resample, p, convergence and the three conventions."""

import numpy as np
import pytest

from dropout_viz import lesson
from tests.pages.charts import chart, trace


def button(at, label):
    return next(b for b in at.button if b.label == label)


def layer(at):
    """h, m and h·m/(1−p) as the heat maps show them."""
    h, mask, out = (np.asarray(t["z"], dtype=float) for t in chart(at, "ms_layer_pass")["data"])
    return h, mask, out


def convention_ratios(at) -> dict[str, float]:
    (table,) = [d.value for d in at.dataframe if "eval ÷ train" in d.value.columns]
    return dict(zip(table["convention"], table["eval ÷ train"]))


def test_page_shows_h_the_mask_and_the_scaled_output(run_page):
    at = run_page("masks_scaling")
    assert lesson.ABOUT_P in [info.value for info in at.info]
    h, mask, out = layer(at)
    assert h.shape == mask.shape == out.shape == (8, 50)  # examples × units
    assert set(np.unique(mask)) == {0.0, 1.0}
    np.testing.assert_allclose(out, h * mask / (1 - 0.5), rtol=1e-6)
    assert len({tuple(row) for row in mask}) == 8  # every example has its own mask
    assert all(w.help for w in at.sidebar.slider) and at.sidebar.number_input[0].help
    assert all(w.help for w in at.selectbox) and button(at, "Resample mask").help


def test_resample_draws_a_new_mask_on_the_same_h(run_page):
    at = run_page("masks_scaling")
    h_before, mask_before, _ = layer(at)
    button(at, "Resample mask").click().run()
    h_after, mask_after, out_after = layer(at)
    np.testing.assert_array_equal(h_after, h_before)
    assert not np.array_equal(mask_after, mask_before)
    np.testing.assert_allclose(out_after, h_after * mask_after / 0.5, rtol=1e-6)
    assert any("Mask draw **#2**" in m.value for m in at.markdown)


def test_p_slider_changes_the_scaling(run_page):
    at = run_page("masks_scaling")
    at.sidebar.slider(key="ms_p").set_value(0.2).run()
    assert not at.exception
    h, mask, out = layer(at)
    np.testing.assert_allclose(out, h * mask / 0.8, rtol=1e-6)
    assert "× 1.25" in chart(at, "ms_layer_pass")["layout"]["annotations"][2]["text"]
    # 400 draws at keep probability 0.8: the kept share is within 0.8 ± 0.1 (5 std).
    assert abs(mask.mean() - 0.8) < 0.1


def test_after_1000_masks_the_running_mean_is_inside_the_band(run_page):
    at = run_page("masks_scaling")
    assert at.slider(key="ms_n").value == 1000
    figure = chart(at, "ms_convergence")
    mean = trace(figure, "mean of h·m/(1−p) over N masks")["y"]
    band = next(t for t in figure["data"] if t["name"] == "h ± 2σ/√N")["y"]
    target = figure["data"][1]["y"][0]
    assert len(mean) == 1000
    upper, lower = band[999], band[1000]  # the band's polygon: upper edge, then lower reversed
    assert lower <= mean[-1] <= upper
    assert target == pytest.approx((upper + lower) / 2)
    assert any("The mean is inside the band" in s.value for s in at.success)


@pytest.mark.parametrize("p", [0.5, 0.3])
def test_unscaled_eval_over_train_mean_is_one_over_one_minus_p(run_page, p):
    at = run_page("masks_scaling")
    if p != 0.5:
        at.sidebar.slider(key="ms_p").set_value(p).run()
    ratios = convention_ratios(at)
    # 2,000 masks × 400 activations: the train mean's standard error is ~0.2% at p = 0.5;
    # 3% is a wide margin that still tells 1/(1−p) from 1.
    assert ratios["unscaled (the bug)"] == pytest.approx(1 / (1 - p), rel=0.03)
    assert ratios["inverted (PyTorch)"] == pytest.approx(1.0, rel=0.03)
    assert ratios["classic (2014 paper)"] == pytest.approx(1.0, rel=0.03)


def test_trained_models_show_the_bugs_cost(run_page):
    at = run_page("masks_scaling")
    metrics = {m.label: m for m in at.metric}
    accuracy = {
        name: float(metrics[name].value.rstrip("%"))
        for name in ("inverted (PyTorch)", "classic (2014 paper)", "unscaled (the bug)")
    }
    assert accuracy["unscaled (the bug)"] < accuracy["classic (2014 paper)"]
    assert any("the same network, weight for weight" in m.value for m in at.markdown)
    without, with_dropout = (float(v) for v in metrics["Mean activation"].value.split(" → "))
    assert with_dropout < without  # sparser units after training with dropout
    assert [t["name"][:10] for t in chart(at, "ms_histograms")["data"][:2]] == [
        "no dropout",
        "dropout (m",
    ]


def test_p_zero_warns_instead_of_failing(run_page):
    at = run_page("masks_scaling")
    at.sidebar.slider(key="ms_p").set_value(0.0).run()
    assert not at.exception
    assert any("nothing is dropped" in w.value for w in at.warning)
    _, mask, _ = layer(at)
    assert mask.min() == 1.0
