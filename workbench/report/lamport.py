"""messages.svg: a Lamport diagram of the first network events (as Maelstrom's
src/maelstrom/net/viz.clj).

One vertical line per participant (n0, n1, … and c0, c1, … sorted by letters then number,
services after them), time flowing down one 20 px step per journal event, an arrow from each
delivered message's send to its receive. Pink for error bodies, light blue when a client is
involved, black otherwise; the label is the type and the rest of the body, cut at 48
characters; hovering shows sender, receiver and the whole body. While a per-node fault (kill,
pause: a Perf with `struck`, workbench/nemesis/package.py) holds a node, its line carries a
band in that fault's colour, titled by the Perf."""

from __future__ import annotations

import bisect
import math
import re
from pathlib import Path
from typing import Any, Iterable
from xml.sax.saxutils import escape, quoteattr

from ..message import Message, is_client
from .ops import clean, fault_colour, fault_perf, text

MAX_EVENTS = 10_000
STEP = 20
WIDTH = 1200
MIN_COLUMN = 60
TOP = 50
MARGIN = 60
LABEL_LIMIT = 48
TITLE_LIMIT = 1000
ERROR_COLOUR = "#FF1E90"
CLIENT_COLOUR = "#81BFFC"
SERVER_COLOUR = "#000000"
_NUMBERED = re.compile(r"^([A-Za-z]+)(\d+)$")
Event = tuple[int, int, str, Message]


def select(events: Iterable[Event], node_count: int) -> tuple[list[Event], bool]:
    """The events drawn: init/init_ok left out, only ids below 10000 + 4·node-count + 1, at
    most the first 10 000 of those; and whether any other event was left out."""
    limit = MAX_EVENTS + 4 * node_count + 1
    shown: list[Event] = []
    truncated = False
    for ev in events:
        if _body(ev[3]).get("type") in ("init", "init_ok"):
            continue
        if ev[0] >= limit or len(shown) >= MAX_EVENTS:
            truncated = True
            break
        shown.append(ev)
    return shown, truncated


def participant_order(names: Iterable[str]) -> list[str]:
    """Letters+digits ids by (letters, number) first, then the others (services) by name."""
    numbered, others = [], []
    for name in set(names):
        m = _NUMBERED.match(name)
        if m:
            numbered.append((m.group(1), int(m.group(2)), name))
        else:
            others.append(name)
    return [n for _, _, n in sorted(numbered)] + sorted(others)


def _body(msg: Message) -> dict[str, Any]:
    return msg.body if isinstance(msg.body, dict) else {}


def colour(msg: Message) -> str:
    if _body(msg).get("type") == "error":
        return ERROR_COLOUR
    if is_client(msg.src) or is_client(msg.dest):
        return CLIENT_COLOUR
    return SERVER_COLOUR


def label(body: dict[str, Any]) -> str:
    """`<type> <body minus type/msg_id/in_reply_to>`, or for errors `error <text>`."""
    kind = str(body.get("type"))
    if kind == "error":
        detail = body.get("text")
        if detail is None:
            detail = body.get("code")
        s = f"error {detail if isinstance(detail, str) else text(detail)}"
    else:
        rest = {k: v for k, v in body.items() if k not in ("type", "msg_id", "in_reply_to")}
        s = f"{kind} {text(rest, LABEL_LIMIT + 1)}" if rest else kind
    return s if len(s) <= LABEL_LIMIT else s[:LABEL_LIMIT - 1] + "…"


def render(events: Iterable[Event], node_count: int,
           downtime: dict[str, list[tuple[Any, ...]]] | None = None) -> str:
    """The SVG document for a journal's events; `downtime`: per node, (start s, stop s,
    fault) when it was killed or paused, drawn as a band on its line."""
    shown, truncated = select(events, node_count)
    names = participant_order(n for ev in shown for n in (ev[3].src, ev[3].dest))
    width = max(WIDTH, 2 * MARGIN + MIN_COLUMN * max(0, len(names) - 1))
    gap = (width - 2 * MARGIN) / max(1, len(names) - 1)
    x = {name: MARGIN + i * gap if len(names) > 1 else width / 2
         for i, name in enumerate(names)}
    bottom = TOP + STEP * (len(shown) + 1)
    height = bottom + (40 if truncated else 20)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width:.0f}" '
           f'height="{height}" viewBox="0 0 {width:.0f} {height}" font-family="sans-serif" '
           f'font-size="11">',
           "<defs>" + "".join(
               f'<marker id="head{i}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
               f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" '
               f'fill="{c}"/></marker>'
               for i, c in enumerate((ERROR_COLOUR, CLIENT_COLOUR, SERVER_COLOUR))) + "</defs>",
           '<rect width="100%" height="100%" fill="white"/>']
    for name in names:
        out.append(f'<line x1="{x[name]:.1f}" y1="{TOP - 10}" x2="{x[name]:.1f}" '
                   f'y2="{bottom}" stroke="#CCCCCC" stroke-width="1"/>'
                   f'<text x="{x[name]:.1f}" y="{TOP - 18}" text-anchor="middle" '
                   f'font-weight="bold">{escape(clean(name[:40]))}</text>')
    times = [ev[1] / 1e9 for ev in shown]
    for node, periods in (downtime or {}).items():
        if node not in x:
            continue
        for start, stop, fault in periods:
            y0 = TOP + STEP * bisect.bisect_left(times, start)
            y1 = TOP + STEP * bisect.bisect_left(times, stop)
            if y1 <= y0:
                continue
            p = fault_perf(fault)
            out.append(f'<rect x="{x[node] - 4:.1f}" y="{y0}" width="8" height="{y1 - y0}" '
                       f'fill="{fault_colour(fault)}"><title>{escape(node)} '
                       f'{escape(p.title or p.name) if p is not None else escape(fault)} '
                       f'{start:.3f}-{stop:.3f} s</title></rect>')
    heads = {ERROR_COLOUR: 0, CLIENT_COLOUR: 1, SERVER_COLOUR: 2}
    sent_at: dict[int, int] = {}
    for step, (_event_id, _time, kind, msg) in enumerate(shown):
        y = TOP + STEP * step
        if kind == "send":
            sent_at[msg.id] = y
            continue
        sent: int | None = sent_at.get(msg.id)
        if sent is None or msg.src not in x or msg.dest not in x:
            continue
        out.append(_arrow(msg, x[msg.src], sent, x[msg.dest], y, heads))
    if truncated:
        out.append(f'<text x="{width / 2:.0f}" y="{bottom + 25}" text-anchor="middle" '
                   f'fill="#888888">Additional network events not shown</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _arrow(msg: Message, x0: float, y0: int, x1: float, y1: int, heads: dict[str, Any]) -> str:
    c = colour(msg)
    title = f"{msg.src} → {msg.dest} {text(msg.body, TITLE_LIMIT)}"
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    angle = math.degrees(math.atan2(y1 - y0, x1 - x0)) if x1 != x0 else 90.0
    if angle > 90 or angle < -90:
        angle -= 180  # keep the text upright
    return (f'<g><title>{escape(title)}</title>'
            f'<line x1="{x0:.1f}" y1="{y0}" x2="{x1:.1f}" y2="{y1}" stroke="{c}" '
            f'stroke-width="1.5" marker-end="url(#head{heads[c]})"/>'
            f'<text x="{mx:.1f}" y="{my - 3:.1f}" text-anchor="middle" fill="{c}" '
            f'transform={quoteattr(f"rotate({angle:.1f} {mx:.1f} {my:.1f})")}>'
            f'{escape(clean(label(_body(msg))))}</text></g>')


def write(path: Path, events: Iterable[Event], node_count: int,
          downtime: dict[str, list[tuple[Any, ...]]] | None = None) -> None:
    path.write_text(render(events, node_count, downtime), encoding="utf-8")
