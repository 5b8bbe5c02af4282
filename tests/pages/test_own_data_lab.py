"""Own data in the Overfitting lab (AppTest): a good file is swept like a built-in set and
its command names the file; a bad file shows its message and the lab keeps its dataset."""

from __future__ import annotations

from dropout_viz.core.user_data import LAB, UserDataError, example_csv, parse_csv
from tests.core.test_user_data import BAD_FILES

from .conftest import page_test

RAW = example_csv("lab")
KEY = parse_csv(RAW, shape=LAB).key


def _lab():
    at = page_test("overfitting_lab")
    for dataset in ("moons", KEY):
        at.session_state[f"lab_steps_{dataset}"] = 250
    at.session_state["lab_seeds"] = 2
    at.session_state["lab_width"] = 16
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _upload(at, name: str, raw: bytes):
    at.file_uploader(key="own_lab_upload").set_value((name, raw, "text/csv"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_a_bad_file_keeps_the_lab_as_it_was(run_page):
    at = _lab()
    before = at.dataframe[0].value
    _upload(at, "bad.csv", b"a,b,label\n" + b"1,2,x\n" * 30 + b"1,,y\n")
    (error,) = [e.value for e in at.error]
    assert error.startswith("bad.csv: Row 32, column 2 ('b') is missing a value")
    assert at.sidebar.selectbox(key="lab_dataset").value == "moons"
    assert at.dataframe[0].value.equals(before)
    assert "--dataset moons" in at.code[0].value


def test_a_good_file_is_swept_and_its_command_names_it():
    at = _upload(_lab(), "birds.csv", RAW)
    assert at.sidebar.selectbox(key="lab_dataset").value == KEY
    assert not at.error
    assert any("birds.csv" in m.value and "3 classes" in m.value for m in at.sidebar.markdown)
    rows = at.dataframe[0].value
    assert len(rows) == 9 and rows["test accuracy"].notna().all()  # it picked classification
    command = at.code[0].value
    assert command.startswith("python -m dropout_viz sweep --csv-data birds.csv --test-share 0.8")
    assert "--epochs 250 --seeds 2 --seed 0" in command
    at.sidebar.slider(key="lab_test_share").set_value(0.5).run()
    assert "--test-share 0.5" in at.code[0].value and not at.exception


def test_the_size_experiments_use_the_rows_the_file_has():
    at = _upload(_lab(), "birds.csv", RAW)  # 300 rows, test share 0.8: 60 left to train on
    at.segmented_control(key="lab_experiment").set_value("size").run()
    assert not at.exception and not at.error
    assert list(at.dataframe[0].value["training points"]) == [25, 50, 60]
    assert any("trained on 25 to 60 points" in m.value for m in at.markdown)  # not "to 800"
    assert "sweep-size --csv-data birds.csv" in at.code[0].value


def test_every_bad_file_shows_the_cores_message_and_the_lab_keeps_its_results():
    at = _lab()
    before = at.dataframe[0].value
    shown = 0
    for case, (raw, shape, words) in BAD_FILES.items():
        try:
            parse_csv(raw, name=f"{case}.csv", shape=LAB)
        except UserDataError as error:
            expected = str(error)
        else:
            continue  # a Playground-only fault (e.g. 3 columns of a curve): fine in the lab
        _upload(at, f"{case}.csv", raw)
        (message,) = [e.value for e in at.error]
        assert message.endswith(expected), case
        if shape == LAB:
            assert all(word in message for word in words), case
        assert at.sidebar.selectbox(key="lab_dataset").value == "moons", case
        assert at.dataframe[0].value.equals(before), case
        shown += 1
    assert shown >= 25
