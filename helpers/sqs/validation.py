"""Checks of the SQS toolkit's inputs: one clear error per bad value, before any call.

Each function raises one :class:`~helpers.platform.errors.SecureCartError` subclass whose
message names the value, the AWS (or course) rule and the fix, so that nothing is
half-created. The toolkit's modules call them first thing.

==========================================  ====================================================
input                                       rule (source)
==========================================  ====================================================
a number of seconds or a count              a whole, finite number (``nan``, ``inf``, ``2.5``,
                                            ``True`` and ``"30"`` are refused)
a yes/no option (``fifo``, ``dlq`` ...)     ``True`` or ``False`` (``'no'`` is a string, and
                                            every non-empty string is true in Python)
a message body                              at least one character; only ``#x9 | #xA | #xD |
                                            #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF``
                                            (SQS SendMessage API reference: SQS replaces other
                                            characters with U+FFFD, so the body would arrive
                                            changed)
``MessageGroupId``, ``MessageDeduplicationId``  1-128 characters, letters, digits and punctuation
                                            ``!"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~`` (SendMessage
                                            API reference)
a list of order ids                         a list (or other iterable) of ids, not ``None``, a
                                            string (``"abc"`` would be three ids) or a dict
a Lambda batch response                     ``None``, ``{}`` or ``{"batchItemFailures": [{"itemIdentifier":
                                            <messageId of this batch>}, ...]}``; anything else
                                            fails the whole batch (Lambda developer guide,
                                            "Reporting batch item failures")
==========================================  ====================================================

Example
-------
>>> whole_number(30, "visibility_timeout")
30
>>> try:
...     check_flag("no", "fifo")
... except Exception as err:
...     type(err).__name__
'InvalidParameterError'
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable
from typing import Any

from ..platform import limits
from ..platform.errors import (
    HandlerResponseError,
    InvalidGroupIdError,
    InvalidMessageBodyError,
    InvalidParameterError,
)

__all__ = ["whole_number", "check_flag", "check_flags", "check_body", "check_message_id", "id_list",
           "batch_item_failures", "ID_PUNCTUATION"]

#: The punctuation SQS allows in a MessageGroupId or MessageDeduplicationId.
ID_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_ID_PATTERN = re.compile(r"[A-Za-z0-9" + re.escape(ID_PUNCTUATION) + r"]+")
_BAD_BODY_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def whole_number(value: Any, what: str, error: type[Exception] = InvalidParameterError, *,
                 rule: str | None = None, fix: str | None = None) -> int:
    """``value`` as an int when it is a whole, finite number; else one clear error.

    Example
    -------
    >>> try:
    ...     whole_number(float("nan"), "visibility_timeout", rule="0 to 43200 s")
    ... except Exception as err:
    ...     print(err)
    visibility_timeout=nan is not a whole number of seconds or a count (0 to 43200 s). Fix: pass a whole number such as 30.
    """
    ok = not isinstance(value, bool) and isinstance(value, int | float)
    if ok and isinstance(value, float):
        ok = math.isfinite(value) and value.is_integer()
    if not ok:
        where = f" ({rule})" if rule else ""
        raise error(f"{what}={value!r} is not a whole number of seconds or a count{where}. "
                    f"Fix: {fix or 'pass a whole number such as 30.'}")
    return int(value)


def check_flag(value: Any, what: str) -> bool:
    """``value`` when it is ``True`` or ``False``; else one clear error.

    Example
    -------
    >>> check_flag(True, "fifo")
    True
    """
    if not isinstance(value, bool):
        raise InvalidParameterError(
            f"{what}={value!r}: {what} is a yes/no option and takes True or False, not a "
            f"{type(value).__name__} (every non-empty string counts as True in Python, so "
            f"{value!r} would silently mean yes). Fix: {what}=True or {what}=False.")
    return value


def check_flags(**flags: Any) -> None:
    """:func:`check_flag` for each keyword (``check_flags(fifo=fifo, dlq=dlq)``)."""
    for what, value in flags.items():
        check_flag(value, what)


def check_body(body: Any, where: str = "the message") -> str:
    """``body`` when SQS would store it unchanged; else :class:`InvalidMessageBodyError`.

    Example
    -------
    >>> check_body('{"order_id": "ord-1"}')
    '{"order_id": "ord-1"}'
    >>> try:
    ...     check_body("a\\x00b")
    ... except Exception as err:
    ...     type(err).__name__
    'InvalidMessageBodyError'
    """
    if not isinstance(body, str) or len(body) < limits.SQS_MIN_MESSAGE_CHARS:
        raise InvalidMessageBodyError(
            f"The body of {where} is {body!r}: an SQS message body is text of at least "
            f"{limits.SQS_MIN_MESSAGE_CHARS} character (SendMessage rejects an empty one). "
            "Fix: send the order as JSON, e.g. json.dumps(order).")
    bad = _BAD_BODY_CHAR.search(body)
    if bad is not None:
        raise InvalidMessageBodyError(
            f"The body of {where} has the character {bad.group()!r} at position {bad.start()}: "
            "SQS message bodies may hold only #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD and "
            "#x10000-#x10FFFF, and SQS replaces any other character with U+FFFD, so the "
            "message would arrive changed. Fix: remove it, or send binary data base64-encoded.")
    return body


def check_message_id(value: Any, what: str, where: str = "the message") -> str:
    """A ``MessageGroupId`` / ``MessageDeduplicationId`` value as SQS accepts it.

    Example
    -------
    >>> check_message_id("cus-0001", "MessageGroupId")
    'cus-0001'
    >>> try:
    ...     check_message_id("x" * 129, "MessageGroupId")
    ... except Exception as err:
    ...     type(err).__name__
    'InvalidGroupIdError'
    """
    text = str(value)
    most = (limits.SQS_MAX_GROUP_ID_CHARS if what == "MessageGroupId"
            else limits.SQS_MAX_DEDUPLICATION_ID_CHARS)
    rule = (f"SQS allows 1 to {most} characters: letters, digits and the punctuation "
            f"{ID_PUNCTUATION}")
    if not text or len(text) > most:
        raise InvalidGroupIdError(
            f"The {what} of {where} is {len(text)} characters long ({text[:20]!r}...): {rule}. "
            "Fix: use a shorter key (e.g. the customer id), or hash a long one.")
    if not _ID_PATTERN.fullmatch(text):
        bad = sorted({c for c in text if not _ID_PATTERN.fullmatch(c)})
        raise InvalidGroupIdError(
            f"The {what} of {where} is {text!r}, with characters SQS refuses "
            f"({', '.join(map(repr, bad))}): {rule}. Fix: replace them, e.g. with '-'.")
    return text


def id_list(value: Any, what: str, fix: str) -> list[str]:
    """``value`` as a list of ids: any iterable of ids, but not None, a string or a dict.

    Example
    -------
    >>> id_list(("a", "b"), "sent_order_ids", "")
    ['a', 'b']
    """
    if value is None or isinstance(value, str | bytes | dict) or not isinstance(value, Iterable):
        extra = (f" (a string is a sequence of characters: {value!r} would count as "
                 f"{len(value)} one-character ids)" if isinstance(value, str | bytes) else "")
        raise InvalidParameterError(
            f"{what}={value!r}: {what} is a list of order ids{extra}. Fix: {fix}")
    return [str(v) for v in value]


def batch_item_failures(response: Any, batch_ids: set[str], run: Any = None) -> list[str]:
    """The message ids a Lambda batch response reports as failed, by Lambda's rules.

    ``None``, ``{}`` and ``{"batchItemFailures": []}`` (or ``None``) mean the whole batch
    succeeded. Anything else that is not a valid response raises
    :class:`HandlerResponseError`: Lambda fails the whole batch. The first time a run meets
    one, a warning says so, once (``run`` is the consumer run it belongs to).

    Example
    -------
    >>> batch_item_failures({"batchItemFailures": [{"itemIdentifier": "m1"}]}, {"m1", "m2"})
    ['m1']
    >>> batch_item_failures(None, {"m1"})
    []
    """
    problem = _response_problem(response, batch_ids)
    if isinstance(problem, list):
        return problem
    text = (f"The handler returned {problem}. Lambda expects None or {{'batchItemFailures': "
            "[{'itemIdentifier': record['messageId']}, ...]} and treats anything else as a "
            "failure of the whole batch: every record of it is received again (and reaches "
            "the DLQ after maxReceiveCount). Fix: return the dict that process_partial_response "
            "builds, or None when every record succeeded.")
    if run is not None and not getattr(run, "_securecart_bad_response_said", False):
        run._securecart_bad_response_said = True
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn(text + " (Said once per run.)", UserWarning, stacklevel=4)
    raise HandlerResponseError(text)


def _response_problem(response: Any, batch_ids: set[str]) -> list[str] | str:
    if response is None:
        return []
    if not isinstance(response, dict):
        return f"a {type(response).__name__} ({response!r:.60}) instead of a batch response"
    failures = response.get("batchItemFailures")
    if failures is None:
        return []
    if not isinstance(failures, list | tuple):
        return (f"batchItemFailures={failures!r:.60}, a {type(failures).__name__} instead of "
                "a list")
    out: list[str] = []
    for entry in failures:
        ident = entry.get("itemIdentifier") if isinstance(entry, dict) else None
        if not isinstance(ident, str) or not ident or ident not in batch_ids:
            return (f"the batchItemFailures entry {entry!r:.60}, which names no message of this "
                    "batch (a missing, empty or unknown itemIdentifier)")
        out.append(ident)
    return out
