"""Validity, the verdict of a check: True, False or UNKNOWN (the plain string "unknown").

Several verdicts merge as Jepsen's `valid-priorities` do: false beats unknown beats true. An
undecided check is UNKNOWN, never True. Nothing here knows EDN: the results writer spells
UNKNOWN as the keyword `:unknown`, the JSON twin as the string "unknown".
"""

from __future__ import annotations

from typing import Any, Final, Iterable, Literal, Union

Validity = Union[bool, Literal["unknown"]]
UNKNOWN: Final = "unknown"
_RANK: Final = {True: 0, UNKNOWN: 1, False: 2}


def is_validity(value: Any) -> bool:
    """Whether `value` is one of True, False and UNKNOWN."""
    return value is True or value is False or value == UNKNOWN


def merge_valid(values: Iterable[Any]) -> Validity:
    """The worst of several validity values (false > unknown > true).

    Raises:
        ValueError: a value is not a validity value.
    """
    worst: Validity = True
    for v in values:
        if not is_validity(v):
            raise ValueError(f"not a validity value: {v!r}")
        valid: Validity = UNKNOWN if v == UNKNOWN else bool(v)
        if _RANK[valid] > _RANK[worst]:
            worst = valid
    return worst


def both(a: Validity, b: Validity) -> Validity:
    """merge_valid of two values."""
    return merge_valid((a, b))
