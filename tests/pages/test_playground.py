"""The Playground page in AppTest: controls, buttons, URL state, divergence."""

import pytest

from dropout_viz.core import findings
from dropout_viz.pages.playground import CHUNK, STATE
from dropout_viz.serving import feed, trainer

from .screen import board, metric_labels, screen, step_line, step_shown


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_page_runs_and_shows_the_twins(run_page):
    at = run_page("playground")
    assert step_shown(at) == 0
    panels = board(at)["panels"]
    assert [p["kind"] for p in panels] == ["boundary", "boundary", "network", "stack"]
    assert panels[0]["title"] == "No dropout (p = 0)"
    assert panels[1]["title"] == "Dropout (p = 0.5)"
    assert [p["kind"] for p in panels[3]["panels"]] == ["lines", "lines"]
    assert metric_labels(at)[:2] == ["Gap without dropout", "Gap with dropout"]
    assert button(at, "Play")
    assert all(w.help for w in at.sidebar.slider), "every slider explains itself"


def test_step_buttons_advance_the_counter(run_page):
    at = run_page("playground")
    button(at, "Step").click().run()
    assert step_shown(at) == 1
    button(at, f"Step ×{CHUNK}").click().run()
    assert step_shown(at) == 1 + CHUNK
    assert at.session_state[STATE].twin.step_count == 1 + CHUNK
    network = board(at)["panels"][2]
    assert "units dropped" in network["summary"] and not network["summary"].startswith("0 ")


def test_changing_p_changes_the_dropout_twin_without_reset(run_page):
    at = run_page("playground")
    button(at, f"Step ×{CHUNK}").click().run()
    at.sidebar.slider(key="pg_drop_rate").set_value(0.2).run()
    twin = at.session_state[STATE].twin
    assert twin.model.drop_rates[1].tolist() == [pytest.approx(0.2)] * 2
    assert twin.model.drop_rates[0].tolist() == [0.0, 0.0]  # the baseline stays at 0
    assert step_shown(at) == CHUNK  # the running twins were kept


def test_changing_the_data_resets_the_twins(run_page):
    at = run_page("playground")
    button(at, f"Step ×{CHUNK}").click().run()
    at.sidebar.selectbox(key="pg_dataset").set_value("circles").run()
    assert step_shown(at) == 0
    assert at.session_state[STATE].data.config.dataset == "circles"
    assert at.sidebar.slider(key="pg_noise").value == 0.15  # the dataset's own noise


def test_reset_starts_again(run_page):
    at = run_page("playground")
    button(at, "Step").click().run()
    button(at, "Reset").click().run()
    assert step_shown(at) == 0


def test_play_becomes_pause(run_page):
    at = run_page("playground")
    button(at, "Play").click().run()
    assert button(at, "Pause")
    assert at.session_state[STATE].playing
    assert screen(at)["state"] == "live"  # the canvas now reads the feed
    button(at, "Pause").click().run()
    assert button(at, "Play")
    assert screen(at)["state"] == "paused"


def test_the_screen_reads_its_own_runs_feed_with_the_owner_key(run_page):
    at = run_page("playground")
    session = at.session_state[STATE]
    shown = screen(at)
    assert shown["kind"] == "own"
    assert shown["feed"] == feed.PATH + session.class_code
    assert shown["key"] == session.owner_key  # what makes its requests the owner's
    # The screen starts from the very answer the feed would give for this update.
    assert shown["v"] == feed.version_of(session.snapshot, "paused")
    assert len(shown["head"]["metrics"]) == 3 and len(shown["help"]) == 3


def test_a_rerun_while_playing_trains_nothing(run_page):
    # The trainer thread trains a playing run, and only when its screen asks: a script
    # run (a widget, a button) only draws the run as it is.
    at = run_page("playground")
    button(at, "Play").click().run()
    at.run()
    at.run()
    assert step_shown(at) == 0 == at.session_state[STATE].twin.step_count


def test_every_script_run_publishes_a_new_version(run_page):
    # A Reset back to step 0 must still look new to a screen that had step 0 before.
    at = run_page("playground")
    first = screen(at)["v"]
    button(at, "Reset").click().run()
    assert screen(at)["v"] != first and step_shown(at) == 0


def test_the_trainers_updates_show_in_the_step_line(run_page):
    at = run_page("playground")
    button(at, "Play").click().run()
    session = at.session_state[STATE]
    for _ in range(5):  # the speed is shown once a few updates were measured
        assert trainer.update(session)
    at.run()  # the page draws the run as the trainer left it
    assert step_shown(at) == 5 * CHUNK == session.twin.step_count
    assert screen(at)["state"] == "live"
    line = step_line(at)
    assert line.startswith(f"Step {5 * CHUNK} · seed 0 · ")
    assert "steps/s" in line and "ms of server time per update" in line


def test_divergence_in_the_trainer_pauses_with_a_warning(run_page):
    at = run_page(
        "playground",
        {"dataset": "sine", "optimizer": "sgd", "learning_rate": "3.0", "activation": "relu"},
    )
    button(at, "Play").click().run()
    session = at.session_state[STATE]
    for _ in range(10):
        if not trainer.update(session):
            break
    assert session.twin.status == "diverged" and not session.playing
    # The canvas saw "diverged" in the feed and asked for this rerun (its on_stopped).
    at.run()
    assert button(at, "Play")
    assert "diverged" in " ".join(w.value for w in at.warning)
    assert screen(at)["head"]["diverged"] and screen(at)["state"] == "paused"


def test_the_page_starts_the_trainer(run_page):
    run_page("playground")
    thread = trainer.TRAINER._thread
    assert thread is not None and thread.is_alive()


def test_divergence_pauses_with_a_warning(run_page):
    at = run_page(
        "playground",
        {"dataset": "sine", "optimizer": "sgd", "learning_rate": "3.0", "activation": "relu"},
    )
    for _ in range(4):
        button(at, f"Step ×{CHUNK}").click().run()
    assert at.session_state[STATE].twin.status == "diverged"
    warning = " ".join(w.value for w in at.warning)
    assert "diverged" in warning and "lower the learning rate" in warning
    assert not at.exception


def test_url_values_out_of_range_are_clamped_with_a_warning(run_page):
    at = run_page("playground", {"n_train": "99999", "drop_rate": "abc", "dataset": "mnist"})
    warnings = " ".join(w.value for w in at.warning)
    assert "Training points 99999 is outside" in warnings
    assert "not a number" in warnings and "'mnist'" in warnings
    settings = at.session_state[STATE].settings
    assert settings.n_train == 500 and settings.drop_rate == 0.5 and settings.dataset == "moons"


def test_settings_are_written_to_the_url(run_page):
    at = run_page("playground")
    at.sidebar.slider(key="pg_n_train").set_value(120).run()
    assert at.query_params["n_train"] == "120"


def watch_text(at) -> str:
    """The run-derived "what this run shows" sentence under the page's introduction."""
    return next(m.value for m in at.markdown if m.value.startswith("At step"))


def test_what_to_watch_says_what_this_run_shows(run_page):
    at = run_page("playground")
    assert "At step 0 both twins are the same network" in watch_text(at)
    intro = " ".join(m.value for m in at.markdown)
    assert "keeps a smooth boundary" not in intro  # no fixed claim a run may not bear out
    seen = []
    for _ in range(2):
        button(at, f"Step ×{CHUNK}").click().run()
        text = watch_text(at)
        base, drop = at.session_state[STATE].twin.latest
        assert text.startswith(f"At step {base['step']:,} — ")
        assert f"test loss {base['test_loss']:.3f}" in text
        assert f"test accuracy {base['test_acc']:.1%} → {drop['test_acc']:.1%}" in text
        gap = f"gap {base['test_loss'] - base['train_loss']:.3f}"
        assert gap in text
        seen.append(text)
    assert seen[0] != seen[1]  # other numbers, other words


def test_while_it_plays_the_page_states_no_step_it_has_left(run_page):
    at = run_page("playground")
    button(at, "Play").click().run()
    sentences = [m.value for m in at.markdown]
    assert findings.PLAYING in sentences  # not "At step 0 ...", drawn once and left behind
    assert not any(s.startswith("At step") for s in sentences)
    button(at, "Pause").click().run()
    paused_at = at.session_state[STATE].twin.latest[0]["step"]
    assert watch_text(at).startswith(f"At step {paused_at:,} ")  # the step it paused at


def test_each_boundary_panel_shows_its_length(run_page):
    at = run_page("playground")
    button(at, f"Step ×{CHUNK}").click().run()
    left, right = board(at)["panels"][:2]
    lengths = [float(p["summary"].rsplit("boundary length ", 1)[1]) for p in (left, right)]
    assert all(length > 0 for length in lengths)
    assert f"boundary length {lengths[0]:.1f} → {lengths[1]:.1f}" in watch_text(at)
