"""The checked quiz of notebook 02."""

from __future__ import annotations

import pytest

from helpers.course import quiz
from helpers.platform.errors import InvalidParameterError


def test_six_to_eight_questions_each_with_a_known_answer():
    assert 6 <= len(quiz.QUESTIONS) <= 8
    assert {answer for _, answer, _ in quiz.QUESTIONS.values()} <= set(quiz.SERVICES)


@pytest.mark.parametrize("question_id", list(quiz.QUESTIONS))
def test_the_right_answer_passes(question_id, capsys):
    answer = quiz.QUESTIONS[question_id][1]
    assert quiz.is_correct(question_id, answer.lower())
    quiz.check_answer(question_id, answer)
    assert capsys.readouterr().out.startswith(f"{question_id} correct: {answer}.")


def test_a_wrong_answer_gets_a_hint_naming_what_is_wrong(capsys):
    quiz.check_answer("q3", "SQS")
    out = capsys.readouterr().out
    assert out.startswith("q3 not quite: SQS does not fit: a standard queue gives each message to one consumer")
    assert "Hint:" in out
    assert not quiz.is_correct("q3", "SQS")


def test_aliases_and_unknown_answers(capsys):
    assert quiz.is_correct("q5", "sfn") and quiz.is_correct("q6", "Kinesis Data Streams")
    quiz.check_answer("q1", "RabbitMQ")
    assert "is not one of the services" in capsys.readouterr().out
    quiz.check_answer("q1", None)
    assert "no answer yet" in capsys.readouterr().out


def test_unknown_question_is_refused():
    with pytest.raises(InvalidParameterError, match="q1"):
        quiz.check_answer("q99", "SQS")


def test_sns_fifo_is_an_answer_and_fits_ordered_fan_out_with_replay(capsys):
    # GIVEN the scenario of ordered fan-out without duplicates, with replay
    # THEN SNS FIFO is right, and its neighbours are told what they get wrong
    assert quiz.is_correct("q8", "SNS FIFO") and quiz.is_correct("q8", "fifo topic")
    quiz.check_answer("q8", "SQS FIFO")
    assert "does not fan out" in capsys.readouterr().out
    quiz.check_answer("q8", "EventBridge")
    assert "Classic" in capsys.readouterr().out


def test_the_custom_event_bus_also_fits_ordered_fan_out_with_replay(capsys):
    # GIVEN q8 (ordered, deduplicated fan-out with replay): a Custom Event Bus with FIFO
    # subscribers serves it too, while the Classic bus still has no ordering promise
    assert quiz.is_correct("q8", "EventBridge Custom Event Bus") and quiz.is_correct("q8", "custom event bus")
    assert not quiz.is_correct("q8", "EventBridge Classic")
    quiz.check_answer("q8", "eventbridgev2")
    assert capsys.readouterr().out.startswith("q8 correct: EventBridge Custom Event Bus.")
    quiz.check_answer("q8", "EventBridge")
    assert "no ordering promise" in capsys.readouterr().out


def test_questions_show_as_markdown_with_the_same_plain_text():
    shown = quiz.show_questions()
    assert repr(shown).startswith("q1. Checkout") and "**q8.**" in shown._repr_markdown_()


@pytest.mark.parametrize("service", [s for s in quiz.SERVICES])
def test_no_text_states_the_outdated_facts(service):
    # GIVEN what the quiz says about a service when it is not the answer
    text = quiz._WHY_NOT[service] + " ".join(quiz._HINTS.values())
    # THEN EventBridge has no shards, topics may replay (FIFO), Kinesis keeps records
    assert "per shard" not in text
    assert "keeps nothing to replay and" not in text
    assert "forget an event once delivered" not in text
