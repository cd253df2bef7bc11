"""messages.svg (as Maelstrom's net/viz.clj): which events, participant order, colours, labels,
hover titles."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from report_helpers import FakeJournal

from workbench.report import lamport

SVG = "{http://www.w3.org/2000/svg}"


def _journal() -> FakeJournal:
    j = FakeJournal()
    for n in ("n0", "n1", "n10", "n2"):
        j.message("c9", n, {"type": "init", "msg_id": 1, "node_id": n, "node_ids": []})
        j.message(n, "c9", {"type": "init_ok", "in_reply_to": 1})
    j.message("c12", "n1", {"type": "broadcast", "msg_id": 2, "message": 5})
    j.message("n1", "n10", {"type": "gossip", "msg_id": 3, "messages": list(range(100))})
    j.message("n10", "lin-kv", {"type": "read", "msg_id": 4, "key": "k"})
    j.message("lin-kv", "n10", {"type": "error", "in_reply_to": 4, "code": 20,
                                "text": "key does not exist"})
    j.message("n1", "n2", {"type": "gossip", "msg_id": 5, "messages": [1]}, deliver=False)
    j.message("n2", "c3", {"type": "broadcast_ok", "in_reply_to": 2, "odd": "\x07bell"})
    return j


def _arrows(svg: str) -> list[tuple[str, str, str]]:
    """(colour, label, title) per arrow."""
    root = ET.fromstring(svg)
    out = []
    for g in root.iter(SVG + "g"):
        line = g.find(SVG + "line")
        assert line is not None
        out.append((line.get("stroke"), g.find(SVG + "text").text, g.find(SVG + "title").text))
    return out


def test_init_is_left_out_and_arrows_are_coloured_and_labelled() -> None:
    svg = lamport.render(_journal().events, node_count=4)
    arrows = _arrows(svg)
    assert not any("init" in label for _, label, _ in arrows)
    by_label = {label.split(" ")[0]: (colour, label, title) for colour, label, title in arrows}
    assert by_label["broadcast"][0] == "#81BFFC"  # a client is involved
    assert by_label["broadcast_ok"][0] == "#81BFFC"
    assert by_label["gossip"][0] == "#000000"
    assert by_label["read"] == ("#000000", 'read {:key "k"}', 'n10 → lin-kv {:type "read", '
                                                             ':msg_id 4, :key "k"}')
    assert by_label["error"][0] == "#FF1E90"
    assert by_label["error"][1] == "error key does not exist"
    gossip = by_label["gossip"][1]
    assert len(gossip) == 48 and gossip.startswith("gossip {:messages [0 1 2")
    assert "msg_id" not in gossip
    assert by_label["gossip"][2].startswith("n1 → n10 ")
    assert len(arrows) == 5  # the undelivered gossip has no arrow
    assert "Additional network events not shown" not in svg


def test_participants_sorted_by_letters_then_number_services_last() -> None:
    assert lamport.participant_order(["n10", "lin-kv", "n2", "c12", "c3", "n0", "seq-kv"]) == \
        ["c3", "c12", "n0", "n2", "n10", "lin-kv", "seq-kv"]
    root = ET.fromstring(lamport.render(_journal().events, node_count=4))
    heads = [t.text for t in root.findall(SVG + "text") if t.get("font-weight") == "bold"]
    assert heads == ["c3", "c12", "n1", "n2", "n10", "lin-kv"]  # n0 only had init
    assert root.get("width") == "1200"


def test_only_the_first_events_below_the_id_limit_are_drawn() -> None:
    j = FakeJournal()
    j.message("c0", "n0", {"type": "init", "msg_id": 1})
    j.message("n0", "c0", {"type": "init_ok", "in_reply_to": 1})
    while len(j.events) < 10_100:
        j.message("n0", "n1", {"type": "ping"})
    shown, truncated = lamport.select(j.events, node_count=1)
    assert truncated
    assert len(shown) == 10_000 and shown[0][0] == 4
    assert all(ev[0] < 10_000 + 4 * 1 + 1 for ev in shown)
    svg = lamport.render(j.events, node_count=1)
    assert "Additional network events not shown" in svg
    ET.fromstring(svg)


def test_an_empty_journal_still_makes_a_valid_svg() -> None:
    root = ET.fromstring(lamport.render([], node_count=3))
    assert root.tag == SVG + "svg"
