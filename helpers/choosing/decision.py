"""Notebook 02: which AWS event service fits? A rules-based recommendation and its questionnaire.

The rules, first match wins (each answer says which rule fired):

1. orchestration (steps, branches, retries, one owner of the flow) -> Step Functions
2. high-velocity stream (many records per second, several readers, replay) -> Kinesis
   (records kept 24 h by default, up to 365 days)
3. ordering with several consumers AND replay -> EventBridge Custom Event Bus (one FIFO
   subscriber per consumer, in order per event group; deduplication at publish; every event
   retained 1-365 days, so a new subscriber starts in the past). SNS FIFO also fits.
4. ordering with several consumers or with replay -> SNS FIFO (fan-out in order per message
   group; a FIFO topic's archive keeps messages up to 365 days and replays them); a Custom
   Event Bus with FIFO subscribers also fits
5. replay needed -> EventBridge: the Custom Event Bus retains every event and starts a new
   subscriber in the past; the Custom Event Bus - Classic replays an archive to the bus
   (rules match any field; at-least-once, no ordering promise on Classic)
6. many consumers of the same message -> SNS (fan-out with filter policies)
7. one consumer (group) -> SQS, SQS FIFO when ordering is needed

Sources: SNS developer guide, "Amazon SNS message archiving and replay for FIFO topics";
EventBridge user guide, "Archiving and replaying events" (Classic) and "Amazon EventBridge event
bus (Custom)" (ordering, deduplication, retention, starting positions); Kinesis developer guide,
"Change the data retention period".

Example
-------
>>> recommend(many_consumers=True).service
'SNS'
>>> recommend(one_consumer=True, ordering=True).service
'SQS FIFO'
>>> recommend(many_consumers=True, ordering=True).service
'SNS FIFO'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..course.panels import Panel
from ..platform import limits
from ..platform.errors import InvalidParameterError

__all__ = ["Recommendation", "QUESTIONS", "NOTHING_TICKED", "Questionnaire", "recommend",
           "questionnaire"]

#: The questionnaire's questions: keyword of :func:`recommend` -> question text.
QUESTIONS = {
    "one_consumer": "Does one consumer (or one group of workers) handle each message?",
    "many_consumers": "Do several independent consumers need the same message?",
    "ordering": "Must messages be handled in order (per order, per customer)?",
    "replay": "Will you need to replay past events (new consumer, bug fix)?",
    "orchestration": "Is it a multi-step workflow with branches and retries owned in one place?",
    "high_velocity": "Is it a high-velocity stream (thousands of records per second)?",
}


@dataclass(frozen=True)
class Recommendation:
    """A recommended service and why.

    Example
    -------
    >>> print(Recommendation("SQS", "one consumer group"))
    SQS: one consumer group
    """

    service: str
    why: str

    def __str__(self) -> str:
        return f"{self.service}: {self.why}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(f"Recommendation: {self.service}\nWhy: {self.why}")


def recommend(*, one_consumer: bool = False, many_consumers: bool = False,
              ordering: bool = False, replay: bool = False, orchestration: bool = False,
              high_velocity: bool = False) -> Recommendation:
    """Recommend an AWS event service from six yes/no answers (see the module's rules).

    Parameters
    ----------
    one_consumer, many_consumers, ordering, replay, orchestration, high_velocity
        The answers to :data:`QUESTIONS`. ``one_consumer`` and ``many_consumers`` cannot
        both be true.

    Returns
    -------
    Recommendation
        ``service`` and ``why`` (which answer decided it).

    Example
    -------
    >>> recommend(orchestration=True, many_consumers=True).service
    'Step Functions'
    >>> recommend(high_velocity=True, replay=True).why.startswith("a high-velocity stream")
    True
    """
    answers = dict(one_consumer=one_consumer, many_consumers=many_consumers, ordering=ordering,
                   replay=replay, orchestration=orchestration, high_velocity=high_velocity)
    for key, value in answers.items():
        if not isinstance(value, bool):
            raise InvalidParameterError(f"{key}={value!r}: answer True or False.")
    if one_consumer and many_consumers:
        raise InvalidParameterError(
            "one_consumer and many_consumers are both True: a message has either one consumer "
            "(group) or several. Pick one."
        )
    if orchestration:
        return Recommendation("Step Functions", "a multi-step workflow with branches and retries "
                              "is orchestrated by a state machine that records every step")
    if high_velocity:
        days = limits.KINESIS_MAX_RETENTION_HOURS // 24
        return Recommendation("Kinesis Data Streams", "a high-velocity stream: shards scale the "
                              "throughput, order is kept per partition key, and records stay for "
                              f"replay (24 h by default, up to {days} days)")
    if ordering and many_consumers and replay:
        return Recommendation("EventBridge Custom Event Bus", "several consumers, in order, with "
                              "replay: one FIFO subscriber per consumer delivers in order per event "
                              "group, publishing deduplicates for 5 minutes, and the bus retains "
                              f"every event (up to {limits.EVENTBRIDGE_V2_MAX_RETENTION_DAYS} days) "
                              "so a subscriber can start in the past (an SNS FIFO topic with an "
                              "archive also fits)")
    if ordering and (many_consumers or replay):
        return Recommendation("SNS FIFO", f"{'several consumers' if many_consumers else 'replay'}"
                              ", in order: a FIFO topic fans out to SQS queues in order per message "
                              "group, and its archive keeps messages (up to "
                              f"{limits.SNS_FIFO_MAX_ARCHIVE_DAYS} days) to replay them; an "
                              "EventBridge Custom Event Bus with FIFO subscribers also fits")
    if replay:
        return Recommendation("EventBridge", "replay needed: a Custom Event Bus retains every "
                              "event and a new subscriber starts in the past; on a Custom Event "
                              "Bus - Classic an archive replays to the bus (rules match any field; "
                              "at-least-once, no ordering promise on Classic)")
    if many_consumers:
        return Recommendation("SNS", "several consumers of the same message: a topic fans out to "
                              "every subscriber, filter policies pick what each gets")
    if ordering:
        return Recommendation("SQS FIFO", "one consumer, in order: a FIFO queue keeps order within "
                              "a message group and deduplicates for 5 minutes")
    return Recommendation("SQS", "one consumer (group) working through messages at its own pace: "
                          "a queue buffers the work, retries and dead-letters failures")


class Questionnaire(Panel):
    """The questionnaire's widget box, shown with a short fixed text where widgets cannot render.

    A saved notebook (and nbval) keeps only the text form of a widget; this gives it a line a
    reader understands instead of ``VBox(children=...)``.

    Example
    -------
    >>> repr(questionnaire())
    'Decision helper: tick the boxes that hold for your workload (needs a live kernel).'
    """

    TEXT = "Decision helper: tick the boxes that hold for your workload (needs a live kernel)."


#: The answer line before anything is ticked (no answer is given for no facts).
NOTHING_TICKED = "<i>Tick what holds for your workload: the recommendation appears here.</i>"


def questionnaire() -> Questionnaire:
    """A small ipywidgets form: tick the answers, read :func:`recommend`'s answer live.

    Returns
    -------
    Questionnaire
        Six checkboxes and an HTML line with the recommendation, which stays a prompt until
        a box is ticked (call :func:`recommend` directly where there are no widgets).

    Example
    -------
    >>> box = questionnaire()
    >>> box.children[-1].value == NOTHING_TICKED
    True
    >>> box.children[0].value = True  # one consumer
    >>> box.children[-1].value.startswith("<b>SQS</b>")
    True
    """
    import ipywidgets as widgets

    boxes = {key: widgets.Checkbox(value=False, description=text, indent=False,
                                   layout=widgets.Layout(width="auto"))
             for key, text in QUESTIONS.items()}
    answer = widgets.HTML()

    def update(_: Any = None) -> None:
        ticked = {k: b.value for k, b in boxes.items()}
        if not any(ticked.values()):
            answer.value = NOTHING_TICKED
            return
        try:
            found = recommend(**ticked)
            answer.value = f"<b>{found.service}</b>: {found.why}"
        except InvalidParameterError as err:
            answer.value = f"<i>{err}</i>"

    for box in boxes.values():
        box.observe(update, names="value")
    update()
    return Questionnaire(widgets.VBox([*boxes.values(), answer]))
