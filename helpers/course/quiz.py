"""Notebook 02: a checked quiz of SecureCart scenarios: which AWS event service fits?

Answer with a service name (``"SQS"``, ``"SQS FIFO"``, ``"SNS"``, ``"EventBridge"``,
``"Step Functions"``, ``"Kinesis"``, ``"DynamoDB Streams"``; case and spacing do not
matter). :func:`check_answer` prints whether it fits and, if not, what the chosen service
gets wrong for that scenario.

Example
-------
>>> check_answer("q1", "sqs")
q1 correct: SQS. One consumer group, work buffered: a queue.
>>> is_correct("q1", "SNS")
False
"""

from __future__ import annotations

from ..platform.errors import InvalidParameterError

__all__ = ["SERVICES", "QUESTIONS", "check_answer", "is_correct", "show_questions"]

#: The answers the quiz accepts (canonical spelling).
SERVICES = ("SQS", "SQS FIFO", "SNS", "EventBridge", "Step Functions", "Kinesis",
            "DynamoDB Streams")

_ALIASES = {"amazon sqs": "SQS", "sqs standard": "SQS", "fifo": "SQS FIFO", "sqs fifo queue": "SQS FIFO",
            "amazon sns": "SNS", "event bridge": "EventBridge", "eventbridge bus": "EventBridge",
            "step function": "Step Functions", "stepfunctions": "Step Functions", "sfn": "Step Functions",
            "kinesis data streams": "Kinesis", "dynamodb stream": "DynamoDB Streams",
            "ddb streams": "DynamoDB Streams"}

#: What each service gets wrong when it is not the answer (the hint names it).
_WHY_NOT = {
    "SQS": "a standard queue gives each message to one consumer, in best-effort order",
    "SQS FIFO": "a FIFO queue gives each message to one consumer; it does not fan out or replay",
    "SNS": "a topic pushes copies to subscribers but keeps nothing to replay and orchestrates nothing",
    "EventBridge": "a bus routes events by content, but it does not own a multi-step flow "
                   "or carry thousands of records per second per shard",
    "Step Functions": "a state machine orchestrates steps; it is not a channel between services",
    "Kinesis": "a stream is for high-volume ordered records read by pollers; it is heavy for "
               "a handful of business events",
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
    "q4": ("InventoryLow events must reach restocking, and next month a new supplier "
           "service must be able to replay last week's events.", "EventBridge",
           "Content-based rules plus an archive that replays: an event bus."),
    "q5": ("Fulfillment reserves stock, charges the card, then ships; if charging fails it "
           "releases the stock. One place must own and show each order's progress.",
           "Step Functions", "Orchestration with branches, retries and history: a state machine."),
    "q6": ("The web shop emits 5,000 page-view events a second; recommendations and fraud "
           "detection both read them, in order per customer.", "Kinesis",
           "High-velocity, ordered per partition key, several readers: a stream."),
    "q7": ("Whenever an order's status changes in the orders table, a notification must go "
           "out, without changing the code that writes the table.", "DynamoDB Streams",
           "Every change to the table, in order per item: the table's stream."),
}


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
    return answer is not None and _normalise(answer) == _question(question_id)[1]


def check_answer(question_id: str, answer: str | None) -> None:
    """Print whether ``answer`` fits scenario ``question_id``, or a hint naming what is wrong.

    Parameters
    ----------
    question_id
        ``"q1"`` ... ``"q7"`` (see :data:`QUESTIONS`).
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
    elif chosen == correct:
        print(f"{question_id} correct: {correct}. {why}")
    else:
        print(f"{question_id} not quite: {chosen} does not fit: {_WHY_NOT[chosen]}. "
              f"Hint: {_HINTS[question_id]}")


_HINTS = {
    "q1": "how many consumers handle each order, and must the checkout wait?",
    "q2": "what must hold between a customer's events, and how many workers take each?",
    "q3": "who receives the message, and how many of them?",
    "q4": "which requirement rules out services that forget an event once delivered?",
    "q5": "who owns the sequence of steps and the undo when one fails?",
    "q6": "how many events per second, and who reads them?",
    "q7": "where does the change happen, and who must not change?",
}


def show_questions() -> None:
    """Print every scenario with its id.

    Example
    -------
    >>> show_questions()  # doctest: +ELLIPSIS
    q1. Checkout must return at once; ...
    """
    for key, (question, _, _) in QUESTIONS.items():
        print(f"{key}. {question}")
