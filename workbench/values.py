"""Values as Maelstrom's checkers see them: decoded JSON with Clojure's `=`.

Maelstrom parses what a node sends with cheshire, so a JSON number with a fraction or an
exponent is a java.lang.Double and `true` a java.lang.Boolean, and Jepsen's and Elle's
checkers compare values with Clojure's `=` and hash them with `hasheq`: `7` and `7.0` are two
values, `true` is not `1`. Python's `7 == 7.0` and `True == 1` (with equal hashes) would merge
them, so `clojure()` wraps a decoded value once, where a node's reply becomes a history
value (the interpreter's completions, and history.edn read back):

- a float becomes a `Float` (still a float for arithmetic and ordering, as Clojure numbers
  compare across types) that is `=` only to floats;
- a boolean becomes `TRUE` or `FALSE`, a `Bool` that is neither an int nor ordered against
  one, so a checker that adds or compares it fails as Clojure's cast does;
- lists and maps are rebuilt only when something inside them changes.

`compare` is Clojure's `compare` on such values, `ClassCastException` included, for the
checkers that order node values (Jepsen's unique-ids range). The EDN writer prints a `Float`
as 7.0 and a `Bool` as true, as Maelstrom's files do.
"""

from __future__ import annotations

import json
from typing import Any, Final


class Float(float):
    """A JSON number with a fraction or exponent (a java.lang.Double): `=` to floats only."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, float) and float.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    # An int equal in value hashes alike; the sets and dicts still tell them apart by __eq__.
    __hash__ = float.__hash__

    def __repr__(self) -> str:
        return float.__repr__(self)


class Bool:
    """A JSON boolean (a java.lang.Boolean): `=` only to itself, no arithmetic, and ordered
    only against booleans (false before true), as Boolean.compareTo. Two instances exist."""

    __slots__ = ("value",)
    value: bool

    def __init__(self, value: bool) -> None:
        object.__setattr__(self, "value", value)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def __hash__(self) -> int:
        return 1231 if self.value else 1237  # java.lang.Boolean.hashCode

    def __bool__(self) -> bool:
        return self.value

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Bool):
            return NotImplemented
        return not self.value and other.value

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Bool):
            return NotImplemented
        return self.value and not other.value

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Bool):
            return NotImplemented
        return self is other or (not self.value and other.value)

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Bool):
            return NotImplemented
        return self is other or (self.value and not other.value)

    def __repr__(self) -> str:
        return "true" if self.value else "false"

    __edn__ = __repr__  # how workbench.edn writes it

    def __reduce__(self) -> tuple[Any, ...]:
        return (_bool, (self.value,))  # pickled runs keep the two instances


TRUE: Final = Bool(True)
FALSE: Final = Bool(False)


def _bool(value: bool) -> Bool:
    return TRUE if value else FALSE


def clojure(value: Any) -> Any:
    """`value` (decoded JSON, or EDN read back) with floats and booleans wrapped, so that
    Python's == and hash are Clojure's = and hasheq. A value with neither inside (ints,
    strings, None, keywords, and lists and maps of those: nearly every value) comes back as
    the same object, after one walk that allocates nothing."""
    t = type(value)
    if t is int or t is str or value is None:
        return value
    return _wrap(value) if _needs(value) else value


def _needs(value: Any) -> bool:
    """Whether a float or a boolean is in `value`. Lists inside a list (micro-ops, kafka's
    [offset, msg] pairs) are scanned in place, without a call per element."""
    t = type(value)
    if t is list:
        for x in value:
            tx = type(x)
            if tx is int or tx is str:
                continue
            if tx is list:
                for y in x:
                    ty = type(y)
                    if ty is int or ty is str:
                        continue
                    if ty is float or ty is bool or ((ty is list or ty is dict) and _needs(y)):
                        return True
                continue
            if tx is float or tx is bool or (tx is dict and _needs(x)):
                return True
        return False
    if t is dict:
        for x in value.values():
            tx = type(x)
            if tx is int or tx is str:
                continue
            if tx is float or tx is bool or ((tx is list or tx is dict) and _needs(x)):
                return True
        return False
    return t is float or t is bool


def _wrap(value: Any) -> Any:
    t = type(value)
    if t is float:
        return Float(value)
    if t is bool:
        return TRUE if value else FALSE
    if t is list:
        return [_wrap(x) for x in value]
    if t is dict:
        return {k: _wrap(v) for k, v in value.items()}
    return value  # Keyword, Float, Bool, tuples: already what the checkers compare


class FrozenMap(dict[Any, Any]):
    """A map that can be a set member or a dict key (a Clojure map is a value): frozen by
    freeze(); it prints as a map."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))


def freeze(value: Any) -> Any:
    """`value` hashable as Clojure's values are: lists as tuples (EDN writes them as vectors),
    maps as FrozenMaps, everything inside frozen too; scalars as they are."""
    t = type(value)
    if t is list or t is tuple:
        return tuple([freeze(x) for x in value])
    if t is dict:
        return FrozenMap({k: freeze(v) for k, v in value.items()})
    return value


def plain(value: Any) -> Any:
    """JSON's own types for `value` (`Bool` back to bool), for json.dumps's `default`."""
    if isinstance(value, Bool):
        return value.value
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def value_key(value: Any) -> Any:
    """A hashable, type-sensitive identity for a JSON value: 1, 1.0, true and "1" differ,
    map key order does not matter (Clojure's `=` on parsed JSON, which the checkers use)."""
    if isinstance(value, (dict, list)):
        return ("json", json.dumps(value, sort_keys=True, default=plain))
    if isinstance(value, float):
        return ("float", float(value))
    if isinstance(value, (bool, Bool)):
        return ("bool", bool(value))
    return (type(value).__name__, value)


# ---- Clojure's compare ------------------------------------------------------------------


class ClassCastException(TypeError):
    """Raised where Clojure's compare casts a value to a class it is not of."""

    def __init__(self, value: Any, to: str) -> None:
        super().__init__(f"class {jvm_class(value)} cannot be cast to class {to}")
        self.value, self.to = value, to


def jvm_class(x: Any) -> str:
    """The class a JSON value has once Maelstrom parsed it (cheshire): what Elle's type sanity
    compares and what a ClassCastException names. 3 and 3.0, 3 and "3", 2**63 and 1 are of
    different classes."""
    if x is None:
        return "nil"
    if isinstance(x, (bool, Bool)):
        return "java.lang.Boolean"
    if isinstance(x, int):
        return "java.lang.Long" if -2**63 <= x < 2**63 else "java.math.BigInteger"
    if isinstance(x, float):
        return "java.lang.Double"
    if type(x) is not str and isinstance(x, str):
        return "clojure.lang.Keyword"  # edn.Keyword (a str subclass)
    if isinstance(x, str):
        return "java.lang.String"
    if isinstance(x, (list, tuple)):
        return "clojure.lang.PersistentVector"
    if isinstance(x, dict):  # Clojure's array map grows into a hash map past 8 entries
        return "clojure.lang.PersistentArrayMap" if len(x) <= 8 else \
            "clojure.lang.PersistentHashMap"
    return type(x).__name__


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def compare(a: Any, b: Any) -> int:
    """Clojure's `compare` (clojure.lang.Util/compare): nil first; numbers against numbers
    (Numbers/compare); otherwise a's own compareTo, which casts b to a's class: strings,
    booleans and vectors (shorter first, then element by element) compare only with their
    own kind, and maps with nothing. Raises ClassCastException where Clojure throws it."""
    if a is b:
        return 0
    if a is None:
        return -1
    if b is None:
        return 1
    if _is_number(a):
        if not _is_number(b):
            raise ClassCastException(b, "java.lang.Number")
        return int(a > b) - int(a < b)
    if isinstance(a, Bool):
        if not isinstance(b, Bool):
            raise ClassCastException(b, "java.lang.Boolean")
        return int(a.value) - int(b.value)
    if isinstance(a, str):
        if not isinstance(b, str) or jvm_class(a) != jvm_class(b):
            raise ClassCastException(b, jvm_class(a))
        return int(a > b) - int(a < b)
    if isinstance(a, (list, tuple)):
        if not isinstance(b, (list, tuple)):
            raise ClassCastException(b, "clojure.lang.IPersistentVector")
        if len(a) != len(b):
            return -1 if len(a) < len(b) else 1
        for x, y in zip(a, b, strict=True):
            c = compare(x, y)
            if c:
                return c
        return 0
    raise ClassCastException(a, "java.lang.Comparable")
