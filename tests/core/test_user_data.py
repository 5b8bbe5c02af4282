"""Own data: every bad file gets a message naming its row or column; a good one is a Dataset."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dropout_viz.core import limits
from dropout_viz.core.data import DataConfig, make_dataset
from dropout_viz.core.user_data import (
    EXAMPLE_KINDS,
    LAB,
    PLAYGROUND,
    UserDataError,
    data_config,
    example_csv,
    parse_csv,
    register,
)


def _csv(header: str, rows: list[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def _good_rows(n: int = 30) -> list[str]:
    return [f"{i * 0.1:.1f},{(i * 7 % 11) * 0.3:.1f},{i % 2}" for i in range(n)]


def _with(row_index: int, row: str, n: int = 30, header: str = "x1,x2,label") -> bytes:
    rows = _good_rows(n)
    rows[row_index] = row
    return _csv(header, rows)


# Every bad file of the issue, and the words its message must contain: the row (as a
# spreadsheet counts: header = row 1) and the column at fault, or the limit.
BAD_FILES = {
    "empty": (b"", PLAYGROUND, ["empty"]),
    "only blank lines": (b"\n\n  \n", PLAYGROUND, ["empty"]),
    "not utf-8": (
        _csv("x1,x2,label", _good_rows(29)) + b"1.0,caf\xe9,1\n",
        PLAYGROUND,
        ["not UTF-8", "row 31", "0xe9"],
    ),
    "binary (png)": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", PLAYGROUND, ["not a CSV"]),
    "spreadsheet (xlsx)": (b"PK\x03\x04" + b"x" * 100, PLAYGROUND, ["not a CSV", "CSV UTF-8"]),
    "header only": (b"x1,x2,label\n", PLAYGROUND, ["header", "no data rows"]),
    "one column": (_csv("x", [str(i) for i in range(30)]), PLAYGROUND, ["1 column", "at least 2"]),
    "2 columns, text label in the playground": (
        _csv("x,label", [f"{i},{'ab'[i % 2]}" for i in range(30)]),
        PLAYGROUND,
        ["Column 2 ('label')", "classes (a, b)", "needs 3 columns"],
    ),
    "2 columns, 0/1 label in the playground": (
        _csv("x,label", [f"{i},{i % 2}" for i in range(30)]),
        PLAYGROUND,
        ["Column 2 ('label')", "classes (0, 1)", "needs 3 columns"],
    ),
    "3 columns, a target to fit in the playground": (
        _csv("x1,x2,y", [f"{i},{i % 3},{i * 0.37}" for i in range(30)]),
        PLAYGROUND,
        ["Column 3 ('y')", "numbers to fit", "Overfitting lab"],
    ),
    "ragged row": (_with(6, "1.0,2.0"), PLAYGROUND, ["Row 8", "2 cells", "3 columns"]),
    "non-numeric feature": (
        _with(9, "1.0,abc,1"),
        PLAYGROUND,
        ["Row 11, column 2 ('x2')", "'abc'", "not a number"],
    ),
    "decimal comma": (
        _csv("x1;x2;label", [f"{i},5;2;{i % 2}" for i in range(30)]),
        PLAYGROUND,
        ["Row 2, column 1 ('x1')", "'0,5'", "dot"],
    ),
    "missing feature": (_with(3, "1.0,,0"), PLAYGROUND, ["Row 5, column 2 ('x2')", "missing"]),
    "NA feature": (_with(12, "NA,1.0,0"), PLAYGROUND, ["Row 14, column 1 ('x1')", "missing"]),
    "-nan feature": (_with(12, "-nan,1.0,0"), PLAYGROUND, ["Row 14, column 1 ('x1')", "missing"]),
    "NaN label": (_with(3, "1.0,2.0,NaN"), PLAYGROUND, ["Row 5, column 3 ('label')", "missing"]),
    "missing label": (_with(20, "1.0,2.0,"), PLAYGROUND, ["Row 22, column 3 ('label')", "missing"]),
    "infinite feature": (_with(5, "inf,1.0,0"), PLAYGROUND, ["Row 7, column 1 ('x1')", "infinite"]),
    "overflowing feature": (
        _with(5, "1e999,1.0,0"),
        PLAYGROUND,
        ["Row 7, column 1 ('x1')", "infinite"],
    ),
    "infinite label": (
        _csv("x,y", [f"{i},{i * 0.5}" for i in range(29)] + ["1,-inf"]),
        PLAYGROUND,
        ["Row 31, column 2 ('y')", "infinite"],
    ),
    "one class": (
        _csv("x1,x2,label", [f"{i},{i % 3},1" for i in range(30)]),
        PLAYGROUND,
        ["Column 3 ('label')", "one class (1)"],
    ),
    "too many classes": (
        _csv("x1,x2,label", [f"{i},{i % 3},{i % 12}" for i in range(30)]),
        PLAYGROUND,
        ["Column 3 ('label')", "12 different values", "at most 10"],
    ),
    "too many text classes (lab)": (
        _csv("a,b,c,name", [f"{i},{i % 3},{i % 5},n{i % 11}" for i in range(30)]),
        LAB,
        ["Column 4 ('name')", "11 different values", "at most 10"],
    ),
    "constant feature": (
        _csv("x1,x2,label", [f"{i},4.5,{i % 2}" for i in range(30)]),
        PLAYGROUND,
        ["Column 2 ('x2')", "4.5", "every row"],
    ),
    "constant target": (
        _csv("x,y", [f"{i},2" for i in range(30)]),
        PLAYGROUND,
        ["Column 2 ('y')", "every row"],
    ),
    "too many rows": (
        _csv("x1,x2,label", _good_rows(limits.USER_MAX_ROWS + 1)),
        PLAYGROUND,
        [f"{limits.USER_MAX_ROWS + 1:,} data rows", f"at most {limits.USER_MAX_ROWS:,}"],
    ),
    "too few rows": (
        _csv("x1,x2,label", _good_rows(5)),
        PLAYGROUND,
        ["5 data rows", f"at least {limits.USER_MIN_ROWS}"],
    ),
    "too many columns (playground)": (
        _csv("a,b,c,label", [f"{i},{i % 3},{i % 5},{i % 2}" for i in range(30)]),
        PLAYGROUND,
        ["4 columns", "at most 3", "Overfitting lab"],
    ),
    "too many columns (lab)": (
        _csv(
            ",".join(f"f{j}" for j in range(70)),
            [",".join(str(i + j) for j in range(70)) for i in range(30)],
        ),
        LAB,
        ["70 columns", f"at most {limits.USER_MAX_FEATURES + 1}"],
    ),
    "over the size limit": (
        b"x1,x2,label\n" + b"1.0,2.0,1\n" * 120_000,
        PLAYGROUND,
        ["MB", f"at most {limits.USER_MAX_BYTES / 1e6:g} MB"],
    ),
    "blank row inside": (_with(8, ","), PLAYGROUND, ["Row 10"]),
    "unclosed quote": (_with(2, '"1.0,2.0,1'), PLAYGROUND, ["not valid CSV"]),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_every_bad_file_is_refused_with_a_message_that_names_the_fault(case):
    raw, shape, words = BAD_FILES[case]
    with pytest.raises(UserDataError) as error:
        parse_csv(raw, name="bad.csv", shape=shape)
    message = str(error.value)
    for word in words:
        assert word in message, f"{case}: {word!r} not in {message!r}"


def test_a_bad_file_error_is_a_value_error():
    # Pages show ValueError with st.error (DESIGN.md: bad input never crashes a page).
    assert issubclass(UserDataError, ValueError)


def test_the_size_limit_matches_the_servers_upload_limit():
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).parents[2] / ".streamlit/config.toml").read_text())
    # Streamlit's maxUploadSize is in MB (2**20 bytes); the file limit must not exceed it.
    assert config["server"]["maxUploadSize"] * 2**20 >= limits.USER_MAX_BYTES
    assert (config["server"]["maxUploadSize"] - 1) * 2**20 < limits.USER_MAX_BYTES


@pytest.mark.parametrize("kind", EXAMPLE_KINDS)
def test_the_example_files_are_valid(kind):
    shape = LAB if kind == "lab" else PLAYGROUND
    table = parse_csv(example_csv(kind), name=f"{kind}.csv", shape=shape)
    assert table.task == ("regression" if kind == "regression" else "classification")
    classes = {"classification": 2, "three_classes": 3, "regression": 0, "lab": 3}
    assert table.n_classes == classes[kind]
    assert table.rows >= limits.USER_MIN_ROWS


def test_the_task_is_picked_from_the_label_column():
    rows = [f"{i},{i % 7},{'xyz'[i % 3]}" for i in range(30)]
    text = parse_csv(_csv("a,b,kind", rows), shape=LAB)
    assert text.task == "classification" and text.classes == ("x", "y", "z")
    assert text.target[:3].tolist() == [0, 1, 2]
    curve = parse_csv(_csv("x,y", [f"{i},{i * 0.5 + 1}" for i in range(30)]))
    assert curve.task == "regression"
    # In the lab, whole numbers with few values are classes; other numbers a target.
    few = parse_csv(_csv("a,b,c", [f"{i},{i % 3},{i % 4}" for i in range(30)]), shape=LAB)
    assert few.classes == ("0", "1", "2", "3")
    many = parse_csv(_csv("a,b,c", [f"{i},{i % 3},{i * 1.5}" for i in range(30)]), shape=LAB)
    assert many.task == "regression"


def test_features_and_target_are_standardised_over_all_rows():
    table = parse_csv(example_csv("regression"))
    np.testing.assert_allclose(table.features.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(table.features.std(0), 1, atol=1e-12)
    np.testing.assert_allclose([table.target.mean(), table.target.std()], [0, 1], atol=1e-12)
    assert "standardised" in table.describe()


def test_a_header_is_optional_and_other_delimiters_work():
    no_header = parse_csv(("\n".join(_good_rows(30)) + "\n").encode())
    assert no_header.feature_names == ("column 1", "column 2")
    semicolons = parse_csv(_csv("x1;x2;label", [r.replace(",", ";") for r in _good_rows()]))
    np.testing.assert_array_equal(semicolons.features, no_header.features)
    bom = parse_csv(b"\xef\xbb\xbf" + _csv("x1,x2,label", _good_rows()))
    assert bom.feature_names == ("x1", "x2")


def test_a_registered_file_is_a_dataset_like_the_built_in_ones():
    table = parse_csv(example_csv("classification"), name="moons.csv")
    config = data_config(table, test_share=0.25, n_train=500, seed=3)
    assert config.dataset == register(table) == table.key
    assert (config.n_train, config.n_test) == (150, 50)  # all 200 rows: 1/4 test
    data = make_dataset(config)
    assert data.task == "classification" and data.n_classes == 2
    assert data.x_train.shape == (150, 2) and data.x_train.dtype == torch.float32
    assert data.y_train.dtype == torch.long and data.y_test.shape == (50,)
    # Train and test are disjoint rows of the file; together all of them.
    rows = torch.cat([data.x_train, data.x_test])
    assert len({tuple(r) for r in rows.tolist()}) == 200
    # Same config, same tensors; fewer training points are the first of the same order.
    again = make_dataset(config)
    assert torch.equal(again.x_train, data.x_train)
    fewer = make_dataset(data_config(table, 0.25, 60, 3))
    assert torch.equal(fewer.x_test, data.x_test)
    assert torch.equal(fewer.x_train, data.x_train[:60])


def test_regression_targets_have_the_built_in_shape():
    table = parse_csv(example_csv("regression"))
    data = make_dataset(data_config(table, 0.5, 500, 0))
    assert data.task == "regression" and data.y_train.shape == (60, 1)
    assert data.y_train.dtype == torch.float32


def test_a_config_larger_than_the_file_is_refused():
    table = parse_csv(example_csv("classification"))
    register(table)
    with pytest.raises(ValueError, match="200 rows"):
        DataConfig(table.key, n_train=180, n_test=50).validate()
    with pytest.raises(ValueError, match="upload it again"):
        DataConfig("own:0000000000000000").validate()


def test_the_same_file_has_the_same_key_and_another_file_another():
    a = parse_csv(example_csv("classification"))
    assert parse_csv(example_csv("classification")).key == a.key
    assert parse_csv(example_csv("regression")).key != a.key


def test_the_playground_takes_up_to_ten_classes():
    rows = [f"{i},{i * 7 % 13},{'abcdefghij'[i % 10]}" for i in range(40)]
    table = parse_csv(_csv("x1,x2,kind", rows), shape=PLAYGROUND)
    assert table.n_classes == 10 and table.classes[:3] == ("a", "b", "c")
    data = make_dataset(data_config(table, 0.5, 500, 0))
    assert data.out_features == 10  # one logit per class, like digits
