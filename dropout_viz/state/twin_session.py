"""The Playground's per-user state: its settings, its data and the twin being trained.

Lives in ``st.session_state`` (one per browser session), never in a global
cache: every student trains their own twin.
"""

from __future__ import annotations

import itertools
import math
import secrets
import statistics
import threading
from collections import deque
from dataclasses import dataclass, field, fields

import torch

from dropout_viz.core import limits, user_data
from dropout_viz.core.data import (
    DEFAULT_NOISE,
    TRUTH,
    DataConfig,
    Dataset,
    grid,
    line,
    make_dataset,
)
from dropout_viz.core.training import TrainConfig, Twin


@dataclass(frozen=True)
class PlaygroundSettings:
    dataset: str = "moons"
    n_train: int = limits.PLAYGROUND_N_TRAIN.default
    noise: float = DEFAULT_NOISE["moons"]
    test_share: float = limits.TEST_SHARE.default
    layers: int = limits.LAYERS.default
    width: int = limits.WIDTH.default
    drop_rate: float = limits.PLAYGROUND_DROP_RATE.default  # shared by every hidden layer...
    layer_rates: tuple[float, ...] = ()  # ...unless one rate per layer is given here
    activation: str = "tanh"
    learning_rate: float = limits.LEARNING_RATE.default
    optimizer: str = "adam"
    batch_size: int = 0
    weight_decay: float = 0.0
    seed: int = 0

    @property
    def drop_rates(self) -> tuple[float, ...]:
        if len(self.layer_rates) == self.layers:
            return self.layer_rates
        return (self.drop_rate,) * self.layers

    def data_config(self) -> DataConfig:
        share = self.test_share
        if self.dataset.startswith(user_data.OWN_DATA):  # a learner's file (core/user_data)
            table = user_data.lookup(self.dataset)
            if table is not None:
                return user_data.data_config(table, share, self.n_train, self.seed)
            # Validation says what to do: this file is not loaded (any more).
            return DataConfig(self.dataset, self.n_train, 1, 0.0, self.seed)
        n_test = min(
            limits.N_TEST.high, max(limits.N_TEST.low, round(self.n_train * share / (1 - share)))
        )
        return DataConfig(self.dataset, self.n_train, n_test, self.noise, self.seed)

    def train_config(self) -> TrainConfig:
        return TrainConfig(
            hidden=(self.width,) * self.layers,
            drop_rate=self.drop_rates,
            activation=self.activation,
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            weight_decay=self.weight_decay,
            batch_size=self.batch_size,
            seed=self.seed,
            eval_every=limits.STEPS_PER_TICK.default,
        )


# What a URL may set, and within which bounds.
RULES = {
    "dataset": limits.PLAYGROUND_DATASETS,
    "n_train": limits.PLAYGROUND_N_TRAIN,
    "noise": limits.NOISE,
    "test_share": limits.TEST_SHARE,
    "layers": limits.LAYERS,
    "width": limits.WIDTH,
    "drop_rate": limits.PLAYGROUND_DROP_RATE,
    "layer_rates": limits.PLAYGROUND_DROP_RATE,
    "activation": limits.ACTIVATIONS,
    "learning_rate": limits.LEARNING_RATE,
    "optimizer": limits.OPTIMIZERS,
    "batch_size": limits.BATCH_SIZE,
    "weight_decay": limits.WEIGHT_DECAY,
    "seed": limits.SEED,
}

# Settings a running twin can take at once; every other change starts the twins again.
LIVE_FIELDS = frozenset({"drop_rate", "layer_rates", "learning_rate", "weight_decay"})


class Speedometer:
    """Server time per screen update and training steps per second, over recent updates."""

    def __init__(self, window: int = 60) -> None:
        self.ticks: deque[tuple[float, float, int]] = deque(maxlen=window)  # start, end, step

    def record(self, start: float, end: float, step: int) -> None:
        self.ticks.append((start, end, step))

    @property
    def ready(self) -> bool:
        return len(self.ticks) >= 5

    @property
    def median_tick_ms(self) -> float:
        return 1000 * statistics.median(end - start for start, end, _ in self.ticks)

    @property
    def steps_per_second(self) -> float:
        (first, _, first_step), (_, last, last_step) = self.ticks[0], self.ticks[-1]
        return (last_step - first_step) / max(last - first, 1e-9)


FOLLOWING_SECONDS = 3.0  # a follower whose browser asked that recently is watching
OWNER_KEY_BYTES = 9  # the learner's own screen proves it is the owner's with this token


@dataclass(frozen=True)
class BoardView:
    """How the learner asked the board to be drawn (widgets of the page). Kept on the
    run, because the trainer draws the live updates, not the page."""

    example: int = 0  # the training example whose masks are drawn
    frequency: bool = False  # shade units by their drop share over the batch instead
    panel_height: int | None = None  # the presenter view's one-row board; None: the full one


@dataclass(frozen=True)
class Snapshot:
    """What one update of a run showed, published for the class that follows it.

    Followers only read it; the run replaces it whole after each update, so a
    reader never sees half of one update and half of the next.
    """

    serial: int  # counts the run's updates: a follower asks for the one after it has
    step: int
    settings: PlaygroundSettings
    task: str
    latest: tuple[dict, ...]  # each twin's latest evaluation
    board: bytes  # the live canvas payload (encoded), exactly as the run's screen draws it
    playing: bool
    status: str
    note: str = ""  # the rest of the step line: speed, and how many follow
    # The class feed's answers for this update, built by the first follower who asks
    # (serving/feed.py). Dies with the snapshot, so it never holds an old update.
    feed_cache: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class TwinSession:
    """One learner's Playground.

    ``lock`` guards the twin. Streamlit's fast reruns start a new script thread for a
    button press at once and let the previous run stop at its next ``st`` call, so a
    tick may still be inside ``step`` (which makes no ``st`` call) while the press's
    callback resets or steps the same twin. Whoever holds the lock goes first.
    """

    settings: PlaygroundSettings = field(default_factory=PlaygroundSettings)
    data: Dataset | None = None
    twin: Twin | None = None
    playing: bool = False
    speed: Speedometer = field(default_factory=Speedometer)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    owner: str = ""  # the Streamlit session that trains it (serving.classroom.Run)
    class_code: str = ""  # how a class finds it (serving.classroom.CLASSROOM)
    snapshot: Snapshot | None = None  # its last update, for followers
    last_followed: float = -math.inf  # clock time a follower last read it
    # Follower's browser -> clock time it last asked the class feed (serving/feed.py).
    viewers: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    released: bool = False  # its browser left long ago: the networks are freed
    view: BoardView = field(default_factory=BoardView)
    # The learner's own screen reads its live updates from the feed too (serving/feed.py)
    # with this token; the trainer (serving/trainer.py) trains an update only after that
    # screen asked for one, so a closed or slow tab makes no work.
    owner_key: str = field(default_factory=lambda: secrets.token_urlsafe(OWNER_KEY_BYTES))
    asked: float = -math.inf  # clock time the owner's screen last asked for an update
    ticked: float = -math.inf  # clock time the trainer last began an update of it
    _serials: itertools.count = field(default_factory=itertools.count, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.twin is None:
            self.reset()

    def reset(self) -> None:
        """Start both twins again from identical initial weights."""
        with self.lock:
            self.data = make_dataset(self.settings.data_config())
            self.twin = Twin(self.data, self.settings.train_config())
            self._prepare_view()

    def _prepare_view(self) -> None:
        """What every screen update draws over, fixed until the data changes: the plot's
        extent, the inputs the twins predict on (a grid, or a line for regression), the
        true curve if there is one."""
        data = self.data
        self.extent = data.extent()
        self.truth = None
        if data.task == "regression":
            self.view_inputs: torch.Tensor = line(self.extent, 200)
            if data.config.dataset in TRUTH:  # own data has no known curve
                self.truth = TRUTH[data.config.dataset](self.view_inputs.numpy()[:, 0])
        else:
            self.view_inputs = grid(self.extent, limits.BOUNDARY_GRID)

    def apply(self, settings: PlaygroundSettings) -> str | None:
        """Take new settings; return "reset" or "live" (what happened), or None if unchanged."""
        changed = {
            f.name
            for f in fields(settings)
            if getattr(settings, f.name) != getattr(self.settings, f.name)
        }
        if not changed:
            return None
        # Validate everything before touching the running twin.
        settings.data_config().validate()
        settings.train_config().validate()
        with self.lock:
            self.settings = settings
            if changed - LIVE_FIELDS:
                self.reset()
                return "reset"
            self.twin.set_hyperparameters(settings.learning_rate, settings.weight_decay)
            self.twin.set_drop_rate(settings.drop_rates)
            return "live"

    def play(self, on: bool) -> None:
        """Start or stop playing. Set, not toggled: Streamlit may deliver one press of a
        button twice when it lands on a tick of play, and a toggle would then undo it."""
        with self.lock:  # a tick of play may still be running in the previous script thread
            self.playing = on and self.twin.status == "running"

    def step(self, n: int) -> int:
        with self.lock:
            taken = self.twin.step(n)
            if self.twin.status == "diverged":
                self.playing = False
            return taken

    # --- a class follows it -------------------------------------------------------------
    def publish(self, board: bytes, note: str = "") -> None:
        """Make this update what its screens see (call with the lock held, after drawing)."""
        twin = self.twin
        self.snapshot = Snapshot(
            next(self._serials),
            twin.step_count,
            self.settings,
            self.data.task,
            tuple(twin.latest),
            board,
            self.playing,
            twin.status,
            note,
        )

    def following(self, now: float, within: float = FOLLOWING_SECONDS) -> int:
        """How many followers' browsers asked for this run's updates in the last seconds."""
        return sum(now - seen < within for seen in list(self.viewers.values()))

    def fork(self) -> TwinSession:
        """A run of one's own, in exactly this run's state at this step, paused. Only the
        training (settings, data, twin) and the board's view are taken; everything about
        screens and classes (owner, key, updates, followers, speed) starts as in any new
        run, from the fields' own defaults."""
        with self.lock:
            copy = TwinSession(self.settings, self.data, self.twin.fork(), view=self.view)
            copy.extent, copy.truth, copy.view_inputs = self.extent, self.truth, self.view_inputs
            return copy

    def release(self) -> bool:
        """Free the networks and histories (the browser is gone); True if there was any."""
        with self.lock:
            if self.released:
                return False
            self.released, self.playing = True, False
            self.twin = self.data = self.snapshot = None
            self.view_inputs = self.truth = None
            return True
