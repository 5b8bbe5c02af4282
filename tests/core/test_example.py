"""The lesson's example run live, against the lesson's own code run with torch.manual_seed."""

import contextlib
import io

import pytest
import torch

from dropout_viz import lesson
from dropout_viz.core import example


def run_lessons_code(seed: int) -> tuple[dict, str]:
    """Execute the code the learner sees (lesson.EXAMPLE_CODE) after manual_seed: its
    names (SimpleNN, model, input_tensor, output) and what it printed."""
    names: dict = {}
    printed = io.StringIO()
    torch.manual_seed(seed)
    with contextlib.redirect_stdout(printed):
        exec(compile(lesson.EXAMPLE_CODE, "lesson.EXAMPLE_CODE", "exec"), names)
    return names, printed.getvalue()


@pytest.mark.parametrize("seed", [0, 7])
def test_same_numbers_as_the_lessons_code_after_manual_seed(seed):
    names, printed = run_lessons_code(seed)
    model, input_tensor, output = names["model"], names["input_tensor"], names["output"]
    second = model(input_tensor)

    run = example.run_example(seed)
    assert torch.equal(run.inputs, input_tensor)
    assert run.printed + "\n" == printed  # what print(output) showed, grad_fn and all
    assert torch.equal(run.train_outputs[0], output.detach()[:, 0])
    assert torch.equal(run.train_outputs[1], second.detach()[:, 0])
    model.eval()
    assert torch.equal(run.eval_outputs[0], model(input_tensor).detach()[:, 0])


def test_masks_explain_the_train_mode_outputs():
    run = example.run_example(3)
    names, _ = run_lessons_code(3)
    model = names["model"]  # initialised as the lesson's code does; its own pass aside
    hidden = torch.relu(model.fc1(run.inputs))
    assert run.keep_masks.shape == (3, 5, 50) and run.keep_masks.dtype == torch.bool
    for mask, outputs in zip(run.keep_masks, run.train_outputs):
        expected = model.fc2(hidden * mask / 0.7)[:, 0].detach()
        torch.testing.assert_close(outputs, expected)


@pytest.mark.parametrize("seed", range(5))
def test_train_passes_differ_eval_passes_repeat_and_match_the_mean(seed):
    # Deterministic per seed; a miss would be a 4-standard-error event for one of 5 outputs
    # (about 1 in 3,000 per seed), not a flaky test.
    run = example.run_example(seed)
    assert run.train_passes_differ
    assert run.eval_passes_identical
    assert run.eval_matches_mean
    assert bool((run.tolerance > 0).all())


def test_leaves_the_global_generator_alone():
    state = torch.random.get_rng_state()
    example.run_example(0, n_average=10)
    assert torch.equal(torch.random.get_rng_state(), state)


def test_needs_something_to_compare():
    with pytest.raises(ValueError, match="two passes"):
        example.run_example(0, passes=1)
    with pytest.raises(ValueError, match="at least two"):
        example.run_example(0, n_average=1)
