"""The checks a learner's CSV file goes through, cell by cell (``core/user_data.py`` turns
a file that passes them into a table). Each raises ``UserDataError`` naming the row and
column at fault, counted as a spreadsheet counts them: the header is row 1."""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from . import limits

PLAYGROUND, LAB = "playground", "lab"  # the file shapes: 2-D (or 1-D) data, or many features
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "-"})


class UserDataError(ValueError):
    """A file that cannot be used, with what to change."""


def rows_of(raw: bytes, name: str) -> list[list[str]]:
    if len(raw) > limits.USER_MAX_BYTES:
        raise UserDataError(
            f"{name} is {len(raw) / 1e6:.1f} MB; files may be at most "
            f"{limits.USER_MAX_BYTES / 1e6:g} MB ({limits.USER_MAX_ROWS:,} rows)."
        )
    if not raw.strip():
        raise UserDataError(f"{name} is empty: it needs a header row and data rows.")
    if b"\x00" in raw[:4096] or raw[:2] == b"PK":
        raise UserDataError(
            f"{name} is not a CSV text file (it looks like a spreadsheet or another binary "
            "file). Save it as 'CSV UTF-8 (comma delimited)' and upload that."
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = raw[: error.start].count(b"\n") + 1
        raise UserDataError(
            f"{name} is not UTF-8 text: row {row} has the byte 0x{raw[error.start]:02x}, which "
            "UTF-8 does not allow. Save the file as 'CSV UTF-8' and upload it again."
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=lambda d: (first_line.count(d), d == ","))
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise UserDataError(f"{name} is not valid CSV: {error}.") from None
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()  # blank lines at the end
    return rows


def _number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def header_of(rows: list[list[str]]) -> tuple[list[str], list[list[str]], int]:
    """The column names, the data rows and the spreadsheet row number of the first one.

    A first row of numbers only is data, and the columns get names of their own."""
    first = rows[0]
    if all(_number(cell) is not None for cell in first):
        return [f"column {j + 1}" for j in range(len(first))], rows, 1
    names = [cell.strip() or f"column {j + 1}" for j, cell in enumerate(first)]
    return names, rows[1:], 2


def check_shape(
    header: list[str], body: list[list[str]], first_row: int, name: str, shape: str
) -> None:
    columns = len(header)
    if not body:
        raise UserDataError(f"{name} has a header ({', '.join(header)}) but no data rows below it.")
    for i, row in enumerate(body):
        if not any(cell.strip() for cell in row):
            raise UserDataError(f"Row {first_row + i} is blank: delete it.")
        if len(row) != columns:
            raise UserDataError(
                f"Row {first_row + i} has {len(row)} cells, but the header has {columns} "
                "columns: every row needs one value per column."
            )
    if columns < 2:
        raise UserDataError(
            f"{name} has 1 column; it needs at least 2: the features, then the label or "
            "target in the last column."
        )
    if shape == PLAYGROUND and columns > 3:
        raise UserDataError(
            f"{name} has {columns} columns; the Playground draws 2-D data: at most 3 columns "
            "(x1, x2, label) or 2 (x, target). Use the Overfitting lab for more features."
        )
    if columns > limits.USER_MAX_FEATURES + 1:
        raise UserDataError(
            f"{name} has {columns} columns; at most {limits.USER_MAX_FEATURES + 1} are allowed "
            f"({limits.USER_MAX_FEATURES} features and the label)."
        )
    if len(body) > limits.USER_MAX_ROWS:
        raise UserDataError(
            f"{name} has {len(body):,} data rows; at most {limits.USER_MAX_ROWS:,} are allowed. "
            "Keep a random sample of them."
        )
    if len(body) < limits.USER_MIN_ROWS:
        raise UserDataError(
            f"{name} has {len(body)} data rows; at least {limits.USER_MIN_ROWS} are needed to "
            "split them into training and test points."
        )


def feature_matrix(header: list[str], body: list[list[str]], first_row: int) -> np.ndarray:
    """(rows, features) float64; the first bad cell, in reading order, stops it."""
    n = len(header) - 1
    matrix = np.empty((len(body), n))
    for i, row in enumerate(body):
        for j in range(n):
            matrix[i, j] = _cell(row[j], first_row + i, j, header[j])
        _label_present(row[-1], first_row + i, n, header[n])
    return matrix


def _where(row: int, column: int, name: str) -> str:
    return f"Row {row}, column {column + 1} ('{name}')"


def _missing(text: str) -> bool:
    value = _number(text)
    return text.lower() in MISSING or (value is not None and math.isnan(value))  # "-nan" too


def _cell(cell: str, row: int, column: int, name: str) -> float:
    text = _present(cell, row, column, name, "fill it in or delete the row")
    value = _number(text)
    if value is None:
        raise UserDataError(
            f"{_where(row, column, name)} is {text!r}, not a number: feature columns must hold "
            "numbers only (use a dot as the decimal point)."
        )
    return value


def _label_present(cell: str, row: int, column: int, name: str) -> None:
    _present(cell, row, column, name, "every row needs a label. Fill it in or delete the row")


def _present(cell: str, row: int, column: int, name: str, remedy: str) -> str:
    """The cell's text, unless it is missing or an infinite number."""
    text = cell.strip()
    if _missing(text):
        raise UserDataError(
            f"{_where(row, column, name)} is missing a value"
            + (f" ({text!r})" if text else "")
            + f": {remedy}."
        )
    value = _number(text)
    if value is not None and math.isinf(value):
        raise UserDataError(
            f"{_where(row, column, name)} is infinite ({text!r}): use a finite number or "
            "delete the row."
        )
    return text


def task_of(
    labels: list[str], label_name: str, header: list[str], first_row: int, shape: str
) -> tuple[tuple[str, ...], np.ndarray]:
    """Classes and class indices, or () and the numeric target.

    Text labels, and whole numbers with at most USER_MAX_CLASSES values, are classes;
    other numbers are a target to fit. The same rule everywhere, so the CLI picks the
    task the page picked; the Playground then needs 2 features to classify, 1 to fit."""
    column = len(header)
    where = f"Column {column} ('{label_name}')"
    numbers = [_number(v) for v in labels]
    numeric = all(v is not None for v in numbers)
    distinct = sorted(set(numbers)) if numeric else sorted(set(labels))
    whole = numeric and all(float(v).is_integer() for v in distinct)
    if len(distinct) < 2:
        raise UserDataError(
            f"{where} has the same value in every row: one class ({_name(distinct[0])}), "
            "nothing to learn. Classification needs at least 2 classes, a curve fit "
            "different values."
        )
    classify = not numeric or (whole and len(distinct) <= limits.USER_MAX_CLASSES)
    if shape == PLAYGROUND and classify and column == 2:
        raise UserDataError(
            f"{where} holds classes ({', '.join(_name(v) for v in distinct[:4])}"
            f"{', …' if len(distinct) > 4 else ''}), and the file has only 2 columns: a 2-D "
            "classification needs 3 columns (x1, x2, label). To fit a curve instead, the last "
            f"column needs numbers with more than {limits.USER_MAX_CLASSES} different values."
        )
    if shape == PLAYGROUND and not classify and column == 3 and not whole:
        raise UserDataError(
            f"{where} holds numbers to fit, not classes, but the Playground fits curves of one "
            "feature: keep 2 columns (x, target), or use the Overfitting lab."
        )
    if not classify and not (shape == PLAYGROUND and column == 3):
        return (), np.asarray(numbers, dtype=np.float64)
    if len(distinct) > limits.USER_MAX_CLASSES:
        raise UserDataError(
            f"{where}, the label, has {len(distinct)} different values; at most "
            f"{limits.USER_MAX_CLASSES} classes are allowed."
        )
    index = {v: k for k, v in enumerate(distinct)}
    keys = numbers if numeric else labels
    target = np.asarray([index[v] for v in keys], dtype=np.int64)
    return tuple(_name(v) for v in distinct), target


def _name(value: float | str) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return value
