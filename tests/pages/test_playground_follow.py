"""A class follows the teacher's Playground run (AppTest: one process, two sessions)."""

import json
import re

from dropout_viz.pages.playground import CHUNK, STATE
from dropout_viz.serving import feed, trainer
from dropout_viz.serving.classroom import CLASSROOM
from dropout_viz.ui.live_screen import HELP

from .screen import board, follow_canvas, step_line, step_shown
from .test_playground import button


def teacher_and_follower(run_page):
    teacher = run_page("playground")
    code = teacher.session_state[STATE].class_code
    follower = run_page("playground", {"follow": code})
    return teacher, follower, code


def test_two_learners_train_their_own_twins(run_page):
    first, second = run_page("playground"), run_page("playground")
    button(first, f"Step ×{CHUNK}").click().run()
    second.run()
    assert (step_shown(first), step_shown(second)) == (CHUNK, 0)
    assert first.session_state[STATE] is not second.session_state[STATE]


def test_the_teacher_page_shows_its_class_link(run_page):
    teacher = run_page("playground")
    code = teacher.session_state[STATE].class_code
    links = [c.value for c in teacher.sidebar.code]
    assert links and re.search(rf"[?&]follow={re.escape(code)}$", links[0])
    qr = teacher.sidebar.expander[0].get("image")
    assert qr and qr[0].proto.imgs[0].url, "the link comes as a QR code too"


def feed_of(follower, connected=lambda owner: True) -> tuple[int, dict]:
    """What the follower's canvas gets when it asks the feed URL it was given."""
    follow = follow_canvas(follower)
    assert follow["kind"] == "follow"
    code = follow["feed"].removeprefix(feed.PATH)
    status, body = feed.Feed(CLASSROOM, connected).answer(code)
    return status, json.loads(body)


def test_a_follower_sees_the_teachers_run_advance(run_page):
    teacher, follower, code = teacher_and_follower(run_page)
    assert follow_canvas(follower)["feed"] == feed.PATH + code
    assert follow_canvas(follower)["help"] == list(HELP)  # the own screen's tooltips
    status, update = feed_of(follower)
    assert status == 200 and update["head"]["step"] == 0
    button(teacher, f"Step ×{CHUNK}").click().run()
    _, update = feed_of(follower)
    assert update["head"]["step"] == CHUNK
    # The very board the teacher's screen drew, not a run of the follower's own.
    assert update["board"] == board(teacher)
    assert STATE not in follower.session_state


def test_a_follower_gets_the_trainers_updates_with_no_script_run(run_page):
    teacher, follower, _ = teacher_and_follower(run_page)
    button(teacher, "Play").click().run()
    _, before = feed_of(follower)
    assert trainer.update(teacher.session_state[STATE])  # the trainer thread's work
    _, update = feed_of(follower)
    assert update["v"] != before["v"] and update["state"] == "live"
    assert update["head"]["step"] == CHUNK


def test_a_follower_has_no_control_over_the_teachers_run(run_page):
    teacher, follower, _ = teacher_and_follower(run_page)
    assert not follower.slider and not follower.selectbox and not follower.number_input
    assert [b.label for b in follower.button] == ["Make my own copy"]
    before = teacher.session_state[STATE].settings
    follower.run()
    teacher.run()
    assert teacher.session_state[STATE].settings == before
    assert step_shown(teacher) == 0


def test_make_my_own_copy_forks_at_the_teachers_step(run_page):
    teacher, follower, _ = teacher_and_follower(run_page)
    button(teacher, f"Step ×{CHUNK}").click().run()
    follower.run()
    button(follower, "Make my own copy").click().run()
    assert not follower.exception
    assert "follow" not in follower.query_params
    mine = follower.session_state[STATE]
    assert mine is not teacher.session_state[STATE]
    assert mine.twin.step_count == CHUNK == step_shown(follower)
    button(follower, "Step").click().run()  # the copy now trains on its own
    teacher.run()
    assert (step_shown(follower), step_shown(teacher)) == (CHUNK + 1, CHUNK)
    assert mine.class_code != teacher.session_state[STATE].class_code  # and can be followed


def test_an_unknown_class_code_says_so_and_offers_a_playground(run_page):
    follower = run_page("playground", {"follow": "no-such-code"})
    assert "no class run with the code 'no-such-code'" in follower.error[0].value
    button(follower, "Start my own Playground").click().run()
    assert step_shown(follower) == 0 and STATE in follower.session_state


def test_a_follower_whose_teacher_has_gone_is_told_and_can_still_copy(run_page):
    teacher, follower, _ = teacher_and_follower(run_page)
    button(teacher, f"Step ×{CHUNK}").click().run()
    gone = teacher.session_state[STATE].owner
    # AppTest has no server to ask who is connected: say the teacher's browser closed.
    _, update = feed_of(follower, connected=lambda owner: owner != gone)
    assert update["state"] == "left"
    assert f"Your teacher has left: their run stopped at step {CHUNK}" in update["head"]["status"]
    button(follower, "Make my own copy").click().run()
    assert follower.session_state[STATE].twin.step_count == CHUNK


def test_the_janitor_released_run_ends_the_follow(run_page):
    teacher, follower, code = teacher_and_follower(run_page)
    teacher.session_state[STATE].release()
    status, update = feed_of(follower)
    assert status == 410 and update["state"] == "ended"
    assert "no class run" in run_page("playground", {"follow": code}).error[0].value
    button(follower, "Make my own copy").click().run()  # a fresh Playground instead
    assert not follower.exception and step_shown(follower) == 0


def test_the_teacher_sees_how_many_students_follow(run_page):
    teacher, _, code = teacher_and_follower(run_page)
    for viewer in ("screen-1", "screen-2"):
        feed.Feed(CLASSROOM, lambda owner: True).answer(code, viewer=viewer)
    teacher.run()
    assert step_line(teacher).endswith(" · 2 following")
