"""The feed: what a follower's browser, or the learner's own screen, gets when it asks
for a run's update."""

import asyncio
import json
import threading
import time

import pytest
from starlette.requests import Request

from dropout_viz.figures.live import encode
from dropout_viz.serving import feed
from dropout_viz.serving.classroom import Classroom
from dropout_viz.serving.feed import MAX_VIEWERS, PATH, Bell, Feed, feed_path
from dropout_viz.state.twin_session import TwinSession
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


def test_each_publish_is_a_new_version_even_at_the_same_step(room, teacher):
    # A Reset back to step 0, or a rerun that redraws the same step, is a new update: a
    # screen that has the old one must get it.
    feed = Feed(room, lambda owner: True)
    version = json.loads(feed.answer(teacher.class_code)[1])["v"]
    teacher.publish(teacher.snapshot.board)
    status, body = feed.answer(teacher.class_code, after=version)
    assert status == 200 and json.loads(body)["v"] != version
    assert json.loads(body)["head"]["step"] == 7


def test_the_head_carries_the_step_lines_note_and_whether_it_diverged(room, teacher):
    feed = Feed(room, lambda owner: True)
    teacher.publish(teacher.snapshot.board, " · 3 following")
    head = json.loads(feed.answer(teacher.class_code)[1])["head"]
    assert head["note"] == " · 3 following" and head["diverged"] is False
    teacher.twin.status = "diverged"  # as a diverging step leaves it
    teacher.publish(teacher.snapshot.board)
    head = json.loads(feed.answer(teacher.class_code)[1])["head"]
    assert head["diverged"] is True and head["note"] == ""


# --- the owner's own screen -----------------------------------------------------------------
def test_the_owners_request_asks_for_the_next_update_and_is_no_follower(room, teacher):
    woken = []
    feed = Feed(room, lambda owner: True, wake_trainer=lambda: woken.append(1))
    teacher.play(True)
    teacher.publish(teacher.snapshot.board)  # a playing update
    status, _ = feed.answer(teacher.class_code, viewer="mine", key=teacher.owner_key)
    assert status == 200
    assert teacher.asked > teacher.ticked  # the trainer may now make the next update
    assert woken == [1]
    # The learner's own screen is not one of the class: not counted, and it does not
    # keep a run whose browser is gone from being freed.
    assert teacher.viewers == {}
    assert teacher.last_followed == -float("inf")


def test_the_owner_of_a_paused_run_does_not_wake_the_trainer(room, teacher):
    woken = []
    feed = Feed(room, lambda owner: True, wake_trainer=lambda: woken.append(1))
    feed.answer(teacher.class_code, key=teacher.owner_key)
    assert woken == [] and teacher.asked > -float("inf")


def test_a_wrong_key_is_a_follower_and_asks_for_nothing(room, teacher):
    woken = []
    feed = Feed(room, lambda owner: True, wake_trainer=lambda: woken.append(1))
    teacher.play(True)
    teacher.publish(teacher.snapshot.board)
    feed.answer(teacher.class_code, viewer="guess", key=teacher.owner_key + "x")
    assert teacher.asked == -float("inf") and woken == []
    assert teacher.following(teacher.last_followed) == 1


# --- waiting for the next update (the long poll) ------------------------------------------
def request(code: str, after: str) -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": PATH + code,
            "query_string": f"after={after}".encode(),
            "headers": [],
            "path_params": {"code": code},
        }
    )


async def waiting_for_the_bell(bell: Bell, code: str, answer: asyncio.Task) -> None:
    """Return once the request ``answer`` waits for run ``code``'s bell."""
    while code not in bell._waiting and not answer.done():
        await asyncio.sleep(0)
    assert not answer.done(), "the request was answered without waiting for an update"


def long_poll(room, teacher, monkeypatch, wait: float):
    """A feed with its own bell whose requests wait ``wait`` seconds at most, and the
    version of the teacher's update a screen already has."""
    monkeypatch.setattr(feed, "WAIT_SECONDS", wait)
    bell = Bell()
    the_feed = Feed(room, lambda owner: True, bell=bell)
    code = teacher.class_code
    return bell, the_feed, code, json.loads(the_feed.answer(code)[1])["v"]


def test_a_request_for_the_next_update_is_answered_as_soon_as_it_is_published(
    room, teacher, monkeypatch
):
    # Long enough that only the bell, not the timeout, can answer within the test's wait.
    bell, the_feed, code, had = long_poll(room, teacher, monkeypatch, wait=60.0)

    def publish_from_another_thread() -> None:  # as the trainer thread does
        teacher.step(1)
        teacher.publish(teacher.snapshot.board)
        bell.ring(code)

    async def scenario():
        answer = asyncio.create_task(the_feed.endpoint(request(code, had)))
        await waiting_for_the_bell(bell, code, answer)
        threading.Thread(target=publish_from_another_thread).start()
        return await asyncio.wait_for(answer, 10)

    response = run(scenario())
    assert response.status_code == 200
    assert json.loads(response.body)["head"]["step"] == 8
    assert bell._waiting == {}  # nothing left behind


def test_a_request_with_nothing_new_is_answered_204_after_the_wait(room, teacher, monkeypatch):
    bell, the_feed, code, had = long_poll(room, teacher, monkeypatch, wait=0.05)
    response = run(the_feed.endpoint(request(code, had)))
    assert response.status_code == 204 and response.body == b""
    assert bell._waiting == {}


def test_a_ring_for_another_run_does_not_answer_this_one(room, teacher, monkeypatch):
    bell, the_feed, code, had = long_poll(room, teacher, monkeypatch, wait=60.0)

    async def scenario():
        answer = asyncio.create_task(the_feed.endpoint(request(code, had)))
        await waiting_for_the_bell(bell, code, answer)
        bell.ring("another-run")
        for _ in range(100):  # give a wrong wake-up every chance to happen
            await asyncio.sleep(0)
        still_waiting = not answer.done()
        bell.ring(code)  # then let it go
        return still_waiting, await asyncio.wait_for(answer, 10)

    still_waiting, response = run(scenario())
    assert still_waiting
    assert response.status_code == 204  # rung, but nothing new was published


# --- the trainer giving way to the event loop -------------------------------------------
def test_giving_way_ends_as_soon_as_the_loop_has_run_what_was_ready():
    bell = Bell()

    async def scenario():
        with bell.waiter("any"):  # how the bell learns the loop: a screen's request
            pass
        # A blocking call in another thread, as the trainer's; the loop stays free.
        started = time.monotonic()
        await asyncio.to_thread(bell.give_way, 10.0)
        return time.monotonic() - started

    assert run(scenario()) < 5  # far below the 10 s cap: the loop's turn ended it


def test_giving_way_to_a_busy_loop_lasts_at_most_the_rest():
    bell = Bell()

    def give_way() -> float:
        bell.give_way(0.05)
        return time.monotonic()  # when the trainer would train again

    async def scenario():
        with bell.waiter("any"):
            pass
        gave_way = asyncio.get_running_loop().run_in_executor(None, give_way)
        time.sleep(1.0)  # the loop is busy: it cannot take its turn for a second
        busy_until = time.monotonic()
        return await gave_way, busy_until

    back_at, busy_until = run(scenario())
    assert back_at < busy_until  # it did not wait for the busy loop's turn


def test_giving_way_before_any_screen_asked_is_a_plain_rest():
    started = time.monotonic()
    Bell().give_way(0.05)
    assert time.monotonic() - started >= 0.05
