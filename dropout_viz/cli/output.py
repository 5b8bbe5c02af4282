"""What the CLI prints and writes: aligned tables, JSON (to a file or alone on stdout),
CSV rows, and a progress bar on stderr."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence


def progress(total: int, label: str, unit: str = "step"):
    """A progress bar on stderr; it only draws when a run takes over a second."""
    from tqdm import tqdm

    return tqdm(
        total=total, desc=label, unit=unit, file=sys.stderr, delay=1.0, disable=None, leave=False
    )


def format_table(rows: Sequence[dict], columns: Sequence[str]) -> str:
    def cell(value) -> str:
        if value is None:
            return "-"
        return f"{value:.4f}" if isinstance(value, float) else str(value)

    table = [list(columns)] + [[cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    return "\n".join("  ".join(v.rjust(w) for v, w in zip(r, widths)) for r in table)


def write_json(payload: dict, target: str, table: str) -> None:
    """`-`: JSON alone on stdout (table to stderr); otherwise JSON to a file, table to stdout."""
    text = json.dumps(payload, indent=2)
    if target == "-":
        print(table, file=sys.stderr)
        print(text)
        return
    with open(target, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    print(table)
    print(f"wrote {target}")


def write_csv(rows: Iterable[dict], columns: Sequence[str], target: str) -> None:
    with open(target, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def report(table: str, payload: dict, json_target: str | None) -> None:
    """The table, and the payload as JSON if --json was given."""
    if json_target:
        write_json(payload, json_target, table)
    else:
        print(table)
