"""Own data on the Playground, in AppTest: every bad file shows its message and loses
nothing; a good file becomes the dataset, trains like the CLI, and the link says "own"."""

from __future__ import annotations

import json

import pytest

from dropout_viz.__main__ import main
from dropout_viz.core.user_data import PLAYGROUND, example_csv
from dropout_viz.pages.playground import CHUNK, STATE
from dropout_viz.ui import upload
from tests.core.test_user_data import BAD_FILES

from .screen import board, step_shown
from .test_playground import button

PLAYGROUND_FILES = {name: case for name, case in BAD_FILES.items() if case[1] == PLAYGROUND}


def _upload(at, name: str, raw: bytes):
    at.file_uploader(key=f"{upload.PLAYGROUND_PREFIX}_upload").set_value((name, raw, "text/csv"))
    return at.run()


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def test_every_bad_file_shows_its_message_and_the_run_is_untouched(run_page):
    at = run_page("playground")
    button(at, f"Step ×{CHUNK}").click().run()
    session = at.session_state[STATE]
    twin, settings = session.twin, session.settings
    grid = board(at)["panels"][0]["grid"]
    for case, (raw, _, words) in PLAYGROUND_FILES.items():
        _upload(at, f"{case}.csv", raw)
        assert not at.exception, (case, [e.message for e in at.exception])
        (message,) = _errors(at)
        for word in words:
            assert word in message, f"{case}: {word!r} not in {message!r}"
        # The previous dataset and the running twins are exactly as they were.
        assert at.session_state[STATE].twin is twin and twin.step_count == CHUNK, case
        assert at.session_state[STATE].settings == settings, case
        assert at.sidebar.selectbox(key="pg_dataset").value == "moons", case
        assert step_shown(at) == CHUNK and board(at)["panels"][0]["grid"] == grid, case


def _good_upload(run_page, tmp_path):
    at = run_page("playground")
    before = board(at)["panels"][0]
    path = tmp_path / "two_classes.csv"
    path.write_bytes(example_csv("classification"))
    _upload(at, path.name, path.read_bytes())
    assert not at.exception and not _errors(at)
    return at, before, path


def test_a_good_file_becomes_the_dataset_and_the_link_says_own(run_page, tmp_path):
    at, before, _ = _good_upload(run_page, tmp_path)
    session = at.session_state[STATE]
    assert session.settings.dataset.startswith("own:")
    assert at.sidebar.selectbox(key="pg_dataset").value == session.settings.dataset
    assert session.data.n_classes == 2 and session.twin.step_count == 0
    after = board(at)["panels"][0]
    assert after["grid"] != before["grid"] and after["train"] != before["train"]
    assert at.query_params["dataset"] == "own"
    assert any("two_classes.csv" in m.value and "standardised" in m.value for m in at.markdown)
    # A bad file now keeps the good one: its dataset and twins stay.
    button(at, "Step").click().run()
    twin = session.twin
    _upload(at, "bad.csv", b"x1,x2,label\n1,2,0\n")
    assert "at least 20 are needed" in _errors(at)[0]
    assert at.session_state[STATE].twin is twin and twin.step_count == 1
    assert at.session_state[STATE].settings.dataset == session.settings.dataset
    # Back to a built-in dataset and to the file again, without a new upload.
    at.sidebar.selectbox(key="pg_dataset").set_value("circles").run()
    assert at.session_state[STATE].data.config.dataset == "circles"
    at.sidebar.selectbox(key="pg_dataset").set_value(session.settings.dataset).run()
    assert at.session_state[STATE].data.n_classes == 2 and not at.exception


def test_a_link_with_own_data_but_no_file_falls_back_with_a_note(run_page):
    at = run_page("playground", {"dataset": "own", "n_train": "100"})
    assert at.session_state[STATE].settings.dataset == "moons"
    assert at.session_state[STATE].settings.n_train == 100  # the rest of the link holds
    assert any("own data file" in i.value and "Two moons" in i.value for i in at.info)
    assert not at.warning  # a note, not a "link setting adjusted" warning


def test_the_first_steps_match_the_cli_on_the_same_file_and_seed(run_page, tmp_path):
    at, _, path = _good_upload(run_page, tmp_path)
    at.sidebar.number_input(key="pg_seed").set_value(3).run()
    button(at, f"Step ×{CHUNK}").click().run()
    session = at.session_state[STATE]
    settings, data = session.settings, session.data
    out = tmp_path / "cli.json"
    argv = ["train", "--csv-data", str(path), "--test-share", str(settings.test_share)]
    argv += ["--n-train", str(data.config.n_train), "--seed", "3", "--data-seed", "3"]
    argv += ["--p", str(settings.drop_rate), "--hidden", "32,32", "--activation", "tanh"]
    argv += ["--lr", str(settings.learning_rate), "--epochs", str(CHUNK)]
    assert main([*argv, "--eval-every", str(CHUNK), "--json", str(out)]) == 0
    cli = json.loads(out.read_text())
    assert cli["config"]["data"] == {**vars(data.config)}
    for k, label in enumerate(session.twin.labels):
        page = session.twin.histories[k].columns
        assert cli["history"][label]["step"] == page["step"] == [0, CHUNK]
        for metric in ("train_loss", "test_loss", "train_acc", "test_acc"):
            assert cli["history"][label][metric] == page[metric], (label, metric)


class FakeUpload:
    """What st.file_uploader returns, as far as the glue reads it."""

    def __init__(self, name: str, raw: bytes, file_id: str = "1") -> None:
        self.name, self.raw, self.file_id, self.size = name, raw, file_id, len(raw)

    def getvalue(self) -> bytes:
        return self.raw


def test_the_glue_takes_each_file_once_and_keeps_the_last_good_one():
    state: dict = {}
    good = upload.take_upload(state, "p", FakeUpload("a.csv", example_csv("regression")), "lab")
    assert good is not None and state["p_table"] is good
    assert upload.take_upload(state, "p", FakeUpload("a.csv", b"", "1"), "lab") is None  # seen
    assert upload.take_upload(state, "p", FakeUpload("b.csv", b"", "2"), "lab") is None
    assert "empty" in state["p_error"] and state["p_table"] is good
    big = FakeUpload("big.csv", b"", "3")
    big.size = 5_000_000
    upload.take_upload(state, "p", big, "lab")
    assert "5.0 MB" in state["p_error"]
    upload.take_upload(state, "p", None, "lab")
    assert "p_error" not in state and state["p_table"] is good


@pytest.mark.parametrize("query", [{"dataset": "own:0123456789abcdef"}, {"dataset": "own"}])
def test_link_query_drops_own_data(query):
    values, note = upload.link_query(query, "moons")
    assert "dataset" not in values and "Two moons" in note
    assert upload.shareable({"dataset": "own:0123456789abcdef"}) == {"dataset": "own"}


def test_three_classes_train_and_the_board_paints_each(run_page):
    at = run_page("playground")
    _upload(at, "three.csv", example_csv("three_classes"))
    assert not at.exception and not _errors(at)
    button(at, f"Step ×{CHUNK}").click().run()
    session = at.session_state[STATE]
    assert session.data.n_classes == 3 and session.twin.step_count == CHUNK
    left = board(at)["panels"][0]
    assert left["classes"] == 3 and "boundary length" in left["summary"]
    assert board(at)["panels"][2]["kind"] == "network"  # three output units drawn


def test_a_students_copy_of_a_run_on_own_data_trains_on_the_teachers_file(run_page, tmp_path):
    teacher, _, _ = _good_upload(run_page, tmp_path)
    button(teacher, f"Step ×{CHUNK}").click().run()
    code = teacher.session_state[STATE].class_code
    student = run_page("playground", {"follow": code})
    button(student, "Make my own copy").click().run()
    assert not student.exception
    mine = student.session_state[STATE]
    assert mine.settings.dataset == teacher.session_state[STATE].settings.dataset
    assert student.sidebar.selectbox(key="pg_dataset").value == mine.settings.dataset
    student.sidebar.slider(key="pg_test_share").set_value(0.5).run()  # new split, same file
    assert not student.exception and not _errors(student)
    assert len(mine.data.x_test) == 100 and mine.twin.step_count == 0
