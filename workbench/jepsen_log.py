"""jepsen.log, the run's log file, as Jepsen writes it: one line per log record and per op
(tab-separated time, level, thread and logger), flushed at most every half second of wall
clock and on warnings, not after every one of a run's thousands of op lines."""

from __future__ import annotations

import io
import logging
import time
from pathlib import Path

from .clock import wall


class LogFile(logging.FileHandler):
    """The handler behind jepsen.log (see the module doc)."""

    stream: io.TextIOWrapper  # (typeshed: or None) opened by __init__, as delay is False

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._flushed = wall()
        self._second = -1
        self._stamp = ""

    def write_op(self, line: str) -> None:
        """One op line, as the logging module would format it, without its overhead."""
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now))
        self.stream.write(f"{self._stamp},{int(now * 1000) % 1000:03d}\tINFO\t[MainThread] "
                          f"jepsen.generator.interpreter: {line}\n")

    def flush(self) -> None:
        pass

    def emit(self, record: logging.LogRecord) -> None:
        super().emit(record)
        if record.levelno >= logging.WARNING or wall() - self._flushed > 0.5:
            self._flushed = wall()
            super().flush()

    def flush_now(self) -> None:
        super().flush()

    def close(self) -> None:
        super().flush()
        super().close()


def open_log(run_dir: Path) -> LogFile:
    """Start jepsen.log in `run_dir`: every INFO record of the process goes to it."""
    handler = LogFile(run_dir / "jepsen.log")
    formatter = logging.Formatter("%(asctime)s\t%(levelname)s\t[%(threadName)s] %(name)s: "
                                  "%(message)s")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def flush_all() -> None:
    """Write out what every jepsen.log handler of this process holds (a forked child does,
    before it leaves with os._exit)."""
    for h in logging.getLogger().handlers:
        if isinstance(h, LogFile):
            h.flush_now()
