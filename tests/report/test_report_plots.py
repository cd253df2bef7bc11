"""The perf PNGs: they decode, have the expected size, and shade partition periods."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from report_helpers import history

from workbench.report import plots
from workbench.report.ops import completed, partition_periods

NAMES = ("latency-raw.png", "latency-quantiles.png", "rate.png")
# #E9DCA0 at alpha 0.7 over white
SHADE = (round(0.7 * 0xE9 + 0.3 * 255), round(0.7 * 0xDC + 0.3 * 255),
         round(0.7 * 0xA0 + 0.3 * 255))


def _shaded_pixels(path: Path) -> int:
    pixels = np.asarray(Image.open(path).convert("RGB"), dtype=int)
    return int((np.abs(pixels - np.array(SHADE)).max(axis=2) <= 4).sum())


def _write(tmp_path: Path, ops: list[dict]) -> None:
    end = max((op["time"] for op in ops), default=0) / 1e9
    plots.write_all(tmp_path, completed(ops), partition_periods(ops, end), end)


@pytest.mark.slow
def test_plots_decode_and_shade_partitions(tmp_path: Path) -> None:
    _write(tmp_path, history())
    for name in NAMES:
        img = Image.open(tmp_path / name)
        img.load()
        assert img.format == "PNG" and img.size == (900, 450), name
        assert _shaded_pixels(tmp_path / name) > 1000, name


@pytest.mark.slow
def test_no_partition_no_shading_and_empty_history_still_plots(tmp_path: Path) -> None:
    _write(tmp_path, history(partitions=()))
    assert all(_shaded_pixels(tmp_path / name) == 0 for name in NAMES)
    empty = tmp_path / "empty"
    empty.mkdir()
    _write(empty, [])
    for name in NAMES:
        Image.open(empty / name).load()


def test_bucket_widths_are_round_and_capped() -> None:
    assert plots.nice_bucket(20.0, 20, 30.0) == 1.0
    assert plots.nice_bucket(20.0, 40, 10.0) == 0.5
    assert plots.nice_bucket(3.0, 20, 30.0) == 0.2
    assert plots.nice_bucket(3600.0, 20, 30.0) == 30.0
    assert plots.nice_bucket(0.0, 20, 30.0) > 0
