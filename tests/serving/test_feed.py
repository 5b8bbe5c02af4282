"""The class feed: what a follower's browser gets when it asks for the teacher's update."""

import json

import pytest

from dropout_viz.serving.classroom import Classroom
from dropout_viz.serving.feed import MAX_VIEWERS, PATH, Feed, feed_path
from dropout_viz.state.twin_session import TwinSession
from dropout_viz.ui.live_canvas import encode
from tests.asyncio_thread import run


@pytest.fixture
def teacher():
    session = TwinSession()
    session.owner = "teacher-session"
    session.step(7)
    session.publish(encode({"kind": "board", "panels": [], "step": 7}))
    return session


@pytest.fixture
def room(teacher):
    room = Classroom()
    teacher.class_code = room.open(teacher)
    return room


def test_an_update_carries_the_teachers_own_board_and_numbers(room, teacher):
    status, body = Feed(room, lambda owner: True).answer(teacher.class_code)
    update = json.loads(body)
    assert status == 200 and update["state"] == "paused"
    assert update["board"] == json.loads(teacher.snapshot.board)  # the same bytes, spliced in
    head = update["head"]
    assert (head["step"], head["seed"]) == (7, teacher.settings.seed)
    assert head["status"] == "Your teacher has paused at step 7."
    assert head["settings"].startswith("Teacher's settings: Two moons, ")
    assert f"{teacher.settings.n_train} training points" in head["settings"]
    baseline = teacher.snapshot.latest[0]
    labels = [label for label, _, _ in head["metrics"]]
    assert labels[0] == "Gap without dropout"
    assert head["metrics"][0][1] == f"{baseline['test_loss'] - baseline['train_loss']:.3f}"


def test_an_update_already_had_is_not_sent_again(room, teacher):
    feed = Feed(room, lambda owner: True)
    _, body = feed.answer(teacher.class_code)
    version = json.loads(body)["v"]
    assert feed.answer(teacher.class_code, after=version) == (204, b"")
    teacher.play(True)
    teacher.step(1)
    teacher.publish(teacher.snapshot.board)
    status, body = feed.answer(teacher.class_code, after=version)
    assert status == 200 and json.loads(body)["state"] == "live"


def test_the_answer_is_built_once_for_every_follower(room, teacher):
    feed = Feed(room, lambda owner: True)
    first = feed.answer(teacher.class_code)[1]
    assert all(feed.answer(teacher.class_code)[1] is first for _ in range(29))


def test_asking_keeps_the_run_from_being_freed(room, teacher):
    before = teacher.last_followed
    Feed(room, lambda owner: True).answer(teacher.class_code)
    assert teacher.last_followed > before


def test_a_teacher_who_left_is_said_to_have_left(room, teacher):
    _, body = Feed(room, lambda owner: owner != "teacher-session").answer(teacher.class_code)
    update = json.loads(body)
    assert update["state"] == "left" and "Your teacher has left" in update["head"]["status"]


def test_an_ended_or_unknown_run_answers_gone(room, teacher):
    feed = Feed(room, lambda owner: True)
    status, body = feed.answer("no-such-code")
    assert status == 410 and json.loads(body)["state"] == "ended"
    teacher.release()
    assert feed.answer(teacher.class_code)[0] == 410


def test_the_route_answers_http_requests(room, teacher):
    route = Feed(room, lambda owner: True).route()
    assert route.path == PATH + "{code}"
    scope = {
        "type": "http",
        "method": "GET",
        "path": PATH + teacher.class_code,
        "query_string": b"after=",
        "headers": [],
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    # (its own thread: in the full suite Playwright's loop runs in this one)
    run(route.handle(scope | {"path_params": {"code": teacher.class_code}}, receive, send))
    start, body = sent[0], sent[1]["body"]
    assert start["status"] == 200
    assert (b"cache-control", b"no-store") in start["headers"]
    assert json.loads(body)["head"]["step"] == 7


def test_the_feed_lives_under_the_servers_base_path():
    assert feed_path("abc") == "/dlab/feed/abc"
    assert feed_path("abc", "/lab/") == feed_path("abc", "lab") == "/lab/dlab/feed/abc"


def test_the_teacher_sees_how_many_screens_follow(room, teacher):
    feed = Feed(room, lambda owner: True)
    for viewer in ("a", "b", "c", "a"):
        feed.answer(teacher.class_code, viewer=viewer)
    now = teacher.last_followed
    assert teacher.following(now) == 3
    assert teacher.following(now + 60) == 0  # browsers gone quiet are no longer counted
    assert teacher.fork().viewers == {}  # a copy starts with no class of its own


def test_a_flood_of_viewer_tokens_stays_bounded(room, teacher):
    feed = Feed(room, lambda owner: True)
    for i in range(MAX_VIEWERS * 3):
        feed.answer(teacher.class_code, viewer=f"v{i}")
    assert len(teacher.viewers) <= MAX_VIEWERS + 1
