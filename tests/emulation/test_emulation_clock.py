"""Pins the clock stand-in (helpers/emulation/clock/): client code that waits with ``time.sleep``
(polling loops, waiters, botocore's retries) runs unchanged on the simulated clock, and moto
alone leaves such a loop waiting on a frozen clock.
"""

from __future__ import annotations

import json
import threading
import time

from helpers.platform.clock import real_sleep

WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "Next": "D"},
                                   "D": {"Type": "Pass", "End": True}}}


def test_a_describe_execution_polling_loop_ends(any_env):
    # GIVEN an execution waiting 30 s in a Wait state
    sfn = any_env.client("stepfunctions")
    machine = sfn.create_state_machine(name="m", roleArn="arn:aws:iam::123456789012:role/r",
                                       definition=json.dumps(WAIT))["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    # WHEN the client polls as AWS's example code does: describe, then time.sleep(5)
    polls = 0
    while (status := sfn.describe_execution(executionArn=run)["status"]) == "RUNNING":
        polls += 1
        time.sleep(5)
    # THEN it ends after 6 sleeps of simulated time, each logged
    assert (status, polls, any_env.clock.elapsed()) == ("SUCCEEDED", 6, 30.0)
    rows = any_env.log.to_frame()
    assert (rows["action"] == "sleep").sum() == 6


def test_a_throttled_kinesis_producer_recovers_after_sleeping(any_env):
    # GIVEN one shard (1,000 records per second) and a producer that backs off 1 s when throttled
    kinesis = any_env.client("kinesis")
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    throttled = 0
    # WHEN it puts 1,200 records
    for _ in range(1200):
        while True:
            try:
                kinesis.put_record(StreamName="clicks", Data=b"x", PartitionKey="p")
                break
            except kinesis.exceptions.ProvisionedThroughputExceededException:
                throttled += 1
                time.sleep(1)
    # THEN every record is in after about one simulated second of back-off
    shard = kinesis.list_shards(StreamName="clicks")["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName="clicks", ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert len(kinesis.get_records(ShardIterator=iterator, Limit=10000)["Records"]) == 1200
    assert 1 <= any_env.clock.elapsed() <= 2


def test_other_threads_keep_the_real_sleep(env, monkeypatch):
    # GIVEN a background thread
    slept: list[float] = []
    monkeypatch.setattr("helpers.emulation.clock.real_sleep", slept.append)
    before = env.clock.elapsed()
    # WHEN it sleeps
    worker = threading.Thread(target=time.sleep, args=(2.5,))
    worker.start()
    worker.join()
    # THEN it slept really (here: recorded) and the simulated clock did not move
    assert slept == [2.5] and env.clock.elapsed() == before


def test_moto_alone_time_sleep_leaves_the_clock_frozen(env):
    # GIVEN the environment without the clock stand-in
    env.emulation["clock"].stop()
    before = env.clock.elapsed()
    # WHEN the connect() thread sleeps
    time.sleep(0)
    # THEN time.sleep is the machine's and the simulated clock stands still: a polling loop
    # would wait forever for a Wait state to end
    assert time.sleep is real_sleep and env.clock.elapsed() == before


def test_the_kernels_own_pause_after_a_cell_moves_nothing(env):
    # GIVEN Jupyter's kernel, which sleeps 0.5 ms after every cell in the connect() thread
    kernel_code = compile("time.sleep(0.0005)", "ipykernel/kernelbase.py", "exec")
    start, rows = env.clock.elapsed(), len(env.log.to_frame())
    # WHEN it pauses (its module name is what the stand-in sees)
    exec(kernel_code, {"__name__": "ipykernel.kernelbase", "time": time})
    # THEN the simulated clock and the event log are untouched, while the student's sleep counts
    assert env.clock.elapsed() == start
    assert len(env.log.to_frame()) == rows
    time.sleep(2)
    assert env.clock.elapsed() - start >= 2
    assert env.log.to_frame().action.tolist()[-1] == "sleep"
