"""Memory of the ``server`` backend over many connect/teardown cycles.

Each cycle: connect("server"), a queue made with a plain boto3 client, 30 messages sent,
10 received, teardown. Prints traced memory (tracemalloc) and peak RSS every 50 cycles.

    .venv/bin/python tools/measure_server_memory.py [cycles=150]
"""

from __future__ import annotations

import gc
import resource
import sys
import time
import tracemalloc

import boto3

import helpers


def cycle() -> None:
    env = helpers.connect("server", run="mem", quiet=True)
    sqs = boto3.client("sqs", endpoint_url=env.endpoint_url, region_name="us-east-1",
                       aws_access_key_id="x", aws_secret_access_key="x")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    for _ in range(3):
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(k), "MessageBody": "x" * 200} for k in range(10)])
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    env.teardown()


def main(cycles: int) -> None:
    started = time.time()
    for _ in range(20):  # warm-up: imports and caches
        cycle()
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for i in range(1, cycles + 1):
        cycle()
        if i % 50 == 0 or i == cycles:
            gc.collect()
            traced = (tracemalloc.get_traced_memory()[0] - base) / 1e6
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
            print(f"{i:4d} cycles: +{traced:.2f} MB traced, peak RSS {rss:.0f} MB, "
                  f"{time.time() - started:.0f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 150)
