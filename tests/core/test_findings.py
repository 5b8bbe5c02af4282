"""The sentences pages show are read off the run's numbers, and say so when a run does
not show the lesson's effect."""

import pytest

from dropout_viz.core import findings
from dropout_viz.core.data import DataConfig, grid, make_dataset
from dropout_viz.core.training import TrainConfig, Twin


def point(train_loss, test_loss, test_acc=None):
    return {"train_loss": train_loss, "test_loss": test_loss, "test_acc": test_acc}


def playground(latest, lengths=(14.2, 9.8), step=6000, **settings):
    settings = {"n_train": 60, "drop_rates": [0.5], "link": "playground"} | settings
    return findings.playground_finding(step, latest, "classification", lengths, **settings)


def test_a_run_that_shows_the_lesson_is_described_by_its_own_numbers():
    text = playground([point(0.0, 1.67, 0.858), point(0.25, 0.80, 0.871 + 0.04)])
    assert "no dropout: train loss 0.000, test loss 1.670" in text
    assert "dropout: 0.250 / 0.800" in text
    assert "gap 1.670 → 0.550" in text
    assert "test accuracy 85.8% → 91.1%" in text
    assert "boundary length 14.2 → 9.8" in text
    assert "5.3 points higher" in text and "45% longer" in text
    assert "Dropout generalizes better here." in text
    assert "does not show" not in text


def test_other_numbers_give_other_words():
    first = playground([point(0.0, 1.67, 0.858), point(0.25, 0.80, 0.911)])
    second = playground([point(0.0, 1.20, 0.80), point(0.30, 0.90, 0.86)], lengths=(20.0, 10.0))
    assert first != second
    assert "gap 1.200 → 0.600" in second and "100% longer" in second


def test_a_tie_on_accuracy_is_said_plainly_with_the_setting_that_does_show_it():
    # The seed 0 at step ~7,000: the same accuracy, boundaries alike.
    text = playground(
        [point(0.0, 1.67, 0.858), point(0.25, 0.80, 0.858)], lengths=(10.0, 9.5), n_train=500
    )
    assert "test accuracy is about the same" in text
    assert "the two boundaries are about as long" in text
    assert "does not show dropout's effect" in text
    assert "with 500 training points there is little to memorise" in text
    assert "[The default scene](playground) does." in text
    assert "bends" not in text and "generalizes better" not in text


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ({"drop_rates": [0.0]}, "p is 0"),
        ({"weight_decay": 0.01}, "weight decay already regularizes"),
        ({"drop_rates": [0.9]}, "p = 0.9 drops so many units"),
    ],
)
def test_each_setting_that_hides_the_effect_is_named(settings, reason):
    text = playground([point(0.0, 0.5, 0.85), point(0.4, 0.6, 0.80)], **settings)
    assert "points *lower*" in text
    assert reason in text


def test_early_and_unexplained_results_say_what_to_do():
    behind = [point(0.03, 0.42, 0.887), point(0.27, 0.35, 0.863)]
    assert "It is early" in playground(behind, step=90)
    later = playground(behind, step=9000)
    assert "Runs differ from seed to seed" in later and "[the default scene](playground)" in later
    assert "At step 0 both twins are the same network" in playground(behind, step=0)


def test_regression_compares_test_losses():
    text = findings.playground_finding(
        900, [point(0.01, 0.30), point(0.05, 0.12)], "regression", n_train=20, drop_rates=[0.3]
    )
    assert "dropout's test loss is lower" in text and "Dropout generalizes better" in text
    assert "accuracy" not in text and "boundary" not in text


def test_a_live_twin_is_read_as_of_its_latest_evaluation():
    data = make_dataset(DataConfig("moons", n_train=30, n_test=60))
    twin = Twin(data, TrainConfig(hidden=(8,), drop_rate=0.5, eval_every=10))
    twin.step(25)  # evaluated at step 20
    text = findings.twin_finding(twin, grid(data.extent(), 40), data.extent())
    assert text.startswith("At step 20 — ")
    assert f"test loss {twin.latest[0]['test_loss']:.3f}" in text
    assert "boundary length" in text


def summary(losses, gaps=None):
    gaps = gaps or [0.5] * len(losses)
    return [
        {"p": p, "test_loss_mean": loss, "gap_mean": gap}
        for p, loss, gap in zip((0.0, 0.1, 0.3, 0.5, 0.8), losses, gaps)
    ]


def test_p_sweep_names_the_u_shape_only_when_it_is_there():
    u = findings.p_sweep_finding(summary([0.28, 0.25, 0.23, 0.22, 0.36]))
    assert u.startswith("Lowest test loss at p = 0.5: 0.220, against 0.280 at p = 0 and 0.360")
    assert "A U shape" in u
    high = findings.p_sweep_finding(summary([0.58, 0.36, 0.35, 0.33, 0.29]))
    assert "p = 0.8" in high and "outside the typical 0.1–0.5" in high and "U shape" not in high
    none = findings.p_sweep_finding(summary([0.2, 0.25, 0.3, 0.35, 0.4]))
    assert "No rate beat p = 0" in none


def test_best_p_finding_reads_the_trend():
    falls = [{"n_train": 25, "best_p": 0.7}, {"n_train": 100, "best_p": 0.5}]
    assert "falls (0.7 → 0.5)" in findings.best_p_finding(falls, "n_train")
    assert "more data needed less dropout" in findings.best_p_finding(falls, "n_train")
    flat = [{"width": 8, "best_p": 0.3}, {"width": 128, "best_p": 0.3}]
    assert "does not show the usual trend" in findings.best_p_finding(flat, "width")


def test_regularizer_finding_says_whether_they_overlapped():
    def rows(none, dropout, decay, both):
        losses = {"none": none, "dropout": dropout, "weight decay": decay, "both": both}
        return [{"label": label, "test_loss_mean": loss} for label, loss in losses.items()]

    overlap = findings.regularizer_finding(rows(0.83, 0.45, 0.60, 0.44))
    assert overlap.startswith("Test loss: none 0.830, dropout 0.450, weight decay 0.600")
    assert "lowered it by 0.230 on its own and lowered it by 0.010 on top of dropout" in overlap
    assert "helped less" in overlap
    apart = findings.regularizer_finding(rows(0.83, 0.45, 0.80, 0.30))
    assert "did not overlap" in apart
    assert "raised it by 0.050" in findings.regularizer_finding(rows(0.83, 0.45, 0.88, 0.50))
