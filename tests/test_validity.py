"""workbench.validity: True / False / UNKNOWN, merged false > unknown > true."""

from __future__ import annotations

import pytest

from workbench.edn import Keyword
from workbench.validity import UNKNOWN, is_validity, merge_valid


def test_unknown_is_plain_data() -> None:
    assert UNKNOWN == "unknown" and type(UNKNOWN) is str


def test_merge_order_false_beats_unknown_beats_true() -> None:
    assert merge_valid([]) is True
    assert merge_valid([True, UNKNOWN, True]) == UNKNOWN
    assert merge_valid([UNKNOWN, False]) is False
    assert merge_valid([Keyword("unknown"), True]) == UNKNOWN  # as read back from EDN
    assert type(merge_valid([Keyword("unknown")])) is str


def test_anything_else_is_refused() -> None:
    assert not is_validity("maybe") and not is_validity(None)
    with pytest.raises(ValueError, match="not a validity value"):
        merge_valid([True, None])
