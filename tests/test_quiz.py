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
