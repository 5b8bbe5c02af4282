import pytest
import torch

from dropout_viz.core.batches import MiniBatches, example_rows
from dropout_viz.core.models import drop_rates_per_layer
from dropout_viz.core.train_config import TrainConfig


def test_each_epoch_is_one_fresh_shuffle_of_every_row():
    batches = MiniBatches(10, 4, seed=3)
    epoch = [batches.next() for _ in range(3)]  # 4 + 4 + 2 rows
    assert [len(b) for b in epoch] == [4, 4, 2]
    assert sorted(torch.cat(epoch).tolist()) == list(range(10))
    assert not torch.equal(torch.cat(epoch), torch.cat([batches.next() for _ in range(3)]))


def test_full_batches_are_none_and_a_fork_goes_on_in_the_same_order():
    assert MiniBatches(10, 0, seed=0).next() is None
    assert MiniBatches(10, 10, seed=0).next() is None
    batches = MiniBatches(10, 3, seed=1)
    batches.next()
    fork = batches.fork()
    for _ in range(8):
        assert torch.equal(batches.next(), fork.next())


def test_example_rows_are_one_past_each_models_last_example():
    mask = torch.arange(6) < torch.tensor([2, 6, 4])[:, None]
    assert example_rows(mask, 3, 6) == [2, 6, 4]
    assert example_rows(None, 3, 6) is None
    with pytest.raises(ValueError, match="at least one training example"):
        example_rows(torch.zeros(3, 6, dtype=torch.bool), 3, 6)
    with pytest.raises(ValueError, match=r"\(2, 6\) bool"):
        example_rows(mask, 2, 6)


def test_drop_rates_are_one_per_hidden_layer_checked_in_one_place():
    assert drop_rates_per_layer(0.3, 2) == (0.3, 0.3)
    assert drop_rates_per_layer([0.1, 0.2], 2) == (0.1, 0.2)
    assert TrainConfig(hidden=(8, 8, 8), drop_rate=0.5).drop_rates == (0.5, 0.5, 0.5)
    with pytest.raises(ValueError, match="one dropout rate per hidden layer"):
        TrainConfig(hidden=(8, 8), drop_rate=(0.1, 0.2, 0.3)).validate()
    with pytest.raises(ValueError, match="Dropout rate p must be between"):
        drop_rates_per_layer([0.1, 0.99], 2)
