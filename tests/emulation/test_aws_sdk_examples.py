"""AWS's published Python SDK examples run unchanged against the course, on moto and server.

Our own equivalents of functions from ``awsdocs/aws-doc-sdk-examples``
(``python/example_code/{sqs,sns,stepfunctions,kinesis}``), keeping their calls and their loops
as written: ``time.sleep`` polling, boto3 waiters, paginators, long polls, an activity worker.
Nothing here knows it runs on moto: the clock stand-in turns the sleeps into simulated time.
"""

from __future__ import annotations

import json
import time

ROLE = "arn:aws:iam::123456789012:role/StepFunctionsRole"


# -- SQS: queue_wrapper.py / message_wrapper.py --------------------------------------------
def send_messages(sqs, queue_url, messages):
    entries = [{"Id": str(ind), "MessageBody": msg["body"], "MessageAttributes": msg["attributes"]}
               for ind, msg in enumerate(messages)]
    return sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)


def receive_messages(sqs, queue_url, max_number, wait_time):
    return sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"],
                               MaxNumberOfMessages=max_number, WaitTimeSeconds=wait_time).get("Messages", [])


def delete_messages(sqs, queue_url, messages):
    return sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
        {"Id": str(ind), "ReceiptHandle": msg["ReceiptHandle"]} for ind, msg in enumerate(messages)])


def test_sqs_usage_demo(any_env):
    sqs = any_env.client("sqs")
    url = sqs.create_queue(QueueName="sqs-usage-demo-message-wrapper")["QueueUrl"]
    lines = [f"line {n}" for n in range(25)]
    for start in range(0, len(lines), 10):
        batch = [{"body": body, "attributes": {"line": {"StringValue": str(start + i), "DataType": "String"}}}
                 for i, body in enumerate(lines[start:start + 10])]
        assert not send_messages(sqs, url, batch).get("Failed")
    received = []
    more_messages = True
    while more_messages:  # as the example: until a long poll comes back empty
        messages = receive_messages(sqs, url, 10, 2)
        received += [m["Body"] for m in messages]
        if messages:
            delete_messages(sqs, url, messages)
        else:
            more_messages = False
    assert sorted(received) == sorted(lines)
    names = [u for page in sqs.get_paginator("list_queues").paginate() for u in page.get("QueueUrls", [])]
    assert url in names


# -- SNS: sns_basics.py ----------------------------------------------------------------------
def test_sns_basics(any_env):
    sns, sqs = any_env.client("sns"), any_env.client("sqs")
    topic = sns.create_topic(Name="demo-basics-topic")["TopicArn"]
    url = sqs.create_queue(QueueName="demo-basics-queue")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic}}}]})})
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, ReturnSubscriptionArn=True)["SubscriptionArn"]
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy",
                                    AttributeValue=json.dumps({"mobile_key": ["friendly"]}))
    mail = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="usage@example.com",
                         ReturnSubscriptionArn=True)["SubscriptionArn"]
    for tone in ("friendly", "mean"):
        sns.publish(TopicArn=topic, Message=f"Hello! This message is {tone}.",
                    MessageAttributes={"mobile_key": {"DataType": "String", "StringValue": tone}})
    subs = [s for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic)
            for s in page["Subscriptions"]]
    bodies = [json.loads(m["Body"])["Message"] for m in receive_messages(sqs, url, 10, 1)]
    assert bodies == ["Hello! This message is friendly."] and len(subs) == 2
    pending = sns.get_subscription_attributes(SubscriptionArn=mail)["Attributes"]["PendingConfirmation"]
    assert pending == "true"  # the recipient has not clicked the link


# -- Step Functions: get_started_state_machines.py (ChatSFN) and state_machines.py ---------------
CHAT = {"StartAt": "Greeting", "States": {
    "Greeting": {"Type": "Pass", "Parameters": {"message.$": "States.Format('Hello, {}!', $.name)"},
                 "Next": "GetInput"},
    "GetInput": {"Type": "Task", "Resource": "{{DOC_EXAMPLE_ACTIVITY_ARN}}", "TimeoutSeconds": 300,
                 "Parameters": {"message.$": "$.message",
                                "actions.$": "States.Array('song', 'poem', 'story', 'done')"},
                 "Next": "Choice"},
    "Choice": {"Type": "Choice", "Choices": [
        {"Variable": "$.action", "StringEquals": a, "Next": a.title()} for a in ("song", "poem", "story", "done")]},
    "Song": {"Type": "Pass", "Result": {"message": "My song has no tune."}, "Next": "GetInput"},
    "Poem": {"Type": "Pass", "Result": {"message": "My poem doesn't rhyme."}, "Next": "GetInput"},
    "Story": {"Type": "Pass", "Result": {"message": "No beginning, no end."}, "Next": "GetInput"},
    "Done": {"Type": "Pass", "End": True, "Result": {"message": "Thanks for chatting."}}}}


def finish_state_machine_run(sfn, run_arn):
    status = "RUNNING"
    while status == "RUNNING":
        run_output = sfn.describe_execution(executionArn=run_arn)
        status = run_output["status"]
        if status == "RUNNING":
            time.sleep(1)  # the example's wait(1)
    return run_output


def test_chat_sfn_activity_scenario(any_env):
    sfn = any_env.client("stepfunctions")
    activity = sfn.create_activity(name="doc-example-activity")["activityArn"]
    found = [a["activityArn"] for page in sfn.get_paginator("list_activities").paginate()
             for a in page["activities"] if a["name"] == "doc-example-activity"]
    definition = json.dumps(CHAT).replace("{{DOC_EXAMPLE_ACTIVITY_ARN}}", activity)
    machine = sfn.create_state_machine(name="doc-example-state-machine", definition=definition,
                                       roleArn=ROLE)["stateMachineArn"]
    run_arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"name": "Ana"}))["executionArn"]
    choices, said = iter(["song", "story", "done"]), []
    action = None
    while action != "done":
        activity_task = sfn.get_activity_task(activityArn=activity)
        task_input = json.loads(activity_task["input"])
        said.append(task_input["message"])
        action = next(choices)
        sfn.send_task_success(taskToken=activity_task["taskToken"], output=json.dumps({"action": action}))
    run_output = finish_state_machine_run(sfn, run_arn)
    assert found == [activity]
    assert said == ["Hello, Ana!", "My song has no tune.", "No beginning, no end."]
    assert json.loads(run_output["output"])["message"] == "Thanks for chatting."


def test_state_machine_run_with_a_wait_polled_with_sleep(any_env):
    sfn = any_env.client("stepfunctions")
    machine = sfn.create_state_machine(name="wait-demo", roleArn=ROLE, definition=json.dumps({
        "StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 10, "Next": "Done"},
                                      "Done": {"Type": "Succeed"}}}))["stateMachineArn"]
    run_arn = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    assert finish_state_machine_run(sfn, run_arn)["status"] == "SUCCEEDED"
    runs = [r for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=machine)
            for r in page["executions"]]
    assert [r["status"] for r in runs] == ["SUCCEEDED"]


# -- Kinesis: kinesis_stream.py ---------------------------------------------------------------
def test_kinesis_stream_create_put_and_get(any_env):
    kinesis = any_env.client("kinesis")
    kinesis.create_stream(StreamName="demo-stream", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="demo-stream")
    details = kinesis.describe_stream(StreamName="demo-stream")["StreamDescription"]
    shard_iter = kinesis.get_shard_iterator(StreamName="demo-stream", ShardId=details["Shards"][0]["ShardId"],
                                            ShardIteratorType="LATEST")["ShardIterator"]
    for n in range(25):
        kinesis.put_record(StreamName="demo-stream", Data=json.dumps({"n": n}), PartitionKey="demo")
    record_count, got = 0, []
    while record_count < 25:  # as the example: batches of 10
        response = kinesis.get_records(ShardIterator=shard_iter, Limit=10)
        shard_iter = response["NextShardIterator"]
        record_count += len(response["Records"])
        got += [json.loads(r["Data"])["n"] for r in response["Records"]]
        if not response["Records"]:
            time.sleep(1)
    assert got == list(range(25))
