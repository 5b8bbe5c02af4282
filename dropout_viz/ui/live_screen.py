"""The live part of a Playground screen: the step line, the three numbers and the board,
in one canvas element. The page draws it with the run's update as it is; while the run
plays, the canvas reads each next update from the feed (``serving/feed.py``) with the
run's owner key, and no script runs. The numbers' wording is ``figures.headline``'s,
shared with the class that follows the run."""

from __future__ import annotations

import json

from dropout_viz import lesson
from dropout_viz.ui.live_canvas import live_canvas

HELP = (
    lesson.tooltip("generalization gap"),
    "Smaller is better: the model does about as well on new points as on its training points.",
    "",
)


def live_screen(body: bytes, feed: str, owner_key: str) -> None:
    """``body``: the feed's answer for the run's update now (``serving.feed.answer_body``).
    Its elements never change in number or order between updates, so the canvases are
    never re-mounted (no blank frame)."""
    own = json.dumps(
        {"kind": "own", "feed": feed, "key": owner_key, "help": HELP}, separators=(",", ":")
    )
    # The update is already JSON bytes (the feed's, encoded once): spliced, not re-encoded.
    live_canvas(own[:-1].encode() + b"," + body[1:], key="pg_board", on_stopped=_stopped)


def _stopped() -> None:
    """The canvas saw the run stop by itself (its training diverged): this rerun redraws
    the buttons and the warning."""
