"""How a run trains: architecture, dropout, optimizer, batches and seed, checked once."""

from __future__ import annotations

from dataclasses import dataclass

from . import limits
from .models import DropRates, check_architecture, drop_rates_per_layer


@dataclass(frozen=True)
class TrainConfig:
    hidden: tuple[int, ...] = (32, 32)
    # The dropout model's p: one for every hidden layer, or a tuple of one per layer.
    drop_rate: DropRates = limits.DROP_RATE.default
    input_drop_rate: float = 0.0
    # tanh saturates, so weights cannot grow their way around the masks: with ReLU the
    # dropout twin of a 60-point moons run ends up memorising almost as hard as the other.
    activation: str = "tanh"
    dropout_mode: str = "inverted"
    optimizer: str = "adam"
    learning_rate: float = limits.LEARNING_RATE.default
    weight_decay: float = limits.WEIGHT_DECAY.default
    batch_size: int = limits.BATCH_SIZE.default  # 0: the full training set every step
    seed: int = 0
    eval_every: int = limits.EVAL_EVERY.default

    @property
    def drop_rates(self) -> tuple[float, ...]:
        """The dropout model's rate for each hidden layer."""
        return drop_rates_per_layer(self.drop_rate, len(self.hidden))

    def validate(self) -> TrainConfig:
        check_architecture(self.hidden, self.activation)
        drop_rates_per_layer(self.drop_rate, len(self.hidden))
        limits.DROP_RATE.check(self.input_drop_rate)
        if self.optimizer not in limits.OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(limits.OPTIMIZERS)}.")
        if self.dropout_mode not in limits.DROPOUT_MODES:
            raise ValueError(f"dropout mode must be one of {', '.join(limits.DROPOUT_MODES)}.")
        limits.LEARNING_RATE.check(self.learning_rate)
        limits.WEIGHT_DECAY.check(self.weight_decay)
        limits.BATCH_SIZE.check(self.batch_size)
        limits.SEED.check(self.seed)
        limits.EVAL_EVERY.check(self.eval_every)
        return self
