"""Lab 1 plots: each draws what the log frame holds (real SQS calls on moto make the frames)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from matplotlib.figure import Figure

from helpers.sqs import plots as sqs_plots
from helpers.sqs.plots import (
    DUPLICATE,
    OUT_OF_ORDER,
    delivery_order,
    plot_dlq_depth,
    plot_duplicates_vs_visibility,
    plot_ordering,
    plot_queue_depth,
    plot_throughput,
    plot_throughput_grid,
)
from helpers.sqs.plots_timelines import plot_customer_order


def _body(customer: str, seq: int) -> str:
    return json.dumps({"order_id": f"{customer}-{seq}", "customer_id": customer, "seq": seq})


def _send_payments(env, url: str, *, customers: int = 4, per_customer: int = 5, fifo: bool = False):
    sqs = env.client("sqs")
    for seq in range(1, per_customer + 1):
        for c in range(customers):
            customer = f"cus-{c:03d}"
            extra = {"MessageDeduplicationId": f"{customer}-{seq}"} if fifo else {}
            sqs.send_message(QueueUrl=url, MessageBody=_body(customer, seq), MessageGroupId=customer, **extra)


def _drain(env, url: str) -> None:
    sqs = env.client("sqs")
    empty = 0
    while empty < 3:  # a minute of empty long polls: emulated duplicates surface after 30-35 s
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=20).get("Messages", [])
        empty = 0 if messages else empty + 1
        for m in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def _marked(fig: Figure, gid: str) -> list[int]:
    return [len(c.get_offsets()) for ax in fig.axes for c in ax.collections if c.get_gid() == gid]


def test_queue_depth_follows_sends_and_deletes(env):
    # GIVEN five orders sent and two of them deleted
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName="depth")["QueueUrl"]
    start = env.log.mark()
    for i in range(1, 6):
        env.sleep(1)
        sqs.send_message(QueueUrl=url, MessageBody=_body("cus-001", i))
    for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    frame = env.log.to_frame(start)
    # WHEN the depth is plotted
    series = sqs_plots.queue_depth_series(frame)
    fig = plot_queue_depth(frame)
    # THEN it rises to 5, ends at 3, and the figure shows waiting and sent lines
    assert series["depth"].max() == 5 and series["depth"].iloc[-1] == 3
    assert set(series["queue"]) == {"depth"}
    ax = fig.axes[0]
    assert isinstance(fig, Figure) and ax.get_title() == "Messages waiting in the queue"
    assert [line.get_label() for line in ax.lines] == ["waiting in depth", "sent to depth (accepted)"]
    assert tuple(fig.get_size_inches()) == (8, 3.5)


def test_queue_depth_accepts_an_environment(env):
    # GIVEN one order sent with the environment's client
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName="depth-env")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=_body("cus-001", 1))
    # WHEN the environment itself is plotted
    fig = plot_queue_depth(env, show_sent=False)
    # THEN its whole log is read
    assert fig.axes[0].lines[0].get_ydata()[-1] == 1


def test_throughput_has_one_line_per_consumer_and_a_total(env):
    # GIVEN two consumers that processed 30 and 10 messages over 10 clock seconds
    for i in range(40):
        env.log.record(service="sqs", action="process", resource="q", actor=f"consumer-{1 + (i % 4 == 3)}",
                       time=i * 0.25)
    frame = env.log.to_frame()
    # WHEN throughput is plotted in 1-second bins
    table = sqs_plots.throughput_series(frame, bin_seconds=1.0)
    fig = plot_throughput(frame, bin_seconds=1.0)
    # THEN the rates add up to what was processed and each consumer has its own line
    assert list(table.columns) == ["consumer-1", "consumer-2"]
    assert table["consumer-1"].sum() == 30 and table["consumer-2"].sum() == 10
    labels = [stairs.get_label() for stairs in fig.axes[0].patches]
    assert labels == ["consumer-1", "consumer-2", "all consumers"]


def test_throughput_counts_a_message_in_the_bin_it_finished_by():
    # GIVEN one message done every 2 s, from 2 s to 20 s
    frame = pd.DataFrame({"time": [0.0] + [2.0 * i for i in range(1, 11)],
                          "action": ["send"] + ["process"] * 10,
                          "actor": ["checkout"] + ["consumer-1"] * 10, "outcome": ["ok"] * 11})
    # WHEN binned by 10 s
    table = sqs_plots.throughput_series(frame, bin_seconds=10.0)
    # THEN both bins show the steady 0.5 msg/s (no edge artefact at 10 s or 20 s)
    assert table["consumer-1"].tolist() == [0.5, 0.5]


def test_throughput_orders_consumers_by_number():
    # GIVEN consumers 10 and 2
    frame = pd.DataFrame({"time": [0.0, 1.0], "action": ["process"] * 2,
                          "actor": ["consumer-10", "consumer-2"], "outcome": ["ok"] * 2})
    # THEN consumer-2 comes first
    assert list(sqs_plots.throughput_series(frame).columns) == ["consumer-2", "consumer-10"]


def test_dlq_depth_rises_on_moves_and_falls_on_redrive(env):
    # GIVEN a queue whose DLQ takes a message after 2 receives, and a message never deleted
    sqs = env.client("sqs")
    dlq = sqs.create_queue(QueueName="dlqplot-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName="dlqplot", Attributes={
        "VisibilityTimeout": "5",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})})["QueueUrl"]
    start = env.log.mark()
    sqs.send_message(QueueUrl=url, MessageBody=_body("cus-001", 1))
    for _ in range(3):
        sqs.receive_message(QueueUrl=url)
        env.sleep(6)
    # WHEN the DLQ is redriven and the depth plotted
    env.sleep(10)
    sqs.start_message_move_task(SourceArn=dlq_arn)
    env.sleep(1)  # move tasks run asynchronously, as on AWS
    sqs.list_message_move_tasks(SourceArn=dlq_arn)
    frame = env.log.to_frame(start)
    series = sqs_plots.dlq_depth_series(frame)
    fig = plot_dlq_depth(frame)
    # THEN the DLQ held one message, then none
    assert series["depth"].tolist() == [1, 0]
    assert set(series["queue"]) == {"dlqplot-dlq"}
    assert fig.axes[0].lines[0].get_ydata().tolist() == [0, 1, 0, 0]


def test_dlq_depth_says_when_nothing_reached_it(env):
    # GIVEN a frame without DLQ moves
    env.log.record(service="sqs", action="send", resource="q")
    # WHEN the DLQ depth is plotted
    fig = plot_dlq_depth(env.log.to_frame())
    # THEN the plot says so in words
    assert [t.get_text() for t in fig.axes[0].texts] == ["no message reached a dead-letter queue"]


@pytest.fixture
def ordering_frames(env):
    sqs = env.client("sqs")
    frames = {}
    # standard queue with emulated reordering and duplicates
    url = sqs.create_queue(QueueName="order-std")["QueueUrl"]
    env.delivery.reorder_rate, env.delivery.duplicate_rate = 0.5, 0.2
    start = env.log.mark()
    _send_payments(env, url, customers=2, per_customer=10)
    _drain(env, url)
    frames["standard"] = env.log.to_frame(start)
    env.delivery.reorder_rate, env.delivery.duplicate_rate = 0.0, 0.0
    url = sqs.create_queue(QueueName="order.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    start = env.log.mark()
    _send_payments(env, url, customers=2, per_customer=10, fifo=True)
    _drain(env, url)
    frames["FIFO"] = env.log.to_frame(start)
    return frames


def test_ordering_marks_exactly_the_out_of_order_and_duplicate_deliveries(ordering_frames):
    # GIVEN standard (emulated reordering and duplicates) and FIFO deliveries of 20 payments
    std = delivery_order(ordering_frames["standard"])
    fifo = delivery_order(ordering_frames["FIFO"])
    # WHEN they are plotted side by side
    fig = plot_ordering(ordering_frames)
    # THEN FIFO kept each customer's order, standard did not, and the marks match the counts
    assert fifo["out_of_order"].sum() == 0 and fifo["duplicate"].sum() == 0
    assert std["out_of_order"].sum() > 0 and std["duplicate"].sum() > 0
    assert _marked(fig, OUT_OF_ORDER) == [int(std["out_of_order"].sum()), 0]
    assert _marked(fig, DUPLICATE) == [int(std["duplicate"].sum()), 0]
    assert len(fig.axes) == 2
    assert fig.axes[1].get_title() == "FIFO: 0 out of order, 0 duplicates"
    assert fig.axes[0].get_title().startswith("standard: ")
    # every one of the 20 payments was delivered at least once, in 2 groups
    assert fifo["group"].nunique() == 2 and len(fifo) == 20
    assert std.loc[~std["duplicate"], ["group", "seq"]].drop_duplicates().shape[0] == 20


def test_ordering_uses_given_axes():
    # GIVEN a figure with two axes
    fig, _ = sqs_plots.new_figure(size=(8, 3), ncols=2)
    frame = pd.DataFrame({"time": [0.0], "action": ["receive"], "resource": ["q"], "group": ["c"],
                          "seq": [1], "message_id": ["m"], "outcome": ["ok"]})
    # WHEN plotted into them
    out = plot_ordering({"a": frame, "b": frame}, axes=fig.axes)
    # THEN the same figure comes back, drawn on
    assert out is fig and fig.axes[1].get_title() == "b: 0 out of order, 0 duplicates"


def test_duplicates_vs_visibility_bars_carry_the_counts():
    # GIVEN duplicates for three timeouts and a heartbeat
    table = pd.DataFrame({"setting": ["10 s", "30 s", "60 s", "30 s + heartbeat"],
                          "visibility_timeout": [10, 30, 60, 30], "duplicates": [50, 50, 0, 0],
                          "processing_seconds": [45.0] * 4})
    # WHEN plotted
    ax = plot_duplicates_vs_visibility(table).axes[0]
    # THEN one bar per setting with its count, and the processing time in the title
    assert [p.get_height() for p in ax.patches] == [50, 50, 0, 0]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(table["setting"])
    assert "processing takes 45 s" in ax.get_title()


def test_throughput_grid_has_a_line_per_batch_size():
    # GIVEN throughput for 1/2/4/8 consumers and batch 1/10
    rows = [(c, b, c * b * 0.5) for b in (1, 10) for c in (1, 2, 4, 8)]
    table = pd.DataFrame(rows, columns=["consumers", "batch_size", "throughput"])
    # WHEN plotted
    ax = plot_throughput_grid(table).axes[0]
    # THEN two measured lines and their linear-scaling references, consumers as ticks on a
    # linear axis (so linear scaling looks linear), the reference through n x one consumer
    labels = [line.get_label() for line in ax.lines]
    assert labels[:2] == ["batch size 1", "batch size 10"]
    assert labels[2] == "linear scaling (n x one consumer)" and len(ax.lines) == 4
    assert list(ax.lines[3].get_ydata()) == [5.0, 10.0, 20.0, 40.0]
    assert ax.get_xscale() == "linear"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "4", "8"]


def test_plots_draw_into_a_given_axes():
    # GIVEN an existing axes
    fig, _ = sqs_plots.new_figure(size=(6, 3))
    table = pd.DataFrame({"visibility_timeout": [10], "duplicates": [3]})
    # WHEN a plot is drawn into it
    out = plot_duplicates_vs_visibility(table, ax=fig.axes[0])
    # THEN it returns that figure, size unchanged
    assert out is fig and tuple(fig.get_size_inches()) == (6, 3)


def test_figure_renders_as_png_once_in_ipython():
    # GIVEN a course figure
    from IPython.core.interactiveshell import InteractiveShell

    fig = plot_throughput_grid(pd.DataFrame({"consumers": [1], "batch_size": [1], "throughput": [1.0]}))
    # WHEN IPython formats it as a cell's value
    data, _ = InteractiveShell.instance().display_formatter.format(fig)
    # THEN it is one PNG image plus a one-line text
    assert data["image/png"][:4] == b"\x89PNG"
    assert data["text/plain"].startswith("<CourseFigure size 700x400")


def test_customer_rows_mark_the_overtaken_payment_and_name_both(ordering_frames):
    # GIVEN standard deliveries with emulated reordering and duplicates
    frame = ordering_frames["standard"]
    std = delivery_order(frame)
    # WHEN drawn as one row per customer
    fig = plot_customer_order(frame)
    ax = fig.axes[0]
    # THEN one row per customer, one dot per delivery, and exactly the out-of-order ones crossed
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cus-000", "cus-001"]
    assert sum(len(line.get_xdata()) for line in ax.get_lines()) == len(std)
    assert _marked(fig, OUT_OF_ORDER) == [int(std["out_of_order"].sum())]
    assert _marked(fig, DUPLICATE) == [int(std["duplicate"].sum())]
    # and each label names the marked (overtaken) payment first and a later one delivered before it
    std["position"] = range(1, len(std) + 1)
    expected = []
    for _, r in std[std["out_of_order"]].iterrows():
        earlier = std[(std["group"] == r["group"]) & (std["position"] < r["position"])]
        expected.append(f"#{int(r['seq'])} after #{int(earlier['seq'].max())}")
    labels = [t.get_text() for t in ax.texts]
    assert labels == expected and labels
    assert all(int(a[1:].split(" after #")[0]) < int(a.split(" after #")[1]) for a in labels)
    crossed = ax.collections[[c.get_gid() for c in ax.collections].index(OUT_OF_ORDER)]
    assert [tuple(map(float, xy)) for xy in crossed.get_offsets()] == [
        (float(t.xy[0]), float(t.xy[1])) for t in ax.texts]
