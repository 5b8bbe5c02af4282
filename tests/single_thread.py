"""An autouse fixture for test modules that train: torch on one thread, as the app runs it.

Our networks are tiny; torch's intra-op pool costs more in hand-offs than it saves, and
on a busy 2-core machine a training run took 15× longer on two threads than on one
(see ``dropout_viz.ui.runtime.prepare_process``, which the app calls). Import it into a
test module: ``from tests.single_thread import one_torch_thread  # noqa: F401``.
"""

import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
