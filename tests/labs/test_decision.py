"""The decision helper's rules and its questionnaire."""

from __future__ import annotations

import pytest

from helpers.choosing import decision
from helpers.platform.errors import InvalidParameterError


@pytest.mark.parametrize(("answers", "service"), [
    ({}, "SQS"),
    ({"one_consumer": True}, "SQS"),
    ({"one_consumer": True, "ordering": True}, "SQS FIFO"),
    ({"many_consumers": True}, "SNS"),
    ({"many_consumers": True, "ordering": True}, "SNS FIFO"),
    ({"many_consumers": True, "ordering": True, "replay": True}, "EventBridge Custom Event Bus"),
    ({"one_consumer": True, "ordering": True, "replay": True}, "SNS FIFO"),
    ({"replay": True}, "EventBridge"),
    ({"many_consumers": True, "replay": True}, "EventBridge"),
    ({"high_velocity": True}, "Kinesis Data Streams"),
    ({"high_velocity": True, "replay": True, "many_consumers": True}, "Kinesis Data Streams"),
    ({"orchestration": True}, "Step Functions"),
    ({"orchestration": True, "high_velocity": True, "ordering": True}, "Step Functions"),
])
def test_rules(answers, service):
    # WHEN the answers are given THEN the first matching rule decides
    assert decision.recommend(**answers).service == service


def test_why_names_the_deciding_answer():
    assert "replay" in decision.recommend(replay=True).why
    assert "order" in decision.recommend(one_consumer=True, ordering=True).why


def test_contradictory_or_non_boolean_answers_are_refused():
    with pytest.raises(InvalidParameterError, match="Pick one"):
        decision.recommend(one_consumer=True, many_consumers=True)
    with pytest.raises(InvalidParameterError):
        decision.recommend(ordering="yes")


def test_questionnaire_shows_the_answer_live():
    # GIVEN the form
    box = decision.questionnaire()
    *checks, answer = box.children
    assert len(checks) == len(decision.QUESTIONS)
    # THEN nothing is recommended before anything is ticked
    assert answer.value == decision.NOTHING_TICKED
    assert "SQS" not in answer.value
    # WHEN "many consumers" and "ordering" are ticked
    by_text = {c.description: c for c in checks}
    by_text[decision.QUESTIONS["many_consumers"]].value = True
    by_text[decision.QUESTIONS["ordering"]].value = True
    # THEN the answer follows
    assert answer.value.startswith("<b>SNS FIFO</b>")
    by_text[decision.QUESTIONS["one_consumer"]].value = True
    assert "Pick one" in answer.value


def test_questionnaire_text_form_is_a_friendly_line():
    # GIVEN the form as a saved notebook stores it (text/plain)
    box = decision.questionnaire()
    bundle = box._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    # THEN it reads as a sentence, not VBox(children=...), and the widget is still there
    assert data["text/plain"] == decision.Questionnaire.TEXT
    assert "VBox" not in repr(box)
    assert "application/vnd.jupyter.widget-view+json" in data


def test_every_recommendation_is_a_quiz_answer():
    # GIVEN every combination the questionnaire allows
    from itertools import product

    from helpers.course import quiz
    keys = list(decision.QUESTIONS)
    seen = set()
    for values in product([False, True], repeat=len(keys)):
        answers = dict(zip(keys, values, strict=True))
        if answers["one_consumer"] and answers["many_consumers"]:
            continue
        seen.add(decision.recommend(**answers).service)
    # THEN the quiz accepts each service the helper can recommend (one vocabulary)
    for service in seen:
        assert quiz._normalise(service) in quiz.SERVICES, service
    assert "SNS FIFO" in seen
