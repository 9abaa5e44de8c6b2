"""No phantom losses: 60 FIFO scenarios whose DLQs hold more than ten messages.

Before the fix, ``inspect_dlq`` saw at most ten messages of a FIFO DLQ (SQS locks a group
while any of its messages is received), so ``check_delivery`` printed "N lost" where nothing
was lost: 40 of the first 40 of these scenarios did.
"""

from __future__ import annotations

import json
import random

from helpers.data import OrderGenerator
from helpers.sqs import (
    Scenario,
    check_delivery,
    create_queue,
    inspect_dlq,
    make_batch_handler,
    run_consumers,
    send_orders,
)

SCENARIOS = 60


def test_no_phantom_loss_in_60_fifo_scenarios_with_large_dlqs(env, recwarn):
    verdicts, dlq_sizes = [], []
    for i in range(SCENARIOS):
        # GIVEN a FIFO queue, 12-24 orders of 1-2 customers, most of them poison
        rnd = random.Random(i)
        q = create_queue(env, f"s{i}", fifo=True, max_receive_count=rnd.randint(1, 3))
        sent = OrderGenerator(seed=i).orders(rnd.randint(12, 24), customers=rnd.randint(1, 2))
        poison = {o["order_id"] for o in sent if rnd.random() < 0.75}
        send_orders(env, q, sent)
        processed: list[str] = []
        # WHEN consumers run and the DLQ is inspected
        run_consumers(env, q, make_batch_handler(
            lambda r, seen=processed: seen.append(json.loads(r["body"])["order_id"])),
            workers=rnd.randint(1, 3), scenario=Scenario(seed=i, poison=poison))
        dlq = inspect_dlq(env, q)
        dlq_sizes.append(len(dlq))
        verdicts.append(check_delivery(env, [o["order_id"] for o in sent],
                                       processed_order_ids=processed,
                                       dlq_order_ids=dlq["order_id"]))
        # THEN the DLQ table holds every poison order (and the group-blocked ones behind
        # them that ran out of receives), each once
        assert poison <= set(dlq["order_id"]), i
        assert dlq["order_id"].is_unique, i
    # AND no verdict reports a loss, while most DLQs held more than ten messages
    assert [str(v) for v in verdicts if v.lost or not v.ok] == []
    assert sum(size > 10 for size in dlq_sizes) >= SCENARIOS // 2
    assert not [w for w in recwarn if "inspect_dlq saw" in str(w.message)]
