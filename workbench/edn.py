"""EDN, the format Maelstrom writes: a writer (compact and pretty) and a small reader.

Python values map as: dict -> map, list/tuple -> vector, set/frozenset -> set, str -> string,
`Keyword` -> keyword, None -> nil; a float subclass as a float, and any other value with an
`__edn__()` method as the text it returns (workbench.values' wrapped node values print as
Maelstrom prints them: 7.0, true). Dict keys that are plain `str` and look like keywords
(`valid?`, `msgs-per-op`) are written as keywords; other keys keep their type, so kafka's
string keys ("0", "1") stay strings.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable, cast


class Keyword(str):
    """A keyword value (`:ok`); its text is the name without the colon."""

    __slots__ = ()

    def __repr__(self) -> str:
        return ":" + self


class Symbol(str):
    """A bare symbol read from EDN (rare in our files)."""

    __slots__ = ()


class TaggedValue:
    """A tagged literal `#tag value` from the reader; kept as data."""

    def __init__(self, tag: str, value: Any) -> None:
        self.tag, self.value = tag, value

    def __repr__(self) -> str:
        return f"#{self.tag} {self.value!r}"


_KEYWORDISH = re.compile(r"^[A-Za-z*+!_?<>=-][\w*+!?<>=./-]*$")
_ESCAPES = str.maketrans({'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"})


def _string(s: str) -> str:
    return '"' + s.translate(_ESCAPES) + '"'


def key_text(k: Any) -> str:
    """A map key as written: a keyword when it is a plain keyword-like string."""
    return _key(k)


_KEY_TEXT: dict[str, str] = {}


def _key(k: Any) -> str:
    if type(k) is str:
        text = _KEY_TEXT.get(k)
        if text is None:
            text = ":" + k if _KEYWORDISH.match(k) else _string(k)
            if len(_KEY_TEXT) < 10_000:
                _KEY_TEXT[k] = text
        return text
    return dumps(k)


def _float(x: float) -> str:
    if math.isnan(x):
        return "##NaN"
    if math.isinf(x):
        return "##Inf" if x > 0 else "##-Inf"
    return repr(x)


def dumps(value: Any) -> str:
    """One-line EDN."""
    write = _WRITERS.get(type(value))
    if write is not None:
        return write(value)
    if isinstance(value, Keyword):
        return ":" + value
    if isinstance(value, Symbol):
        return str.__str__(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, dict):
        return _map(value)
    if isinstance(value, (list, tuple)):
        return _vector(value)
    if isinstance(value, (set, frozenset)):
        return "#{" + " ".join(dumps(v) for v in _sorted(value)) + "}"
    if isinstance(value, TaggedValue):
        return f"#{value.tag} {dumps(value.value)}"
    text = getattr(value, "__edn__", None)
    if text is not None:
        return str(text())
    raise TypeError(f"cannot write {type(value).__name__} as EDN: {value!r}")


def _vector(value: Any) -> str:
    return "[" + " ".join([_item(v) for v in value]) + "]"


def _map(value: dict[Any, Any]) -> str:
    return "{" + ", ".join([f"{_key(k)} {dumps(v)}" for k, v in value.items()]) + "}"


_WRITERS: dict[type, Callable[[Any], str]] = {
    int: str, str: _string, list: _vector, dict: _map, tuple: _vector,
    type(None): lambda v: "nil", bool: lambda v: "true" if v else "false",
    float: _float, Keyword: lambda v: ":" + v, Symbol: str.__str__,
}


def _item(v: Any) -> str:
    """dumps(v), with the commonest element types first (long vectors of ints)."""
    t = type(v)
    if t is int:
        return str(v)
    if t is str:
        return _string(v)
    return dumps(v)


def _sorted(values: Any) -> list[Any]:
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=repr)


def pretty(value: Any, width: int = 80, indent: int = 0) -> str:
    """Multi-line EDN in the shape of Clojure's pprint: maps one entry per line when the map
    does not fit on what is left of the line."""
    flat = dumps(value)
    if len(flat) + indent <= width or not isinstance(value, (dict, list, tuple)) or not value:
        return flat
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            key = _key(k)
            parts.append(f"{key} {pretty(v, width, indent + 1 + len(key) + 1)}")
        return "{" + (",\n" + " " * (indent + 1)).join(parts) + "}"
    parts = [pretty(v, width, indent + 1) for v in value]
    return "[" + ("\n" + " " * (indent + 1)).join(parts) + "]"


# ---- reader -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<comment>;[^\n]*)
      | (?P<open>\#\{|[\[({])
      | (?P<close>[\])}])
      | (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<discard>\#_)
      | (?P<tag>\#[A-Za-z][\w.\-/]*)
      | (?P<special>\#\#(?:NaN|Inf|-Inf))
      | (?P<char>\\(?:newline|space|tab|.))
      | (?P<atom>[^\s,\[\](){}"#;][^\s,\[\](){}"]*)
    )""",
    re.X,
)
_UNESCAPE = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_INT = re.compile(r"^[+-]?\d+N?$")
_FLOAT = re.compile(r"^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?M?$")


class EDNError(ValueError):
    """Raised for text that is not EDN."""


def loads(text: str) -> Any:
    """Read one EDN value (maps become dicts with Keyword keys, vectors/lists become lists,
    sets become frozensets where their items are hashable)."""
    # every alternative of _TOKEN is a named group, so a match always has a lastgroup
    tokens = [(m.lastgroup, m.group(cast(str, m.lastgroup))) for m in _TOKEN.finditer(text)
              if m.lastgroup != "comment"]
    value, pos = _read(tokens, 0)
    if pos != len(tokens):
        raise EDNError(f"unexpected trailing text after the first value (token {pos})")
    return value


def _read(tokens: list[tuple[str | None, str]], pos: int) -> tuple[Any, int]:
    if pos >= len(tokens):
        raise EDNError("unexpected end of input")
    kind, text = tokens[pos]
    pos += 1
    if kind == "open":
        items = []
        close = {"[": "]", "(": ")", "{": "}", "#{": "}"}[text]
        while True:
            if pos >= len(tokens):
                raise EDNError(f"unclosed {text}")
            if tokens[pos] == ("close", close):
                pos += 1
                break
            if tokens[pos][0] == "discard":
                _, pos = _read(tokens, pos + 1)
                continue
            item, pos = _read(tokens, pos)
            items.append(item)
        if text == "{":
            if len(items) % 2:
                raise EDNError("a map needs an even number of forms")
            return {_hashable(items[i]): items[i + 1] for i in range(0, len(items), 2)}, pos
        if text == "#{":
            return frozenset(_hashable(i) for i in items), pos
        return items, pos
    if kind == "string":
        body = text[1:-1]
        return re.sub(r"\\(.)", lambda m: _UNESCAPE.get(m.group(1), m.group(1)), body), pos
    if kind == "discard":
        _, pos = _read(tokens, pos)
        return _read(tokens, pos)
    if kind == "tag":
        value, pos = _read(tokens, pos)
        return TaggedValue(text[1:], value), pos
    if kind == "special":
        return {"##NaN": math.nan, "##Inf": math.inf, "##-Inf": -math.inf}[text], pos
    if kind == "char":
        return {"\\newline": "\n", "\\space": " ", "\\tab": "\t"}.get(text, text[1:]), pos
    if kind == "atom":
        return _atom(text), pos
    raise EDNError(f"unexpected {text!r}")


def _atom(text: str) -> Any:
    if text == "nil":
        return None
    if text == "true":
        return True
    if text == "false":
        return False
    if text.startswith(":"):
        return Keyword(text[1:])
    if _INT.match(text):
        return int(text.rstrip("N"))
    if _FLOAT.match(text):
        return float(text.rstrip("M"))
    if "/" in text and text[0].isdigit():
        num, den = text.split("/", 1)
        return int(num) / int(den)
    return Symbol(text)


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, _hashable(v)) for k, v in value.items())
    return value
