"""SimpleNN and MLP against plain PyTorch."""

import pytest
import torch
import torch.nn as nn

from dropout_viz.core.models import MLP, SimpleNN


class PlainSimpleNN(nn.Module):
    """The seed lesson's class, exactly as a learner types it."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 50)
        self.dropout = nn.Dropout(p=0.3)
        self.fc2 = nn.Linear(50, 1)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = self.dropout(x)
        x = self.fc2(x)
        return x


def test_simple_nn_has_the_seed_architecture():
    model = SimpleNN()
    assert (model.fc1.in_features, model.fc1.out_features) == (10, 50)
    assert (model.fc2.in_features, model.fc2.out_features) == (50, 1)
    assert model.dropout.p == 0.3


def test_state_dict_loads_both_ways():
    ours, plain = SimpleNN(), PlainSimpleNN()
    ours.load_state_dict(plain.state_dict())
    plain.load_state_dict(ours.state_dict())
    assert ours.state_dict().keys() == plain.state_dict().keys()


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_same_seed_same_outputs_as_plain_pytorch(mode):
    torch.manual_seed(0)
    plain = PlainSimpleNN()
    torch.manual_seed(0)
    ours = SimpleNN()
    getattr(plain, mode)()
    getattr(ours, mode)()
    x = torch.randn(5, 10)
    torch.manual_seed(1)
    expected = plain(x)
    torch.manual_seed(1)
    got = ours(x)
    assert torch.equal(expected, got)
    assert got.shape == (5, 1)


def test_eval_outputs_repeat_train_outputs_vary():
    torch.manual_seed(0)
    model, x = SimpleNN(), torch.randn(5, 10)
    model.train()
    assert not torch.equal(model(x), model(x))
    model.eval()
    assert torch.equal(model(x), model(x))


def test_mlp_exposes_activations_and_masks_of_last_forward():
    model = MLP(2, (8, 6), 3, drop_rates=[0.5, 0.25], activation="tanh")
    x = torch.randn(11, 2)
    out = model(x)
    assert out.shape == (11, 3)
    assert [a.shape for a in model.hidden_activations] == [(11, 8), (11, 6)]
    assert [m.shape for m in model.keep_masks] == [(11, 8), (11, 6)]
    assert model.drop_rates == [0.5, 0.25]
    # The first activation is tanh of the first layer's output.
    expected = torch.tanh(model.linears[0](x))
    assert torch.allclose(model.hidden_activations[0], expected)


def test_mlp_forward_matches_a_plain_sequential():
    model = MLP(4, (7,), 2, drop_rates=0.0, activation="sigmoid")
    plain = nn.Sequential(nn.Linear(4, 7), nn.Sigmoid(), nn.Linear(7, 2))
    plain[0].load_state_dict(model.linears[0].state_dict())
    plain[2].load_state_dict(model.linears[1].state_dict())
    x = torch.randn(9, 4)
    assert torch.allclose(model(x), plain(x))


def test_mlp_rates_can_change_and_are_validated():
    model = MLP(2, (4, 4), 1, drop_rates=0.1)
    model.set_drop_rates([0.2, 0.6])
    assert model.drop_rates == [0.2, 0.6]
    with pytest.raises(ValueError, match="one dropout rate per hidden layer"):
        model.set_drop_rates([0.1])
    with pytest.raises(ValueError, match="Dropout rate p"):
        model.set_drop_rates(1.5)


def test_mlp_rejects_bad_architecture():
    with pytest.raises(ValueError, match="Hidden width"):
        MLP(2, (0,), 1)
    with pytest.raises(ValueError, match="activation"):
        MLP(2, (4,), 1, activation="gelu")
