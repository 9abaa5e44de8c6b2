"""Notebook 02: a checked quiz of SecureCart scenarios: which AWS event service fits?

Answer with a service name (``"SQS"``, ``"SQS FIFO"``, ``"SNS"``, ``"SNS FIFO"``,
``"EventBridge"``, ``"Step Functions"``, ``"Kinesis"``, ``"DynamoDB Streams"``; case and
spacing do not matter): the same names :func:`helpers.choosing.decision.recommend` answers
with. :func:`check_answer` prints whether it fits and, if not, what the chosen service gets
wrong for that scenario.

Facts the texts rest on (AWS's pages): SNS FIFO topics archive messages (up to 365 days) and
replay them (SNS developer guide, "Amazon SNS message archiving and replay for FIFO topics");
EventBridge has two buses: the Custom Event Bus - Classic (rules and targets) matches any field
of an event, delivers at least once with no ordering promise, replays only from an archive, and
scales by a per-Region PutEvents quota, not shards (EventBridge user guide: event patterns,
archives, quotas); the Custom Event Bus (subscribers) delivers in order per event group to a
FIFO subscriber, deduplicates at publish within 5 minutes and retains every event 1 to 365 days,
so a new subscriber can start in the past (user guide, "Amazon EventBridge event bus (Custom)");
Kinesis keeps records 24 h by default, up to 365 days (Kinesis developer guide).

Example
-------
>>> check_answer("q1", "sqs")
q1 correct: SQS. One consumer group, work buffered: a queue.
>>> is_correct("q1", "SNS")
False
"""

from __future__ import annotations

from ..platform.errors import InvalidParameterError

__all__ = ["SERVICES", "QUESTIONS", "ALSO_CORRECT", "check_answer", "is_correct", "show_questions",
           "Questions"]

#: The answers the quiz accepts (canonical spelling).
SERVICES = ("SQS", "SQS FIFO", "SNS", "SNS FIFO", "EventBridge", "EventBridge Custom Event Bus",
            "Step Functions", "Kinesis", "DynamoDB Streams")

_ALIASES = {"amazon sqs": "SQS", "sqs standard": "SQS", "fifo": "SQS FIFO", "sqs fifo queue": "SQS FIFO",
            "amazon sns": "SNS", "sns fifo topic": "SNS FIFO", "fifo topic": "SNS FIFO",
            "event bridge": "EventBridge", "eventbridge bus": "EventBridge",
            "eventbridge classic": "EventBridge", "custom event bus - classic": "EventBridge",
            "classic": "EventBridge", "custom event bus": "EventBridge Custom Event Bus",
            "eventbridge custom": "EventBridge Custom Event Bus",
            "eventbridgev2": "EventBridge Custom Event Bus",
            "step function": "Step Functions", "stepfunctions": "Step Functions", "sfn": "Step Functions",
            "kinesis data streams": "Kinesis", "kinesis data stream": "Kinesis", "dynamodb stream": "DynamoDB Streams",
            "ddb streams": "DynamoDB Streams"}

#: What each service gets wrong when it is not the answer (the hint names it).
_WHY_NOT = {
    "SQS": "a standard queue gives each message to one consumer, in best-effort order",
    "SQS FIFO": "a FIFO queue gives each message to one consumer group; it does not fan out, "
                "and a deleted message is gone, so there is nothing to replay",
    "SNS": "a standard topic pushes copies to subscribers in best-effort order and keeps nothing "
           "to replay (only FIFO topics archive and replay); it orchestrates nothing",
    "SNS FIFO": "a FIFO topic fans out to SQS queues in order per message group, deduplicates "
                "and can archive and replay, but it routes by subscription filter policies, not "
                "by rules across event sources, and pays for an order not every flow needs",
    "EventBridge": "a Custom Event Bus - Classic routes events by content (any field, detail "
                   "included) with rules, at least once with no ordering promise, and replays "
                   "only an archive; it does not own a multi-step flow, and it scales by a "
                   "per-Region PutEvents quota (adjustable), not by shards readers re-read",
    "EventBridge Custom Event Bus": "a Custom Event Bus delivers each subscriber's events (in "
                                    "order per event group with a FIFO subscriber), deduplicates "
                                    "at publish and retains every event for replay; it does not "
                                    "own a multi-step flow, and it is not a stream of "
                                    "high-volume records that pollers re-read by shard",
    "Step Functions": "a state machine orchestrates steps; it is not a channel between services",
    "Kinesis": "a stream is for high-volume ordered records read by pollers (kept 24 h by "
               "default, up to 365 days); it routes nothing by content, does not deduplicate, "
               "and is heavy for a handful of business events",
    "DynamoDB Streams": "a table's change log only carries changes to that table",
}

#: The scenarios: id -> (question, correct service, why it fits).
QUESTIONS = {
    "q1": ("Checkout must return at once; payments charges each order later at its own pace. "
           "One payments worker group handles each order.", "SQS",
           "One consumer group, work buffered: a queue."),
    "q2": ("A customer's order events (placed, paid, cancelled) must be handled in exactly "
           "the order they happened, by one worker group, without duplicates.", "SQS FIFO",
           "Order per message group and 5-minute deduplication: a FIFO queue."),
    "q3": ("When an order ships, notifications, analytics and loyalty all need the same "
           "message; each may want only some statuses.", "SNS",
           "Fan-out to several subscribers with filter policies: a topic."),
    "q4": ("InventoryLow events must reach restocking only when their stock field is under 5, "
           "events from a partner's SaaS app will join them, order does not matter, and next "
           "month a new supplier service must be able to replay last week's events.",
           "EventBridge",
           "Filters on any field (detail included) across sources, and past events back: an "
           "event bus (Classic: a rule and an archive that replays; Custom Event Bus: a "
           "subscriber that starts at last week)."),
    "q5": ("Fulfillment reserves stock, charges the card, then ships; if charging fails it "
           "releases the stock. One place must own and show each order's progress.",
           "Step Functions", "Orchestration with branches, retries and history: a state machine."),
    "q6": ("The web shop emits 5,000 page-view events a second; recommendations and fraud "
           "detection both read them, in order per customer.", "Kinesis",
           "High-velocity, ordered per partition key, several readers: a stream."),
    "q7": ("Whenever an order's status changes in the orders table, a notification must go "
           "out, without changing the code that writes the table.", "DynamoDB Streams",
           "Every change to the table, in order per item: the table's stream."),
    "q8": ("Each payment event must reach both the ledger and the fraud check, in the order the "
           "customer's payments happened and without duplicates (a few hundred an hour); after "
           "a bug fix the ledger must be able to replay last month's payments.", "SNS FIFO",
           "Fan-out in order per group, 5-minute deduplication, and replay: a FIFO topic (its "
           "archive replays), or an EventBridge Custom Event Bus (a FIFO subscriber each, "
           "retention, a subscriber started at last month)."),
}

#: Scenarios with a second right answer (the first is in :data:`QUESTIONS`).
ALSO_CORRECT = {"q4": ("EventBridge Custom Event Bus",), "q8": ("EventBridge Custom Event Bus",)}


def _normalise(answer: str) -> str:
    text = " ".join(str(answer).strip().split()).lower()
    for service in SERVICES:
        if text == service.lower():
            return service
    return _ALIASES.get(text, text)


def _question(question_id: str) -> tuple[str, str, str]:
    if question_id not in QUESTIONS:
        raise InvalidParameterError(
            f"Unknown question {question_id!r}: the quiz has {', '.join(QUESTIONS)}.")
    return QUESTIONS[question_id]


def is_correct(question_id: str, answer: str | None) -> bool:
    """True when ``answer`` fits scenario ``question_id`` (prints nothing).

    Example
    -------
    >>> is_correct("q6", "kinesis data streams")
    True
    """
    if answer is None:
        return False
    chosen = _normalise(answer)
    return chosen == _question(question_id)[1] or chosen in ALSO_CORRECT.get(question_id, ())


def check_answer(question_id: str, answer: str | None) -> None:
    """Print whether ``answer`` fits scenario ``question_id``, or a hint naming what is wrong.

    Parameters
    ----------
    question_id
        ``"q1"`` ... ``"q8"`` (see :data:`QUESTIONS`).
    answer
        A service name from :data:`SERVICES`.

    Example
    -------
    >>> check_answer("q3", "SQS")
    q3 not quite: SQS does not fit: a standard queue gives each message to one consumer, in best-effort order. Hint: who receives the message, and how many of them?
    """
    _, correct, why = _question(question_id)
    if answer is None:
        print(f"{question_id}: no answer yet. Replace None with one of: {', '.join(SERVICES)}.")
        return
    chosen = _normalise(answer)
    if chosen not in SERVICES:
        print(f"{question_id}: {answer!r} is not one of the services: answer with one of "
              f"{', '.join(SERVICES)}.")
    elif chosen == correct or chosen in ALSO_CORRECT.get(question_id, ()):
        print(f"{question_id} correct: {chosen}. {why}")
    else:
        print(f"{question_id} not quite: {chosen} does not fit: {_WHY_NOT[chosen]}. "
              f"Hint: {_HINTS[question_id]}")


_HINTS = {
    "q1": "how many consumers handle each order, and must the checkout wait?",
    "q2": "what must hold between a customer's events, and how many workers take each?",
    "q3": "who receives the message, and how many of them?",
    "q4": "what picks the events (a field's value, several sources), and where do past events "
          "come back from?",
    "q5": "who owns the sequence of steps and the undo when one fails?",
    "q6": "how many events per second, and who reads them?",
    "q7": "where does the change happen, and who must not change?",
    "q8": "how many consumers, in what order, with or without duplicates, and what must come "
          "back later (which services keep past events, and which keep order)?",
}


class Questions:
    """The scenarios, shown as Markdown in JupyterLab (wrapping between words) and as the same
    plain text where Markdown cannot render (nbval compares that)."""

    def __init__(self, items: dict[str, tuple[str, str, str]]) -> None:
        self.lines = [f"{key}. {question}" for key, (question, _, _) in items.items()]

    def __repr__(self) -> str:
        return "\n".join(self.lines)

    def _repr_markdown_(self) -> str:
        return "\n".join(f"**{line.split('. ', 1)[0]}.** {line.split('. ', 1)[1]}\n" for line in self.lines)


def show_questions() -> Questions:
    """Every scenario with its id (Markdown in a notebook, plain text elsewhere).

    Example
    -------
    >>> show_questions()  # doctest: +ELLIPSIS
    q1. Checkout must return at once; ...
    """
    return Questions(QUESTIONS)
