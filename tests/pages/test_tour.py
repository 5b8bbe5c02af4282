"""The lesson tour and the presenter view in AppTest: each scene sets every control it
names, Back / Next walk the scenes and stop at the ends, a scene applies once (then the
learner's sliders win) and its link reopens it, ?present=1 hides the advanced controls."""

from __future__ import annotations

from dataclasses import replace

import pytest
import streamlit

from dropout_viz import lesson, lesson_tour
from dropout_viz.pages.playground import STATE
from dropout_viz.state.twin_session import PlaygroundSettings

from .screen import board

PLAYGROUND_SCENES = [s for s in lesson_tour.SCENES if s.page == lesson.PLAYGROUND]
MODULES = {lesson.MASKS: "masks_scaling", lesson.UNCERTAINTY: "uncertainty"}


def button(at, label):
    return next(b for b in at.button if b.label == label)


def tour_text(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Lesson tour"))


@pytest.fixture
def page_switches(monkeypatch):
    """st.switch_page's calls, recorded instead of made: AppTest runs one page alone."""
    calls = []

    def switch_page(page, query_params=None):
        # The landing page (the Playground) has the url path "" in st.navigation.
        calls.append((page.url_path or lesson.PLAYGROUND, dict(query_params or {})))

    monkeypatch.setattr(streamlit, "switch_page", switch_page)
    return calls


def assert_playground_scene(at, scene: lesson_tour.Scene) -> None:
    assert f"{scene.number} / {len(lesson_tour.SCENES)} · {scene.title}" in tour_text(at)
    session = at.session_state[STATE]
    assert session.settings == replace(PlaygroundSettings(), **dict(scene.settings))
    widgets = {
        w.key: w.value for kind in ("slider", "select_slider", "selectbox") for w in at.get(kind)
    }
    for field, value in scene.settings:  # each control the scene names shows its value
        assert widgets[f"pg_{field}"] == value, field
    assert session.playing == scene.play
    assert button(at, "Pause" if scene.play else "Play")


@pytest.mark.parametrize("scene", PLAYGROUND_SCENES, ids=lambda s: f"scene{s.number}")
def test_each_playground_scene_sets_every_control_it_names(run_page, scene):
    at = run_page("playground", {"scene": str(scene.number)})
    assert_playground_scene(at, scene)
    assert at.query_params["scene"] == str(scene.number)  # kept beside the settings


@pytest.mark.parametrize(
    "scene", [s for s in lesson_tour.SCENES if s.page != lesson.PLAYGROUND], ids=lambda s: s.page
)
def test_each_other_scene_sets_its_pages_widgets(run_page, page_switches, scene):
    at = run_page(MODULES[scene.page], {"scene": str(scene.number)})
    assert scene.title in tour_text(at)
    for key, value in scene.widgets:
        widget = next(
            w for kind in ("slider", "number_input") for w in at.get(kind) if w.key == key
        )
        assert widget.value == value, key
    last = scene.number == len(lesson_tour.SCENES)
    assert button(at, "Next").disabled == last  # the tour stops at its last scene
    button(at, "Back").click().run()
    previous = lesson_tour.scene(scene.number - 1)
    assert page_switches == [(previous.page, {"scene": str(previous.number)})]


def test_next_and_back_walk_the_scenes_and_stop_at_the_ends(run_page, page_switches):
    at = run_page("playground", {"scene": "1"})
    assert button(at, "Back").disabled  # the first scene: nothing before it
    for scene in PLAYGROUND_SCENES[1:]:
        button(at, "Next").click().run()
        assert_playground_scene(at, scene)
    # The last Playground scene's Next opens the next scene on its own page.
    button(at, "Next").click().run()
    after = lesson_tour.scene(PLAYGROUND_SCENES[-1].number + 1)
    assert page_switches == [(after.page, {"scene": str(after.number)})]
    at = run_page("playground", {"scene": str(PLAYGROUND_SCENES[-1].number)})
    for scene in reversed(PLAYGROUND_SCENES[:-1]):
        button(at, "Back").click().run()
        assert_playground_scene(at, scene)
    assert button(at, "Back").disabled


def test_a_scene_applies_once_then_the_learner_moves_the_sliders(run_page):
    at = run_page("playground", {"scene": "4"})
    at.sidebar.slider(key="pg_drop_rate").set_value(0.5).run()
    assert at.session_state[STATE].settings.drop_rate == 0.5  # not put back to 0.85
    assert at.session_state[STATE].settings.dataset == "spiral"
    button(at, "Again").click().run()  # the scene as it started
    assert_playground_scene(at, lesson_tour.scene(4))


def test_a_scene_link_reopens_that_scene(run_page):
    at = run_page("playground", {"scene": "4"})
    button(at, "Next").click().run()
    assert at.session_state[STATE].settings.n_train == 400
    at.query_params.clear()
    at.query_params["scene"] = "4"  # the teacher follows scene 4's link again
    at.run()
    assert_playground_scene(at, lesson_tour.scene(4))


def test_presenter_view_hides_the_advanced_controls(run_page):
    at = run_page("playground", {"present": "1", "scene": "2"})
    assert not at.sidebar.get("slider") and not at.sidebar.get("selectbox")
    assert not at.title  # no title or introduction either
    labels = [b.label for b in at.button]
    assert labels == [
        "Back",
        "Again",
        "Next",
        "Play" if not at.session_state[STATE].playing else "Pause",
        "Step",
        "Reset",
    ]
    assert [t.label for t in at.toggle] == ["Presenter view"] and at.toggle[0].value
    assert not at.slider  # no example slider
    payload = board(at)  # (the presenter view also draws a measuring component)
    assert payload["columns"] == 4
    assert [p["kind"] for p in payload["panels"]] == ["boundary", "boundary", "network", "lines"]
    assert at.session_state[STATE].settings.drop_rate == 0.5  # the scene still applies
    at.toggle[0].set_value(False).run()  # back to the full page
    assert "present" not in at.query_params
    assert at.sidebar.get("slider") and at.title


def test_presenter_view_without_a_scene_keeps_its_way_out(run_page):
    at = run_page("playground", {"present": "1"})
    assert [t.label for t in at.toggle] == ["Presenter view"]
    assert [b.label for b in at.button] == ["Play", "Step", "Reset"]


def test_the_playground_offers_the_tour_and_the_presenter_toggle(run_page):
    at = run_page("playground")
    assert "scene" not in at.query_params
    assert any("Start the lesson tour" in str(link.proto) for link in at.get("page_link"))
    at.toggle(key="tour_present").set_value(True).run()
    assert at.query_params["present"] == "1"
    assert [b.label for b in at.button] == ["Play", "Step", "Reset"]


def test_a_scene_of_another_page_links_there_and_changes_nothing(run_page):
    at = run_page("playground", {"scene": "7"})
    assert at.session_state[STATE].settings == PlaygroundSettings()
    links = [str(link.proto) for link in at.get("page_link")]
    assert any("scene 7" in link and lesson.UNCERTAINTY in link for link in links), links
