"""Read the Playground's live screen as AppTest sees it.

The step line, the three numbers and the board are one custom component element (key
"pg_board") whose data is the JSON the canvas draws them from (``ui/live_screen.py``);
the follower's page has its own ("pg_follow")."""

from __future__ import annotations

import json


def component(at, key: str) -> dict:
    """The decoded JSON data of the custom component (bidi_component) with this key."""
    for element in at.get("bidi_component"):
        if element.proto.id.endswith(f"-{key}"):
            return json.loads(element.proto.bytes)  # sent as JSON bytes
    raise AssertionError(f"no component with key {key!r} on the page")


def screen(at) -> dict:
    """The learner's own live screen: {"kind": "own", "feed", "key", "v", "state",
    "head": {...}, "board": {...}}."""
    return component(at, "pg_board")


def board(at) -> dict:
    """The board of panels the learner's canvas draws."""
    return screen(at)["board"]


def step_shown(at) -> int:
    """The step the screen's step line says."""
    return screen(at)["head"]["step"]


def step_line(at) -> str:
    """The step line as the canvas writes it (live_canvas.js, ``own``)."""
    head = screen(at)["head"]
    return f"Step {head['step']:,} · seed {head['seed']}{head['note']}"


def metric_labels(at) -> list[str]:
    return [label for label, _, _ in screen(at)["head"]["metrics"]]


def follow_canvas(at) -> dict:
    """What a follower's canvas was given: where to read the teacher's updates."""
    return component(at, "pg_follow")
