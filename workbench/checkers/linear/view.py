"""The counterexample of one non-linearizable key as a self-contained HTML page.

Modelled on Porcupine's visualization (anishathalye/porcupine visualization.go): one row per
process, one bar per operation from its invocation to its completion, time flowing right. The
longest linearizable prefix the search found is drawn green and numbered in linearization
order with the register's value after each op; the op that cannot follow it is red; the ops
concurrent with that one and not linearized are orange; :fail ops are pale (they did not
happen), :info ops run to the right edge. Time is drawn by event rank (every invocation and
completion gets one step), so that a quick op next to a slow one stays visible. Only a window
ending at the failing op is drawn (the last WINDOW ops before it), which the page says.
No script, inline CSS; hovering a bar shows the op.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any, Sequence

from ... import edn
from ...history import pairs

WINDOW = 120  # ops drawn before the failing one
ROW = 26
STEP = 24  # px per event rank
LEFT = 70
TOP = 40
COLOURS = {"prefix": "#4caf50", "blocked": "#e53935", "pending": "#fb8c00",
           "fail": "#f8d7da", "other": "#b0bec5"}


def _text(value: Any, limit: int = 60) -> str:
    s = edn.dumps(value)
    return s if len(s) <= limit else s[:limit - 1] + "…"


def _label(inv: dict[str, Any], done: dict[str, Any] | None) -> str:
    f = str(inv.get("f"))
    if f == "read":
        if done is None or done.get("type") != "ok":
            return "r ?"
        return f"r {_text(done.get('value'), 12)}"
    if f == "write":
        return f"w {_text(inv.get('value'), 12)}"
    v = inv.get("value")
    if isinstance(v, (list, tuple)) and len(v) == 2:
        return f"cas {_text(v[0], 6)}→{_text(v[1], 6)}"
    return f"{f} {_text(v, 12)}"


def render(key: Any, history_ops: Sequence[dict[str, Any]], result: dict[str, Any]) -> str:
    """The page for one key: `history_ops` is the key's history (values unwrapped), `result`
    what check_register returned for it."""
    ops = [op for op in history_ops if op.get("process") != "nemesis"]
    boxes = pairs(ops)
    prefix = list(result.get("linearized-indices") or [])
    order = {idx: n + 1 for n, idx in enumerate(prefix)}
    blocked = (result.get("op") or {}).get("index")
    blocked_inv = None
    for inv, done in boxes:
        if done is not None and done.get("index") == blocked:
            blocked_inv = inv
    concurrent = {(c or {}).get("index") for c in
                  (result.get("cannot-follow") or {}).get("concurrent", [])}
    # the window: WINDOW ops invoked before the blocked op's completion, plus anything open
    end_index = blocked if blocked is not None else (ops[-1]["index"] if ops else 0)
    chosen = [(inv, done) for inv, done in boxes if inv["index"] <= end_index]
    truncated = len(chosen) > WINDOW
    chosen = chosen[-WINDOW:]
    events = sorted({inv["index"] for inv, _ in chosen}
                    | {d["index"] for _, d in chosen if d is not None and d["index"] <= end_index})
    rank = {idx: r for r, idx in enumerate(events)}
    right = len(events) + 2
    processes = sorted({inv["process"] for inv, _ in chosen}, key=lambda p: (str(type(p)), p))
    row_of = {p: n for n, p in enumerate(processes)}
    states = _states_after(result, prefix)
    width = LEFT + right * STEP + 40
    height = TOP + len(processes) * ROW + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             'font-family="sans-serif" font-size="11">']
    for p, n in row_of.items():
        y = TOP + n * ROW
        parts.append(f'<text x="4" y="{y + 16}">{escape(str(p))}</text>'
                     f'<line x1="{LEFT}" x2="{width - 20}" y1="{y + ROW - 2}" y2="{y + ROW - 2}" '
                     'stroke="#eee"/>')
    for inv, done in chosen:
        x0 = LEFT + rank[inv["index"]] * STEP
        ends = done is not None and done["index"] in rank
        x1 = LEFT + (rank[done["index"]] if ends else right) * STEP + STEP - 2  # type: ignore
        y = TOP + row_of[inv["process"]] * ROW + 3
        kind = _kind(inv, done, order, blocked_inv, concurrent)
        dash = "" if ends and done and done.get("type") != "info" else ' stroke-dasharray="4 2"'
        title = escape(f"{edn.dumps(inv)}\n{edn.dumps(done) if done else 'never completed'}")
        label = _label(inv, done)
        if inv["index"] in order:
            n = order[inv["index"]]
            label = f"#{n} {label}" + (f" ⇒ {_text(states[n], 8)}" if n in states else "")
        parts.append(
            f'<g><title>{title}</title><rect x="{x0}" y="{y}" width="{max(x1 - x0, 4)}" '
            f'height="{ROW - 8}" rx="3" fill="{COLOURS[kind]}" stroke="#333" '
            f'stroke-width="{2 if kind == "blocked" else 0.5}"{dash}/>'
            f'<text x="{x0 + 3}" y="{y + 13}">{escape(label)}</text></g>')
    parts.append("</svg>")
    return _page(key, result, "".join(parts), truncated, len(prefix))


def _kind(inv: dict[str, Any], done: dict[str, Any] | None, order: dict[Any, Any],
          blocked_inv: dict[str, Any] | None,
          concurrent: set[Any]) -> str:
    if blocked_inv is not None and inv is blocked_inv:
        return "blocked"
    if inv["index"] in order:
        return "prefix"
    if done is not None and done.get("type") == "fail":
        return "fail"
    if inv["index"] in concurrent or (done is not None and done.get("index") in concurrent):
        return "pending"
    return "other"


def _states_after(result: dict[str, Any], prefix: list[Any]) -> dict[int, Any]:
    """The register's value after each numbered op of the prefix."""
    return {n + 1: v for n, v in enumerate(result.get("linearized-values") or [])}


def _page(key: Any, result: dict[str, Any], svg: str, truncated: bool, prefix_len: int) -> str:
    rows = []
    for path in result.get("final-paths") or []:
        cells = " → ".join(
            escape(f"{_text(s['op'].get('f'))} {_text(s['op'].get('value'), 20)}: "
                   f"{_text(s['model'].get('value', s['model'].get('msg')), 50)}")
            for s in path)
        rows.append(f"<li>{cells}</li>")
    follow = result.get("cannot-follow") or {}
    note = (f"<p>Drawn: the last {WINDOW} operations up to the failing one (the history of "
            "this key is longer).</p>" if truncated else "")
    blind = (f"<p><b>Note:</b> {escape(result['blind-spot'])}</p>"
             if result.get("blind-spot") else "")
    paths = "".join(rows) or "<li>none</li>"
    tail = "".join(
        f"<li>{escape(_text(s['op'], 100))} ⇒ {escape(_text(s['model'].get('value')))}</li>"
        for s in result.get("linearized-tail") or [])
    legend = " ".join(f'<span style="background:{c};padding:1px 6px">{k}</span>'
                      for k, c in COLOURS.items())
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>key {escape(str(key))}: not linearizable</title>
<style>body{{font-family:sans-serif;margin:16px}} code{{background:#f4f4f4}}
li{{margin:3px 0;font-family:monospace;font-size:12px}}</style></head><body>
<h2>Key {escape(_text(key))}: not linearizable</h2>
<p>The search linearized {prefix_len} operations (green, numbered, with the register's value
after each); then <b>{escape(_text(follow.get('op')))}</b> (red) cannot follow: the register
holds {escape(_text((follow.get('model') or {}).get('value')))} and no order of the concurrent
operations (orange) makes it legal.</p>
{blind}{note}<p>{legend}</p>
<div style="overflow-x:auto">{svg}</div>
<h3>Final paths (Knossos's <code>:final-paths</code>)</h3><ul>{paths}</ul>
<h3>Last ops of the prefix</h3><ul>{tail}</ul>
</body></html>
"""


def write_view(path: Path | str, key: Any, history_ops: Sequence[dict[str, Any]],
               result: dict[str, Any]) -> None:
    """Write the page for one failing key to `path`."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(render(key, history_ops, result))
