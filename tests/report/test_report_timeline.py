"""timeline.html: one column per process, a box per op coloured by outcome, capped size;
opened in headless Chromium when it is installed."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_helpers import history

from workbench.report import timeline
from workbench.report.ops import partition_periods

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync")


class Boxes(HTMLParser):
    """Counts op boxes by class, column heads and partition bands; checks tags balance."""

    VOID = {"meta", "br", "img", "link", "input", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.classes: dict[str, int] = {}
        self.heads: list[str] = []
        self.stack: list[str] = []
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)
        cls = dict(attrs).get("class") or ""
        for c in cls.split():
            self.classes[c] = self.classes.get(c, 0) + 1
        self._in_head = "head" in cls.split()

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (self.stack[-3:], tag)
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._in_head:
            self.heads.append(data)
            self._in_head = False


def parse(page: str) -> Boxes:
    p = Boxes()
    p.feed(page)
    p.close()
    assert p.stack == [], p.stack
    return p


def test_columns_boxes_and_partitions() -> None:
    ops = history(n=60)
    page = timeline.render(ops, partition_periods(ops), "echo timeline")
    p = parse(page)
    assert p.heads == ["process 0", "process 1", "process 2", "nemesis"]
    assert p.classes["op"] == 60 + 2  # 60 client ops, start and stop of one partition
    assert p.classes["ok"] >= 36 and p.classes["fail"] >= 12 and p.classes["info"] >= 12
    assert p.classes["partition"] == 1
    assert "60 operations" not in page and "62 operations." in page
    assert "{:k [1 nil]}" in page  # values of any shape are shown
    assert "Showing the first" not in page


def test_long_histories_are_capped_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timeline, "MAX_OPS", 50)
    ops = history(n=300)
    p = parse(page := timeline.render(ops, partition_periods(ops)))
    assert p.classes["op"] == 50
    assert "Showing the first 50 of 302 operations." in page


def test_an_op_that_never_completed_is_drawn_open() -> None:
    ops = history(n=3, partitions=())
    ops = ops[:-1]  # drop the last completion
    p = parse(timeline.render(ops, []))
    assert p.classes.get("open", 0) >= 2  # the box and the key


@pytest.mark.slow
def test_timeline_opens_in_headless_chromium(tmp_path: Path) -> None:
    ops = history(n=90)
    path = tmp_path / "timeline.html"
    timeline.write(path, ops, partition_periods(ops), "kafka timeline")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        parse(path.read_text())
        pytest.skip("chromium is not installed: checked timeline.html with html.parser only "
                    "(.ci/run installs Debian's chromium)")
    dom = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         path.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert "kafka timeline" in dom
    p = parse(dom.replace("<br>", ""))
    assert p.classes["op"] == 92 and p.heads[-1] == "nemesis"


def test_the_drawing_process_gets_values_only_where_they_are_drawn(monkeypatch) -> None:
    from workbench.report import drawn
    from workbench.report.ops import completed

    monkeypatch.setattr(timeline, "MAX_OPS", 20)
    ops = history(n=300, partitions=((1.0, 2.0), (3.0, 3.5)))
    slim = drawn(ops)
    assert len(slim) == len(ops)
    periods = partition_periods(ops)
    assert partition_periods(slim) == periods
    assert timeline.render(slim, periods) == timeline.render(ops, periods)
    assert completed(slim) == completed(ops)
    nemesis = [op for op in slim if op["process"] == "nemesis"]
    assert nemesis and all("value" in op for op in nemesis)
    assert sum("value" in op for op in slim if op["process"] != "nemesis") == 40
    assert "value" not in slim[-1] and "error" not in slim[-1]
