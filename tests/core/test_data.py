import pytest
import torch

from dropout_viz.core import limits
from dropout_viz.core.data import DataConfig, make_dataset


@pytest.mark.parametrize("name", limits.CLASSIFICATION_2D)
def test_2d_classification_shapes_and_labels(name):
    data = make_dataset(DataConfig(name, n_train=40, n_test=100, noise=0.2, seed=1))
    assert data.x_train.shape == (40, 2) and data.x_test.shape == (100, 2)
    assert data.y_train.dtype == torch.long and set(data.y_train.tolist()) == {0, 1}
    assert data.n_classes == 2 and data.out_features == 1 and data.task == "classification"
    assert torch.isfinite(data.x_train).all()


def test_sine_is_a_1d_regression():
    data = make_dataset(DataConfig("sine", n_train=15, n_test=200, noise=0.0))
    assert data.x_train.shape == (15, 1) and data.y_train.shape == (15, 1)
    assert data.task == "regression" and data.out_features == 1
    assert torch.allclose(data.y_train, torch.sin(data.x_train), atol=1e-6)  # no noise: sin x


def test_digits_ship_with_scikit_learn():
    data = make_dataset(DataConfig("digits", n_train=300, n_test=200))
    assert data.x_train.shape == (300, 64) and data.n_classes == 10 and data.out_features == 10
    assert data.x_train.min() >= 0 and data.x_train.max() <= 1


@pytest.mark.parametrize("name", limits.DATASETS)
def test_same_config_same_tensors(name):
    config = DataConfig(name, n_train=30, n_test=40, noise=0.1, seed=7)
    a, b = make_dataset(config), make_dataset(config)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_test, b.y_test)
    other = make_dataset(DataConfig(name, n_train=30, n_test=40, noise=0.1, seed=8))
    assert not torch.equal(a.x_train, other.x_train)


def test_test_set_does_not_depend_on_the_number_of_training_points():
    small = make_dataset(DataConfig("moons", n_train=20, n_test=50, seed=3))
    large = make_dataset(DataConfig("moons", n_train=200, n_test=50, seed=3))
    assert torch.equal(small.x_test, large.x_test)


def test_noise_moves_points():
    clean = make_dataset(DataConfig("circles", n_train=100, noise=0.0))
    radii = clean.x_train.norm(dim=1)
    assert torch.allclose(radii[clean.y_train == 0], torch.tensor(2.0), atol=1e-5)  # outer
    noisy = make_dataset(DataConfig("circles", n_train=100, noise=0.3))
    assert noisy.x_train.norm(dim=1)[noisy.y_train == 0].std() > 0.1


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (DataConfig("nope"), "Unknown dataset"),
        (DataConfig(n_train=1), "Training points must be between 4 and 2000"),
        (DataConfig(n_train=5000), "Training points"),
        (DataConfig(n_test=0), "Test points"),
        (DataConfig(noise=-0.5), "Noise"),
        (DataConfig(noise=float("nan")), "Noise"),
        (DataConfig("digits", n_train=1500, n_test=500), "digits has 1797 images"),
    ],
)
def test_out_of_range_raises_an_actionable_message(config, message):
    with pytest.raises(ValueError, match=message):
        make_dataset(config)


def test_extent_pads_the_data():
    data = make_dataset(DataConfig("moons"))
    (x0, x1), (y0, y1) = data.extent()
    assert x0 < data.x_train[:, 0].min() and x1 > data.x_train[:, 0].max()
    assert y0 < data.x_test[:, 1].min() and y1 > data.x_test[:, 1].max()
