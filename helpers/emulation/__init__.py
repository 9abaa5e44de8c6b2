"""Every place where the helpers stand in for an AWS behaviour moto lacks.

One folder per service (``sqs/``, ``sns/``, ``events/``, ``stepfunctions/``, ``cloudwatch/``,
``awslambda/``, ``kinesis/``, ``apigateway/``, ``logs/``): its ``__init__`` holds the service's
stand-in group and the table of every stand-in (AWS behaviour | moto alone | stand-in), its
other modules one behaviour each. AWS's rules that need no moto (event patterns, filter
policies, the ASL interpreter, alarm rules) live one layer down in :mod:`helpers.rules`, shared
with the toolkits, which apply them on ``aws`` too.

The stand-ins are installed only on the local backends (``moto`` and the in-process
``server``); on ``aws`` the real service behaves as documented. Each row a stand-in writes
to ``env.log`` carries the outcome ``"emulated on moto"`` where a student would otherwise
mistake it for moto's own behaviour.

SQS (:mod:`helpers.emulation.sqs`)
    cheap clock; FIFO deduplication interval after delete; long polling on the simulated
    clock; at-least-once delivery and best-effort order (seeded); RedriveAllowPolicy and DLQ
    type and ``maxReceiveCount`` rules; message move tasks (DLQ redrive); DLQ moves logged;
    FIFO group order after a visibility timeout; a SequenceNumber on every FIFO send; AWS's
    request rules and texts.

SNS (:mod:`helpers.emulation.sns`: ``validation``, ``delivery``, ``targets``; filter policies in
:mod:`helpers.rules.filter_policies`)
    ``deliver`` / ``filter-drop`` rows in ``env.log``; independent delivery per subscriber;
    filter policies with every operator and AWS's errors; publish and FIFO rules; archive and
    replay; subscription DLQ and retries on the clock; Lambda handlers; outbox; envelope
    (unsigned for FIFO topics); SequenceNumber in FIFO Publish answers; HTTP(S) and e-mail
    confirmation (pinned by ``tests/emulation/test_emulation_sns.py``); a topic's
    ``MaximumMessageSize`` and its large-topic rules (``tests/emulation/test_sns_message_size.py``).

EventBridge (:mod:`helpers.emulation.events`: ``delivery``; patterns and target input in
:mod:`helpers.rules.patterns` and :mod:`helpers.rules.input_transformer`)
    ``route`` rows in ``env.log``; a DISABLED rule delivers nothing (moto still delivers);
    TestEventPattern; AWS's pattern matcher and validation; SNS, Lambda, Step Functions, bus
    and API destination targets; the AWS envelope; InputPath, Input, InputTransformer;
    PutTargets validation; retries and DLQs on the clock; bus policies; replay windows; the
    PutEvents entry size limit. Pinned by ``tests/emulation/test_emulation_events_*.py``.

EventBridge Custom Event Bus (:mod:`helpers.emulation.eventbridgev2`, a package)
    the whole ``eventbridgev2`` API (moto has none): buses on the clock, subscribers (FIFO,
    UNORDERED) with filters, transformers, batching, retries, failure destination, retention
    and starting positions; PutEvents deduplication. Its table and readings are in its docstring.

Lambda (:mod:`helpers.emulation.awslambda`)
    the registered Python handler runs where moto needs Docker; ``Runtime.HandlerNotFound``
    in AWS's words, saying how to register one.

Lambda asynchronous invocation (:mod:`helpers.emulation.awslambda.asynchronous`)
    ``Invoke`` with ``Event`` queued on the simulated clock; two retries (1 min, 2 min),
    ``MaximumRetryAttempts``, ``MaximumEventAgeInSeconds``, on-success / on-failure
    destinations with the invocation record (pinned by ``tests/labs/test_patterns_lambda_async.py``).

Step Functions (:mod:`helpers.emulation.stepfunctions`; the interpreter in :mod:`helpers.rules.asl`)
    executions on the simulated clock (Wait, Retry backoff, task tokens, heartbeats); Lambda,
    SQS and SNS tasks in-process; activities (GetActivityTask); inline Map; definition rules.

Kinesis (:mod:`helpers.emulation.kinesis`)
    per-shard write throughput: ``ProvisionedThroughputExceededException``; a stream's maximum
    record size, ``UpdateMaxRecordSize`` (``tests/emulation/test_kinesis_record_size.py``).

API Gateway (:mod:`helpers.emulation.apigateway`)
    REST API SQS integrations invoked; request body validation against the method's model.

CloudWatch (:mod:`helpers.emulation.cloudwatch`; alarm rules in :mod:`helpers.rules.alarms`)
    ``AWS/SQS`` metrics each simulated minute; alarms evaluated (M out of N, missing data);
    ``DescribeAlarmHistory``; SNS alarm actions; metric-math arithmetic in ``GetMetricData``.

CloudWatch Logs (:mod:`helpers.emulation.logs`)
    JSON filter patterns (``{ $.field = "value" }``) in ``FilterLogEvents``.

Clock (:mod:`helpers.emulation.clock`)
    ``time.sleep`` in the thread that called ``connect()`` advances the simulated clock, so
    AWS's polling loops, waiters and retries run unchanged.

Server (:mod:`helpers.emulation.server`)
    on the ``server`` backend, a failure inside moto answers AWS's JSON or XML error document
    (``InvalidAction``, ``InternalFailure``), never an HTML page with a traceback.

Environment (:mod:`helpers.environment`)
    Step Functions executions switched on (moto needs a config flag); DynamoDB Streams
    reached with ``account_id_endpoint_mode="disabled"``; message ids seeded.

Tests in ``tests/emulation/test_emulation_*.py`` pin each stand-in next to a ``test_moto_alone_*``
canary; every moto function a stand-in patches is recorded with the signature it was written
against (:mod:`._signatures`, checked at ``connect()``), and ``make moto-report`` says which
stand-ins the newest moto no longer needs.

Example
-------
>>> from helpers.emulation import DeliveryModel
>>> DeliveryModel().active
False
"""

from __future__ import annotations

from ._base import _Patches
from .apigateway import ApiGatewayStandIns
from .awslambda import LambdaStandIns
from .awslambda.asynchronous import LambdaAsyncStandIns
from .clock import ClockStandIns
from .cloudwatch import CloudWatchStandIns
from .eventbridgev2 import EventBridgeV2StandIns
from .events import EventsStandIns
from .kinesis import KinesisStandIns
from .logs import LogsStandIns
from .server import ServerStandIns
from .sns import SnsStandIns
from .sqs import EMULATED, DeliveryModel, SqsStandIns
from .stepfunctions import StepFunctionsStandIns

__all__ = ["DeliveryModel", "SqsStandIns", "SnsStandIns", "EventsStandIns", "EMULATED", "GROUPS",
           "LambdaStandIns", "StepFunctionsStandIns", "EventBridgeV2StandIns", "KinesisStandIns",
           "ApiGatewayStandIns", "CloudWatchStandIns", "LogsStandIns", "ClockStandIns",
           "ServerStandIns", "LambdaAsyncStandIns"]

#: One group of stand-ins per AWS service, started in this order (stopped in reverse) by every
#: local environment; ``env.emulation[service]`` is the group. A new service's module adds its
#: class here.
GROUPS: tuple[type[_Patches], ...] = (
    SqsStandIns,
    SnsStandIns,
    EventsStandIns,
    LambdaStandIns,  # nb06
    StepFunctionsStandIns,  # nb06
    KinesisStandIns,  # nb06
    ApiGatewayStandIns,  # nb06
    CloudWatchStandIns,  # nb07
    LogsStandIns,  # nb07
    LambdaAsyncStandIns,  # nb09
    EventBridgeV2StandIns,  # nb05: the Custom Event Bus
    ClockStandIns,  # AWS's example code: time.sleep in the connect() thread moves the clock
    ServerStandIns,  # the server backend: AWS error documents, never an HTML 500
)
