"""The lesson tour: the lesson told as scenes a teacher clicks through, one page each.

A scene sets every control it needs (the Playground's settings, or another page's
widgets by key), says whether to start playing, and says in one or two sentences what
to watch. Each sentence claims only what its run shows: ``tests/core/test_lesson_tour.py``
trains every scene's settings for the seeds and steps named here and asserts it. Plain
data: no streamlit, no torch.
"""

from __future__ import annotations

from dataclasses import dataclass

from dropout_viz import lesson

SCENE = "scene"  # the query parameter: ?scene=3 opens scene 3 on its page
PRESENT = "present"  # ?present=1: the presenter view (ui/tour.py)


@dataclass(frozen=True)
class Scene:
    number: int
    title: str
    page: str  # url path of the page that shows it
    watch: str  # what to watch, in Markdown: one or two sentences its test backs
    # The Playground: PlaygroundSettings fields that differ from its defaults (the rest
    # take the defaults, so a scene sets every setting of the run).
    settings: tuple[tuple[str, object], ...] = ()
    # Another page: its widgets' st.session_state keys and the values to give them.
    widgets: tuple[tuple[str, object], ...] = ()
    play: bool = False  # start training at once (the Playground)
    # What the claim is tested over: the seeds, and the steps of Play it is measured at.
    seeds: tuple[int, ...] = (0,)
    steps: int = 0

    @property
    def url(self) -> str:
        """The scene as a link, relative to any page of the app."""
        return f"{self.page}?{SCENE}={self.number}"


# The steps a claim is measured at: 1,500 steps are under 3 s of Play (30 steps per
# update, up to 20 updates a second), so the class sees it before the teacher talks.
SHORT_PLAY = 1500
TEN_SEEDS = tuple(range(10))

SCENES = (
    Scene(
        1,
        "Overfitting: 60 noisy points, no dropout",
        lesson.PLAYGROUND,
        "Both twins have p = 0 here, so they are the same network. Watch the loss chart: "
        "the train loss (solid) falls towards 0 and every training point ends up on its "
        "side, while the test loss (dashed) turns and climbs — the network memorises the "
        "noise.",
        settings=(("drop_rate", 0.0),),
        play=True,
        seeds=TEN_SEEDS,
        steps=SHORT_PLAY,
    ),
    Scene(
        2,
        "Dropout to the rescue (p = 0.5)",
        lesson.PLAYGROUND,
        "Same points, same initial weights; only the right twin drops half its units at "
        "every step. Its train loss stays above the left twin's, but its test accuracy ends "
        "higher and its boundary shorter: it cannot bend around single noisy points.",
        settings=(("drop_rate", 0.5),),
        play=True,
        seeds=TEN_SEEDS,
        steps=SHORT_PLAY,
    ),
    Scene(
        3,
        "What dropout does inside: the masks of one step",
        lesson.PLAYGROUND,
        "Press **Step** (or S) a few times and watch the network: the greyed, crossed units "
        "are the ones this step dropped — about half of them at p = 0.5, a new set every "
        "step — and the kept ones pass on their activation × 2 = 1/(1−p).",
        settings=(("drop_rate", 0.5),),
        seeds=(0,),
        steps=50,
    ),
    Scene(
        4,
        "Too much dropout (p = 0.85): underfitting",
        lesson.PLAYGROUND,
        "A spiral needs many units working together, and at p = 0.85 the right twin keeps "
        "only about 5 of 32 per layer. It cannot even fit its training points, and its test "
        "accuracy ends far below the no-dropout twin's.",
        settings=(("dataset", "spiral"), ("noise", 0.2), ("n_train", 100), ("drop_rate", 0.85)),
        play=True,
        seeds=TEN_SEEDS,
        steps=400,
    ),
    Scene(
        5,
        "Plenty of data: dropout matters less",
        lesson.PLAYGROUND,
        "400 training points instead of 60: there is much less to memorise. The no-dropout "
        "twin's gap stays well under half of what it was with 60 points, and dropout's lead "
        "in test accuracy shrinks.",
        settings=(("n_train", 400), ("drop_rate", 0.5)),
        play=True,
        seeds=(0, 1, 2, 3, 4),
        steps=600,
    ),
    Scene(
        6,
        "Forgot to scale: what goes wrong at inference",
        lesson.MASKS,
        "Scroll to **Three ways to scale**. Without the 1/(1−p), the unscaled network gets "
        "2× (= 1/(1−p) at p = 0.5) at inference what it saw in training: its test loss is "
        "several times the others' and its accuracy lower.",
        widgets=(("ms_p", 0.5), ("ms_seed", 0)),
        seeds=(0, 1, 2),
    ),
    Scene(
        7,
        "Uncertainty away from the data (MC dropout)",
        lesson.UNCERTAINTY,
        "Dropout stays on at inference: 200 random sub-networks predict. Where the training "
        "points are they agree; in the gap (−1 < x < 1), where no point told them what to "
        "do, their band is about twice as wide.",
        widgets=(("mc_p", 0.2), ("mc_passes", 200), ("mc_seed", 0)),
        seeds=(0, 1, 2),
    ),
)


def scene(number: int) -> Scene | None:
    """Scene ``number`` (1-based), or None if there is no such scene."""
    return SCENES[number - 1] if 1 <= number <= len(SCENES) else None


def parse(text: str | None) -> Scene | None:
    """The scene a ``?scene=`` value names; None for anything else."""
    try:
        return scene(int(str(text).strip()))
    except ValueError:
        return None
