"""The message envelope, and parsing one line a node wrote to stdout (Maelstrom's
src/maelstrom/process.clj, net.clj)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .values import value_key as value_key  # where it lives now; the checkers import it here

Body = dict[str, Any]  # a message body: a JSON object

_encode = json.JSONEncoder(separators=(",", ":")).encode  # made once, not per message


@dataclass(slots=True)
class Message:
    id: int
    src: str
    dest: str
    body: Any  # a Body, except when a node wrote something else (receivers check)
    _json: str | None = field(default=None, repr=False, compare=False)  # set once, shared

    @property
    def with_client(self) -> bool:
        """Whether a client is at either end (client traffic, no latency)."""
        return self.src[:1] == "c" or self.dest[:1] == "c"

    def to_json(self) -> str:
        """The envelope as one JSON line (computed once: delivery and the journal share it)."""
        if self._json is None:
            self._json = _encode({"id": self.id, "src": self.src, "dest": self.dest,
                                  "body": self.body})
        return self._json


class BadLine(ValueError):
    """A stdout line that is not a Maelstrom message; `reason` is Maelstrom's error name."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


_ENVELOPE_KEYS = {"src", "dest", "body", "id"}


def parse_line(line: str) -> tuple[str, str, Any]:
    """(src, dest, body) of one stdout line, or BadLine saying what is wrong with it."""
    msg = parse_message(line)
    return msg["src"], msg["dest"], msg["body"]


def parse_message(line: str) -> dict[str, Any]:
    """The envelope of one stdout line (src, dest, body, maybe id), or BadLine."""
    try:
        msg = json.loads(line)
    except ValueError as err:
        raise BadLine("line-not-valid-json", f"{err}") from None
    if not isinstance(msg, dict):
        raise BadLine("malformed-message", "expected a JSON object with src, dest and body")
    if len(msg) == 3 and "src" in msg and "dest" in msg and "body" in msg \
            and type(msg["src"]) is str and type(msg["dest"]) is str:
        return msg  # the usual envelope, checked at once
    extra = set(msg) - _ENVELOPE_KEYS
    missing = {"src", "dest", "body"} - set(msg)
    if extra or missing:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(sorted(missing)))
        if extra:
            parts.append("unexpected top-level " + ", ".join(sorted(extra))
                         + " (in_reply_to, msg_id and type belong inside body)")
        raise BadLine("malformed-message", "; ".join(parts))
    if not isinstance(msg["src"], str) or not isinstance(msg["dest"], str):
        raise BadLine("malformed-message", "src and dest must be strings")
    if "id" in msg and (not isinstance(msg["id"], int) or isinstance(msg["id"], bool)):
        raise BadLine("malformed-message", "id must be an integer")
    return msg


def with_id(msg_id: int, line: str) -> str:
    """The JSON object `line` (which has no "id") with "id" added first: the envelope as
    delivered, without encoding the body again."""
    return f'{{"id":{msg_id},{line.lstrip()[1:]}'



def is_client(participant: str) -> bool:
    """Maelstrom's rule: an id is a client iff it starts with 'c'."""
    return participant.startswith("c")
