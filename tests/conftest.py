"""Settings for every test."""

import torch

# Tests run torch as the app does (dropout_viz.ui.runtime.use_one_torch_thread): one
# thread. Our networks are tiny; on a busy 2-core machine a training run took 15x longer
# on two threads than on one.
torch.set_num_threads(1)
