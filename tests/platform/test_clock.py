"""The simulated clock: frozen until told, drives moto's timers, never waits for real."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from helpers.platform.clock import COURSE_START, RealClock, SimClock
from helpers.platform.errors import InvalidParameterError


@pytest.fixture
def clock():
    sim = SimClock()
    sim.start()
    yield sim
    sim.stop()


def test_sim_clock_is_frozen(clock):
    # GIVEN a started clock
    # WHEN reading the wall clock twice
    first, second = time.time(), time.time()

    # THEN it has not moved, and it reads the course start
    assert first == second == COURSE_START.timestamp()
    assert clock.now() == COURSE_START


def test_advance_moves_time_and_datetime(clock):
    # GIVEN
    before_time, before_dt = time.time(), dt.datetime.now(dt.UTC)

    # WHEN
    clock.advance(90.5)

    # THEN every view of time moved by exactly 90.5 s
    assert time.time() - before_time == pytest.approx(90.5)
    assert dt.datetime.now(dt.UTC) - before_dt == dt.timedelta(seconds=90.5)
    assert clock.elapsed() == 90.5
    assert clock.now() == COURSE_START + dt.timedelta(seconds=90.5)


@pytest.mark.parametrize("bad", [-1, -0.001, float("nan"), "soon", None])
def test_advance_rejects_negative_and_non_numbers(clock, bad):
    # GIVEN / WHEN / THEN
    with pytest.raises(InvalidParameterError, match=r"time only moves forward.*>= 0") as caught:
        clock.advance(bad)
    assert repr(bad) in str(caught.value)
    assert clock.elapsed() == 0


def test_advance_to_never_moves_backwards(clock):
    # GIVEN a clock at +50 s
    clock.advance(50)

    # WHEN asking for +10 s, then +60 s
    clock.advance_to(10)
    at_ten = clock.elapsed()
    clock.advance_to(60)

    # THEN
    assert at_ten == 50
    assert clock.elapsed() == 60


def _kernel_now(tmp_path) -> float:
    """The machine's real time, read from a fresh file's mtime (no Python clock involved)."""
    probe = tmp_path / "now"
    probe.write_text("tick")
    return probe.stat().st_mtime


def test_stop_restores_real_time(tmp_path):
    # GIVEN a running simulated clock, an hour into simulated time
    sim = SimClock()
    sim.start()
    sim.advance(3600)
    assert time.time() == COURSE_START.timestamp() + 3600
    assert abs(time.time() - _kernel_now(tmp_path)) > 5  # frozen: not the machine's time

    # WHEN
    sim.stop()

    # THEN time.time() and datetime.now() are the machine's again
    assert not sim.running
    assert abs(time.time() - _kernel_now(tmp_path)) < 2
    assert abs(dt.datetime.now(dt.UTC).timestamp() - _kernel_now(tmp_path)) < 2


def test_environment_teardown_restores_real_time(env, tmp_path):
    # GIVEN an open environment with a moved clock
    env.sleep(120)
    frozen = time.time()

    # WHEN
    env.teardown()

    # THEN real time runs again
    assert frozen == COURSE_START.timestamp() + 120
    assert abs(time.time() - _kernel_now(tmp_path)) < 2
    assert not env.clock.running


def test_real_clock_rejects_negative_sleep():
    # GIVEN / WHEN / THEN
    with pytest.raises(InvalidParameterError, match="-5"):
        RealClock().advance(-5)


# --- the clock drives moto's SQS timers ---------------------------------------------------
def test_visibility_timeout_expires_on_the_sim_clock(env):
    # GIVEN a queue with a 30 s visibility timeout and one message received once
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName="vt", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="order ord-00001")
    first = sqs.receive_message(QueueUrl=url)["Messages"][0]
    hidden = sqs.receive_message(QueueUrl=url).get("Messages", [])

    # WHEN 31 simulated seconds pass
    started = time.monotonic()
    env.sleep(31)
    again = sqs.receive_message(QueueUrl=url)["Messages"][0]

    # THEN the same message is back with receive count 2, at once
    assert hidden == []
    assert again["MessageId"] == first["MessageId"]
    assert first["Attributes"]["ApproximateReceiveCount"] == "1"
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"
    assert time.monotonic() - started < 1


def test_long_poll_on_empty_queue_advances_exactly_the_wait(env):
    # GIVEN an empty queue
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName="empty")["QueueUrl"]
    before = env.clock.elapsed()

    # WHEN long polling for 20 s
    started = time.monotonic()
    response = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)

    # THEN nothing, exactly 20 simulated seconds, no real waiting
    assert response.get("Messages", []) == []
    assert env.clock.elapsed() - before == 20
    assert time.monotonic() - started < 1


def test_long_poll_returns_a_delayed_message_when_it_becomes_visible(env):
    # GIVEN a message sent with a 5 s delay
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName="delayed")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="late", DelaySeconds=5)
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []

    # WHEN long polling for 20 s
    response = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)

    # THEN it arrives at +5 s, not at the end of the wait
    assert [m["Body"] for m in response["Messages"]] == ["late"]
    assert env.clock.elapsed() == pytest.approx(5, abs=0.01)
    frame = env.log.to_frame()
    assert frame.loc[frame["action"] == "receive", "time"].tolist() == [pytest.approx(5, abs=0.01)]
