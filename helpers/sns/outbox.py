"""What SNS "sent" to e-mail, SMS and Lambda subscribers on moto: one table per recipient.

On the local backends nothing leaves the machine. The SNS stand-in records every e-mail,
SMS and Lambda delivery (moto itself records only SMS, in
``moto.sns.models.sns_backends[account][region].sms_messages``); :func:`outbox` shows them,
labelled emulated on moto. On AWS the messages really go out: an account starts in the **SMS
sandbox** (texts only to verified numbers until AWS moves it out), and an **e-mail**
subscriber receives nothing until the recipient clicks the link in the confirmation e-mail.

Example
-------
>>> import helpers
>>> from helpers.sns import create_topic, subscribe_sms
>>> env = helpers.connect(quiet=True)
>>> topic = create_topic(env, "confirmations")
>>> _ = subscribe_sms(env, topic, "+1-202-555-0161")
>>> _ = env.client("sns").publish(TopicArn=topic.arn, Message="Order ord-00001 confirmed")
>>> outbox(env)[["protocol", "recipient", "message"]].to_dict("records")
[{'protocol': 'sms', 'recipient': '+12025550161', 'message': 'Order ord-00001 confirmed'}]
>>> _ = env.teardown()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..emulation import EMULATED
from ..platform.errors import InvalidParameterError

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["outbox", "OUTBOX_COLUMNS", "AWS_DELIVERY_NOTE"]

#: Columns of :func:`outbox`.
OUTBOX_COLUMNS = ("time", "protocol", "recipient", "subject", "message", "topic", "source")
#: What to expect on AWS instead of an outbox.
AWS_DELIVERY_NOTE = (
    "On AWS, SNS really sends: check the inbox or phone. New accounts are in the SMS sandbox "
    "(texts only to verified destination numbers); an e-mail subscription delivers only after "
    "the recipient confirms it. Delivery status logs (CloudWatch Logs) show each attempt.")


def outbox(env: Environment, protocol: str | None = None) -> pd.DataFrame:
    """E-mail, SMS and Lambda deliveries on moto (``protocol`` picks one), oldest first.

    Direct SMS (``Publish(PhoneNumber=...)``) comes from moto's own record.
    """
    if not env.emulated:
        raise InvalidParameterError(AWS_DELIVERY_NOTE)
    from moto.sns.models import sns_backends
    stand_ins = env.emulation["sns"]
    rows = [{"time": r["time"], "protocol": r["protocol"], "recipient": r["endpoint"],
             "subject": r.get("subject"), "message": r["message"], "topic": r.get("topic"),
             "source": EMULATED} for r in stand_ins.outbox.rows()]
    backend = sns_backends[env.account][env.region]
    for key, (phone, text) in backend.sms_messages.items():
        if "-" in key and key.rsplit("-", 1)[-1].startswith("+"):
            continue  # a subscription delivery: already in the stand-in's rows
        rows.append({"time": None, "protocol": "sms", "recipient": phone, "subject": None,
                     "message": text, "topic": None, "source": "moto (Publish PhoneNumber)"})
    frame = pd.DataFrame(rows, columns=list(OUTBOX_COLUMNS))
    if protocol is not None:
        frame = frame[frame["protocol"] == protocol].reset_index(drop=True)
    return frame
