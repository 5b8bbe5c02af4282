"""One source of truth for limits and defaults.

The UI's widgets, the URL state, the CLI's flags and the core's validation all
read these, so a bound changes in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

Number = TypeVar("Number", int, float)


@dataclass(frozen=True)
class Limit(Generic[Number]):
    """A closed range [low, high] with a default, a unit-free label and a hint."""

    name: str
    low: Number
    high: Number
    default: Number
    hint: str = ""

    def check(self, value: Number) -> Number:
        """Return value, or raise ValueError with a message a student can act on."""
        if value != value or not (self.low <= value <= self.high):  # value != value: NaN
            hint = f" {self.hint}" if self.hint else ""
            raise ValueError(
                f"{self.name} must be between {self.low} and {self.high}, got {value}.{hint}"
            )
        return value

    def clamp(self, value: Number) -> tuple[Number, str | None]:
        """Clamp value into range; also return a warning text when it had to move."""
        if value != value:
            return self.default, f"{self.name} was not a number; using {self.default}."
        clamped = min(max(value, self.low), self.high)
        if clamped != value:
            return (
                clamped,
                f"{self.name} {value} is outside {self.low}–{self.high}; using {clamped}.",
            )
        return value, None


# --- datasets -------------------------------------------------------------------------
CLASSIFICATION_2D = ("moons", "circles", "xor", "spiral", "gaussians")
REGRESSION_1D = ("sine",)
REAL_DATA = ("digits",)
DATASETS = CLASSIFICATION_2D + REGRESSION_1D + REAL_DATA

N_TRAIN = Limit("Training points", 4, 2000, 60, "Fewer points make overfitting easier to see.")
N_TEST = Limit("Test points", 10, 2000, 500)
NOISE = Limit("Noise", 0.0, 1.0, 0.3, "Noise is the standard deviation of the jitter.")
DIGITS_SIZE = 1797  # scikit-learn's bundled handwritten digits

# --- model ----------------------------------------------------------------------------
WIDTH = Limit("Hidden width", 1, 512, 32, "Use at most 512 units per layer.")
LAYERS = Limit("Hidden layers", 1, 4, 2, "Use 1 to 4 hidden layers.")
# p is PyTorch's: the probability of DROPPING a unit. 1.0 would drop every unit, so a
# network could never learn; training accepts [0, 0.95], the Dropout layer alone [0, 1].
DROP_RATE = Limit("Dropout rate p", 0.0, 0.95, 0.3, "p is the chance of dropping a unit.")
TYPICAL_DROP_RATES = (0.1, 0.5)  # the lesson's "typical rates"
ACTIVATIONS = ("relu", "tanh", "sigmoid")
DROPOUT_MODES = ("inverted", "classic", "unscaled")

# --- training -------------------------------------------------------------------------
OPTIMIZERS = ("adam", "sgd")
LEARNING_RATE = Limit("Learning rate", 1e-5, 10.0, 0.01, "Try 0.001–0.1.")
WEIGHT_DECAY = Limit("Weight decay", 0.0, 1.0, 0.0, "Try 0–0.01.")
BATCH_SIZE = Limit("Batch size", 0, 2000, 0, "0 means the full training set.")
SEED = Limit("Seed", 0, 2**31 - 1, 0)
STEPS = Limit("Training steps", 1, 1_000_000, 2000)
EVAL_EVERY = Limit("Evaluate every", 1, 10_000, 10)
# History keeps at most this many points; older points are thinned 2:1, so a run of a
# million steps costs the same memory as one of ten thousand.
MAX_HISTORY_POINTS = 1000

# --- live page ------------------------------------------------------------------------
PLAYGROUND_DATASETS = CLASSIFICATION_2D + REGRESSION_1D
PLAYGROUND_N_TRAIN = Limit("Training points", 4, 500, 60, "Fewer points overfit sooner.")
TEST_SHARE = Limit("Test share", 0.1, 0.9, 0.8, "The test set is this share of all points.")
PLAYGROUND_DROP_RATE = Limit("Dropout rate p", 0.0, 0.9, 0.5, "p is the chance of dropping a unit.")
# 30 steps a tick at up to 20 ticks a second: ~590 training steps/s of the twin pair on
# 2 cores shared with the browser (bench_live.py); 25 capped it at 500.
STEPS_PER_TICK = Limit("Steps per tick", 1, 200, 30)
TICK_SECONDS = 0.05  # a playing run gets at most one screen update this often: 20/s
# Decision-boundary resolution (cells per side). The canvas scales it up smoothly, so 40
# looks like 48 but costs the live view ~0.3 ms less per screen update.
BOUNDARY_GRID = 40

# --- masks & scaling page -----------------------------------------------------------
MASK_EXAMPLES = Limit("Examples in the batch", 1, 16, 8, "Each example gets its own mask.")
MASK_DRAWS = Limit("Masks N", 10, 5000, 1000, "Average 10 to 5,000 masks.")

# --- overfitting lab: every setting trains several models per seed, for every visitor --
LAB_N_TRAIN = Limit("Training points", 20, 500, 60, "Fewer points overfit sooner.")
LAB_LAYERS = Limit("Hidden layers", 1, 3, 2)
LAB_SEEDS = Limit("Seeds", 1, 5, 3, "Each setting is trained once per seed.")
LAB_DROP_RATE = Limit("Dropout rate p", 0.1, 0.8, 0.5, "p is the chance of dropping a unit.")
LAB_SIZES = (25, 50, 100, 200, 400, 800)  # the lab's data-size sweep
LAB_SIZE_SWEEP_MAX_STEPS = 1000  # its big training sets make it the slowest experiment

# --- sweeps ---------------------------------------------------------------------------
SWEEP_SEEDS = Limit("Seeds", 1, 20, 3)
# Batched sweeps stack K models' weights; cap the float count so a sweep cannot eat the
# server's memory (every user shares it).
MAX_SWEEP_PARAMETERS = 50_000_000
MAX_SWEEP_MODELS = 500  # models in one sweep (rates x sizes x seeds)
# Hidden activations of one stacked forward pass: models x rows x hidden units. Training
# keeps about eight tensors of that size alive, so 20M floats is ~640 MB at worst.
MAX_SWEEP_ACTIVATIONS = 20_000_000
SWEEP_DROP_RATES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)  # the p sweep's default
SWEEP_SIZES = (25, 50, 100, 200, 400, 800, 1600)  # the dataset-size sweep's default
SWEEP_SIZE_DROP_RATE = 0.5  # the dropout arm of the size sweep (the 2014 paper's hidden p)
SWEEP_WEIGHT_DECAY = 1e-3  # the regularizer comparison's weight decay
# The best-p grids (core/best_p.py): p against training-set size and against width.
GRID_DROP_RATES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
GRID_SIZES = (25, 50, 100, 200, 400)
GRID_WIDTHS = (8, 16, 32, 64, 128)

# --- inference: the ensemble of thinned networks, Monte-Carlo dropout -----------------
SUB_NETWORKS = Limit("Sub-networks averaged", 1, 500, 50, "Average 1 to 500 sub-networks.")
SUB_NETWORKS_DRAWN = Limit("Sub-networks drawn", 8, 12, 10)
# The default network of the Inference page: the Playground's default dropout twin after
# this many steps (its no-dropout twin overfits well before).
ENSEMBLE_TRAIN_STEPS = 2000
MIN_PLAYGROUND_STEPS = 100  # a Playground twin younger than this has learned too little to show
MC_PASSES = Limit("Passes T", 10, 1000, 100, "T is how many predictions are averaged.")
# Activations per batched forward of many sub-networks (count × points × width): 16 MB.
MAX_BATCH_FLOATS = 4_000_000
# Work of one ensemble view (sub-networks × points × weights): the default network's 500
# take 1.1e9 (0.3-1 s here); a wider Playground twin runs fewer sub-networks instead.
MAX_ENSEMBLE_MULTIPLY_ADDS = 5_000_000_000

# --- your own data (core/user_data.py) ------------------------------------------------
# A CSV of numeric feature columns and a label or target column (the last one).
# .streamlit/config.toml's server.maxUploadSize (in MB) is USER_MAX_BYTES in MB, rounded up.
USER_MAX_BYTES = 1_000_000  # 2,000 rows of 65 numbers fit with room to spare
USER_MAX_ROWS = 2000  # N_TRAIN.high: every row can be a training point
USER_MIN_ROWS = 20  # a test share of 0.1 still leaves two test points
USER_MAX_FEATURES = 64  # the Overfitting lab's limit (digits has 64); the Playground's is 2
USER_MAX_CLASSES = 10  # the live board paints each its own hue (ui/live_canvas.js)
