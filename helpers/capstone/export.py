"""Take it to work: the discovered design as a CloudFormation template plus its handler files.

:func:`template` writes the design as resources (queues with their redrive policies, topics and
subscriptions with filter policies, buses, rules and targets, Lambda functions with their
``EVENTS_ARN``, event source mappings, state machines, alarms, the queue policies SNS and
EventBridge need to send to queues, and one execution role). :func:`export` writes
``template.yaml`` and ``handlers/`` into a folder; ``sam deploy --guided`` (or ``aws
cloudformation package`` then ``deploy``) uploads ``handlers/`` and creates the stack.
:func:`lint` checks the template with cfn-lint; :func:`deploy_on_moto` does what ``package``
does (the folder zipped to an S3 bucket) and creates the stack on moto's CloudFormation.

Example
-------
>>> from helpers.capstone.discovery import Design, Queue
>>> d = Design("x-", "123456789012")
>>> d.queues["orders"] = Queue("orders", "arn:aws:sqs:us-east-1:123456789012:x-orders", "u", False, 180)
>>> sorted(template(d)["Resources"])
['ExecutionRole', 'QueueOrders']
"""

from __future__ import annotations

import contextlib
import inspect
import io
import json
import logging
import re
import shutil
import warnings
import zipfile
from pathlib import Path
from typing import Any

import yaml

from . import runtime, services
from .discovery import Design

__all__ = ["template", "export", "lint", "deploy_on_moto", "IGNORED_CHECKS", "resource_types"]

#: cfn-lint checks not applied, with why: W3002 warns that a local ``Code`` path needs the
#: ``package`` step, which is exactly how ``sam deploy`` is meant to deploy this folder.
IGNORED_CHECKS = ("W3002",)
_HANDLERS = Path(__file__).parent / "aws_handlers"


def _logical(kind: str, name: str) -> str:
    return kind + "".join(p.capitalize() for p in re.split(r"[^A-Za-z0-9]+", name) if p)


def _ref_for(design: Design, arn: str | None) -> Any:
    """A reference to the resource with ``arn`` in the template, or the ARN itself."""
    if not arn:
        return None
    for q in design.queues.values():
        if q.arn == arn:
            return {"Fn::GetAtt": [_logical("Queue", q.name), "Arn"]}
    for t in design.topics.values():
        if t.arn == arn:
            return {"Ref": _logical("Topic", t.name)}
    for f in design.functions.values():
        if f.arn == arn:
            return {"Fn::GetAtt": [_logical("Function", f.name), "Arn"]}
    for m in design.machines.values():
        if m.arn == arn:
            return {"Ref": _logical("StateMachine", m.name)}
    for name, bus_arn in design.buses.items():
        if bus_arn == arn:
            return {"Fn::GetAtt": [_logical("Bus", name), "Arn"]}
    return arn


def _sub_arns(design: Design, value: Any) -> Any:
    """Replace known ARNs inside a state machine definition by substitutions."""
    text = json.dumps(value)
    subs = {}
    for f in design.functions.values():
        if f.arn in text:
            key = _logical("Function", f.name)
            text = text.replace(f.arn, "${" + key + "}")
            subs[key] = {"Fn::GetAtt": [key, "Arn"]}
    return {"Fn::Sub": [text, subs]} if subs else text


def _queues(design: Design, res: dict) -> None:
    for q in design.queues.values():
        props: dict[str, Any] = {"QueueName": f"securecart-{q.name}", "VisibilityTimeout": q.visibility}
        if q.fifo:
            props.update(FifoQueue=True, ContentBasedDeduplication=q.content_dedup)
        if q.dlq_arn:
            props["RedrivePolicy"] = {"deadLetterTargetArn": _ref_for(design, q.dlq_arn),
                                      "maxReceiveCount": q.max_receives}
        res[_logical("Queue", q.name)] = {"Type": "AWS::SQS::Queue", "Properties": props}


def _senders(design: Design) -> dict[str, list[tuple[str, Any]]]:
    """Queue name -> (service principal, source) pairs that must be allowed to send to it."""
    out: dict[str, list[tuple[str, Any]]] = {}
    for t in design.topics.values():
        for s in t.subscriptions:
            for q in design.queues.values():
                if q.arn == s.endpoint:
                    out.setdefault(q.name, []).append(("sns.amazonaws.com", {"Ref": _logical("Topic", t.name)}))
    for r in design.rules.values():
        for tg in r.targets:
            for q in design.queues.values():
                if tg.arn == q.arn or tg.dlq_arn == q.arn:
                    out.setdefault(q.name, []).append(
                        ("events.amazonaws.com", {"Fn::GetAtt": [_logical("Rule", r.name), "Arn"]}))
    return out


def _policies(design: Design, res: dict) -> None:
    for queue, senders in sorted(_senders(design).items()):
        statements = [{"Effect": "Allow", "Principal": {"Service": svc}, "Action": "sqs:SendMessage",
                       "Resource": {"Fn::GetAtt": [_logical("Queue", queue), "Arn"]},
                       "Condition": {"ArnEquals": {"aws:SourceArn": src}}} for svc, src in senders]
        res[_logical("QueuePolicy", queue)] = {"Type": "AWS::SQS::QueuePolicy", "Properties": {
            "Queues": [{"Ref": _logical("Queue", queue)}],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}}


def _topics(design: Design, res: dict) -> None:
    for t in design.topics.values():
        props: dict[str, Any] = {"TopicName": f"securecart-{t.name}"}
        if t.fifo:
            props["FifoTopic"] = True
        res[_logical("Topic", t.name)] = {"Type": "AWS::SNS::Topic", "Properties": props}
        for k, s in enumerate(t.subscriptions):
            sp: dict[str, Any] = {"TopicArn": {"Ref": _logical("Topic", t.name)}, "Protocol": s.protocol,
                                  "Endpoint": _ref_for(design, s.endpoint)}
            if s.protocol == "sqs":
                sp["RawMessageDelivery"] = True
            if s.filter_policy:
                sp["FilterPolicy"] = s.filter_policy
                sp["FilterPolicyScope"] = s.scope
            if s.dlq_arn:
                sp["RedrivePolicy"] = {"deadLetterTargetArn": _ref_for(design, s.dlq_arn)}
            name = design.name(s.endpoint)
            res[_logical("Subscription", f"{t.name}-{name}-{k}")] = {"Type": "AWS::SNS::Subscription",
                                                                     "Properties": sp}


def _buses(design: Design, res: dict) -> None:
    for name in design.buses:
        res[_logical("Bus", name)] = {"Type": "AWS::Events::EventBus",
                                      "Properties": {"Name": f"securecart-{name}"}}
    for r in design.rules.values():
        targets = []
        for tg in r.targets:
            ident = re.sub(r"[^.\-_A-Za-z0-9]", "-", tg.arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1])[-64:]
            entry: dict[str, Any] = {"Id": ident,
                                     "Arn": _ref_for(design, tg.arn)}
            if tg.dlq_arn:
                entry["DeadLetterConfig"] = {"Arn": _ref_for(design, tg.dlq_arn)}
            if ":states:" in tg.arn:
                entry["RoleArn"] = {"Fn::GetAtt": ["ExecutionRole", "Arn"]}
            targets.append(entry)
        res[_logical("Rule", r.name)] = {"Type": "AWS::Events::Rule", "Properties": {
            "EventBusName": {"Fn::GetAtt": [_logical("Bus", r.bus), "Name"]}, "EventPattern": r.pattern, "Targets": targets}}


def _functions(design: Design, res: dict) -> None:
    for f in design.functions.values():
        props: dict[str, Any] = {"Runtime": "python3.12", "Handler": f"{f.name}.handler",
                                 "Code": "handlers/", "Timeout": f.timeout,
                                 "Role": {"Fn::GetAtt": ["ExecutionRole", "Arn"]}}
        if f.destination:
            props["Environment"] = {"Variables": {"EVENTS_ARN": _ref_for(design, f.destination)}}
        if f.dlq_arn:
            props["DeadLetterConfig"] = {"TargetArn": _ref_for(design, f.dlq_arn)}
        res[_logical("Function", f.name)] = {"Type": "AWS::Lambda::Function", "Properties": props}
    for m in design.mappings:
        props = {"EventSourceArn": _ref_for(design, m.queue_arn),
                 "FunctionName": {"Ref": _logical("Function", m.function)}, "BatchSize": m.batch_size}
        if m.report_failures:
            props["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
        res[_logical("Mapping", f"{design.name(m.queue_arn)}-{m.function}")] = {
            "Type": "AWS::Lambda::EventSourceMapping", "Properties": props}
    for m in design.machines.values():
        res[_logical("StateMachine", m.name)] = {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "StateMachineType": m.kind, "DefinitionString": _sub_arns(design, m.definition),
            "RoleArn": {"Fn::GetAtt": ["ExecutionRole", "Arn"]}}}


def _alarms(design: Design, res: dict) -> None:
    for a in design.alarms:
        if a.queue is None or a.queue not in design.queues:
            continue
        res[_logical("Alarm", a.name)] = {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "Namespace": "AWS/SQS", "MetricName": a.metric, "Statistic": "Maximum", "Period": 60,
            "EvaluationPeriods": 1, "Threshold": 0, "ComparisonOperator": "GreaterThanThreshold",
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [_logical("Queue", a.queue), "QueueName"]}}]}}


def _role() -> dict:
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com", "events.amazonaws.com"]}}]}
    actions = ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
               "sns:Publish", "events:PutEvents", "lambda:InvokeFunction", "states:StartExecution",
               "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    return {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": trust, "Policies": [{
        "PolicyName": "securecart", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": actions, "Resource": "*"}]}}]}}


def template(design: Design) -> dict:
    """The CloudFormation template (a dict) of ``design``."""
    res: dict[str, Any] = {"ExecutionRole": _role()}
    for part in (_queues, _policies, _topics, _buses, _functions, _alarms):
        part(design, res)
    return {"AWSTemplateFormatVersion": "2010-09-09",
            "Description": "SecureCart, exported from notebook 08's discovered design",
            "Resources": res}


def _source(handler: Any, name: str) -> str:
    course = {getattr(services, n): n for n in services.__all__ if callable(getattr(services, n))}
    if handler in course:
        body = f"from services import {course[handler]} as _function\n"
    else:
        try:
            body = "from runtime import *  # noqa: F403\n\n" + inspect.getsource(handler) + \
                   f"\n\n_function = {handler.__name__}\n"
        except (OSError, TypeError):
            body = f"from services import {name}_solution as _function\n"
    return f'"""SecureCart `{name}` (exported by notebook 08)."""\n' + body + \
        "\nfrom aws_services import bind  # noqa: E402\n\nhandler = bind(_function)\n"


def export(design: Design, folder: str | Path) -> Path:
    """Write ``template.yaml`` and ``handlers/`` for ``design`` into ``folder``; the folder."""
    folder = Path(folder)
    handlers = folder / "handlers"
    if handlers.exists():
        shutil.rmtree(handlers)
    handlers.mkdir(parents=True)
    (folder / "template.yaml").write_text(yaml.safe_dump(template(design), sort_keys=False, width=100))
    shutil.copy(inspect.getsourcefile(runtime), handlers / "runtime.py")
    # Stored as .txt: it imports the exported folder's own `runtime`, so it is not a module here.
    shutil.copy(_HANDLERS / "aws_services.py.txt", handlers / "aws_services.py")
    text = Path(inspect.getsourcefile(services)).read_text()
    text = re.sub(r"from \.runtime import", "from runtime import", text)
    (handlers / "services.py").write_text(text)
    for f in design.functions.values():
        (handlers / f"{f.name}.py").write_text(_source(f.handler, f.name))
    return folder


def lint(folder: str | Path) -> list[str]:
    """cfn-lint's findings on ``folder/template.yaml`` (empty when clean)."""
    from cfnlint.api import ManualArgs
    from cfnlint.api import lint as cfn_lint
    text = (Path(folder) / "template.yaml").read_text()
    return [str(m) for m in cfn_lint(text, config=ManualArgs(ignore_checks=list(IGNORED_CHECKS),
                                                           regions=["us-east-1"]))]


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((folder / "handlers").glob("*.py")):
            archive.write(path, path.name)
    return buffer.getvalue()


def deploy_on_moto(env: Any, folder: str | Path, stack: str = "securecart") -> Any:
    """Package (zip ``handlers/`` to S3) and create the stack on this backend's CloudFormation.

    Returns a table: per resource type, how many the template declares and how many the stack
    created. moto's CloudFormation skips types it does not implement (it warns and creates
    nothing): those rows say so, where AWS would create them.
    """
    folder = Path(folder)
    doc = yaml.safe_load((folder / "template.yaml").read_text())
    bucket = env.name("capstone-artifacts", "s3")
    s3 = env.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="handlers.zip", Body=_zip(folder))
    for res in doc["Resources"].values():
        if res["Type"] == "AWS::Lambda::Function":
            res["Properties"]["Code"] = {"S3Bucket": bucket, "S3Key": "handlers.zip"}
    cfn = env.client("cloudformation")
    name = env.name(stack, "cloudformation")
    with _quiet_moto():
        cfn.create_stack(StackName=name, TemplateBody=json.dumps(doc), Capabilities=["CAPABILITY_IAM"])
        created = resource_types(r.get("ResourceType", "?") for r in
                                 cfn.list_stack_resources(StackName=name)["StackResourceSummaries"])
        if env.local:  # shown; the stack's resources are not the run's (no run prefix): delete them
            cfn.delete_stack(StackName=name)
            s3.delete_object(Bucket=bucket, Key="handlers.zip")
            s3.delete_bucket(Bucket=bucket)
    declared = resource_types(r["Type"] for r in doc["Resources"].values())
    import pandas as pd
    skipped = "not implemented by moto's CloudFormation: AWS creates it" if env.local else "not created"
    rows = [(t, n, created.get(t, 0), "" if created.get(t) == n else skipped) for t, n in declared.items()]
    return pd.DataFrame(rows, columns=["resource type", "in the template", "created by the stack", "note"])


@contextlib.contextmanager
def _quiet_moto() -> Any:
    """moto logs and warns once per resource type its CloudFormation does not implement; the
    table of :func:`deploy_on_moto` says it instead."""
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Tried to parse")
            yield
    finally:
        logging.disable(logging.NOTSET)


def resource_types(types: Any) -> dict[str, int]:
    """Count resource types (sorted)."""
    out: dict[str, int] = {}
    for t in types:
        out[t] = out.get(t, 0) + 1
    return dict(sorted(out.items()))
