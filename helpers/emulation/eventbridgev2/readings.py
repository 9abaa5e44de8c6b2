"""Every reading the Custom Event Bus stand-in had to choose where AWS's documents leave it open.

One place, so a correction is one edit: each constant below is used by the other modules of
:mod:`helpers.emulation.eventbridgev2`, and :data:`READINGS` is the list the package docstring
and the closing notes quote. Sources read 5 December 2026: the botocore model
``eventbridgev2`` 2025-05-15 and the User Guide chapter *Amazon EventBridge event bus (Custom)*.

Example
-------
>>> BUS_PROVISIONING_SECONDS
3.0
>>> len(READINGS) >= 10
True
"""

from __future__ import annotations

__all__ = ["BUS_PROVISIONING_SECONDS", "BACKOFF_START_SECONDS", "BACKOFF_CAP_SECONDS",
           "DEFAULT_PAGE_SIZE", "SEQUENCE_DIGITS", "DEFAULT_LAMBDA_INVOCATION", "READINGS"]

#: Simulated seconds a bus stays CREATING (or UPDATING) before it is ACTIVE. AWS publishes no
#: figure; boto3's ``EventBusActive`` waiter polls every 2 s, so it sees CREATING once or twice.
BUS_PROVISIONING_SECONDS = 3.0
#: First retry delay of a failed delivery, doubling per attempt (AWS publishes no schedule).
BACKOFF_START_SECONDS = 1.0
#: Largest delay between two retries of one delivery.
BACKOFF_CAP_SECONDS = 60.0
#: Rows in one List page when ``MaxResults`` is not given (the model's maximum is 100).
DEFAULT_PAGE_SIZE = 100
#: Digits of a ``SequenceNumber``: a per-bus counter, zero-padded so strings sort like numbers.
SEQUENCE_DIGITS = 20
#: ``LambdaParameters.InvocationType`` when none is set.
DEFAULT_LAMBDA_INVOCATION = "REQUEST_RESPONSE"

#: The readings, one line each (the package docstring lists them too).
READINGS: tuple[str, ...] = (
    f"A bus is CREATING (after CreateEventBus) or UPDATING (after UpdateEventBus) for "
    f"{BUS_PROVISIONING_SECONDS:g} simulated seconds, then ACTIVE; DeleteEventBus removes it at "
    "once (the EventBusDeleted waiter succeeds on its first poll).",
    "boto3's waiters sleep on the simulated clock while the stand-in is installed (a waiter's "
    "time.sleep never moves it otherwise).",
    "Validation failures are InvalidInputException worded as AWS's other Smithy services word "
    "them: '1 validation error detected: Value ... at ... failed to satisfy constraint: ...'.",
    "A subscriber without FilterConfiguration receives every event (User Guide); a "
    "FilterConfiguration with no Filters, an empty Pattern or two filters of one Scope is refused.",
    "A FIFO subscriber may target a standard queue (AWS documents no refusal: order then holds "
    "only up to the hand-off, as for a Lambda EVENT invoke).",
    "A FIFO queue target without SqsParameters.MessageGroupId gets the event's EventGroupId; "
    "MessageDeduplicationId defaults to the event id. An ungrouped event to a FIFO queue fails "
    "with SQS's error and goes to the failure destination.",
    "In a FIFO subscriber an event without EventGroupId is its own group (no order with others).",
    "Batching: SQS and SNS targets get one message per event (sent in batches); Lambda and "
    "Step Functions targets get a JSON array of the batch's payloads.",
    f"Lambda targets default to InvocationType {DEFAULT_LAMBDA_INVOCATION} (a handler error is a "
    "failed delivery); with EVENT the handler's error is Lambda's, logged, and delivery succeeds.",
    f"Retries back off from {BACKOFF_START_SECONDS:g} s doubling to {BACKOFF_CAP_SECONDS:g} s "
    "with seeded jitter; MaxEventAgeInSeconds counts from the subscriber's first attempt (so a "
    "HORIZON subscriber reading old events still retries them).",
    "The failure destination gets the event as the target would have (after the transformer) "
    "with message attributes SUBSCRIBER_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, "
    "RETRY_ATTEMPTS, EXHAUSTED_RETRY_CONDITION (Classic's names); a FIFO queue keeps the group.",
    "A DEDUPLICATED entry answers the EventId and SequenceNumber of the event it repeats; "
    "content-based deduplication hashes Source, DetailType, Detail and Resources; an entry's "
    "DeduplicationId wins over a request's CONTENT_BASED.",
    "SystemMetadata carries ContentType, aws:EventId, aws:SequenceNumber, aws:PublishTime and "
    "(when set) aws:EventGroupId; a PutEvents event has no Metadata part.",
    "An entry whose Source starts with 'aws.' fails alone (NotAuthorizedForSourceException), "
    "and an entry whose Detail is not a JSON object fails alone (MalformedDetail), as on Classic.",
    "Targets other than SQS, SNS, Lambda and Step Functions are accepted and fail at delivery "
    "(SDK_CLIENT_ERROR: not a kind the course emulates).",
    "ResourcePolicy, EventSource, PutRawEvents and webhook operations are not emulated: they "
    "answer InternalException naming the operation.",
)
