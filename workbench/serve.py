"""`python -m workbench serve`: browse the store in a web browser.

    python -m workbench serve [--port 8080] [--store DIR] [--host 127.0.0.1]

The front page lists every run in the store (store/<workload>/<timestamp>/), newest first,
with its workload, start time, verdict and key figures read from its results.json (or
results.edn): servers msgs-per-op, availability (ok-fraction) and the anomaly or error
types the workload's checker reported. Each run links to its folder, where every file is
served as is: results.edn, history.edn / history.txt, jepsen.log, the plots,
timeline.html, messages.svg, node-logs/, elle/ and the rest. `store/latest` works too.

The server listens on 127.0.0.1 unless --host says otherwise (0.0.0.0 exposes the store to
the network). It serves only files inside the store: a path with `..` (also percent-encoded),
or one that leads through a symlink to somewhere outside the store, gets 404. Stop it with
Ctrl-C.
"""

from __future__ import annotations

import argparse
import datetime
import html
import mimetypes
import re
import shutil
import sys
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote, unquote, urlsplit

from .errors import EXIT_USAGE
from .report import results as results_file

TEXT_TYPES = {".edn": "text/plain", ".txt": "text/plain", ".log": "text/plain",
              ".jsonl": "text/plain", ".json": "application/json", ".html": "text/html",
              ".svg": "image/svg+xml", ".png": "image/png"}
STAMP = re.compile(r"^(\d{8}T\d{6}(?:\.\d+)?)([+-]\d{4})?(?:-\d+)?$")
STYLE = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
         "td,th{padding:.25em .8em;border-bottom:1px solid #ddd;text-align:left}"
         ".true{color:#070}.false{color:#b00}.unknown{color:#a60}")


@dataclass
class RunSummary:
    """One run of the store, as the front page shows it."""

    workload: str
    name: str  # the run folder's name (its timestamp)
    started: datetime.datetime | None
    verdict: str  # "true", "false", "unknown" or "no results"
    msgs_per_op: float | None
    availability: float | None
    anomalies: list[str]

    @property
    def href(self) -> str:
        return f"/{quote(self.workload)}/{quote(self.name)}/"


def _started(name: str, fallback: Path) -> datetime.datetime | None:
    m = STAMP.match(name)
    if m:
        try:
            return datetime.datetime.strptime(m.group(1) + (m.group(2) or "+0000"),
                                              "%Y%m%dT%H%M%S.%f%z")
        except ValueError:
            pass
    try:
        return datetime.datetime.fromtimestamp(fallback.stat().st_mtime,
                                               datetime.timezone.utc)
    except OSError:
        return None


def _get(data: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(k)
    return data


def summarize(run_dir: Path) -> RunSummary:
    """The front-page row for one run folder (reads its results.json, or results.edn)."""
    workload, name = run_dir.parent.name, run_dir.name
    summary = RunSummary(workload, name, _started(name, run_dir), "no results", None, None, [])
    try:
        results = results_file.read(run_dir)
    except (OSError, ValueError):
        return summary
    if not isinstance(results, dict):
        return summary
    valid = results.get("valid?")
    verdicts: dict[Any, str] = {True: "true", False: "false"}
    summary.verdict = verdicts.get(valid, "unknown")
    mpo = _get(results, "net", "servers", "msgs-per-op")
    summary.msgs_per_op = mpo if isinstance(mpo, (int, float)) else None
    avail = _get(results, "availability", "ok-fraction")
    summary.availability = avail if isinstance(avail, (int, float)) else None
    for key in ("anomaly-types", "error-types"):
        found = _get(results, "workload", key)
        if isinstance(found, (list, tuple, set, frozenset)):
            summary.anomalies += sorted(str(t) for t in found)
    return summary


def list_runs(store: Path) -> list[RunSummary]:
    """Every run folder store/<workload>/<run>/ (symlinks such as latest skipped), newest
    first."""
    runs: list[RunSummary] = []
    if not store.is_dir():
        return runs
    for wl in store.iterdir():
        if wl.is_symlink() or not wl.is_dir():
            continue
        for run_dir in wl.iterdir():
            if not run_dir.is_symlink() and run_dir.is_dir():
                runs.append(summarize(run_dir))
    epoch = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
    runs.sort(key=lambda r: (r.started or epoch, r.name), reverse=True)
    return runs


def _page(title: str, body: str) -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title><style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
            f"{body}</body></html>").encode()


def index_page(store: Path) -> bytes:
    rows = []
    for r in list_runs(store):
        when = r.started.strftime("%Y-%m-%d %H:%M:%S %z") if r.started else "?"
        mpo = "" if r.msgs_per_op is None else f"{r.msgs_per_op:.3f}"
        avail = "" if r.availability is None else f"{r.availability:.4f}"
        rows.append(
            f"<tr><td>{html.escape(r.workload)}</td><td><a href='{r.href}'>{when}</a></td>"
            f"<td class='{r.verdict}'>{r.verdict}</td><td>{mpo}</td><td>{avail}</td>"
            f"<td>{html.escape(' '.join(r.anomalies))}</td></tr>")
    body = ("<table><tr><th>workload</th><th>time</th><th>valid?</th>"
            "<th>servers msgs-per-op</th><th>availability</th><th>anomalies</th></tr>"
            + "".join(rows) + "</table>") if rows else "<p>No runs in this store yet.</p>"
    return _page(f"Runs in {store}", body)


def listing_page(url_path: str, directory: Path) -> bytes:
    items = []
    for p in sorted(directory.iterdir(), key=lambda p: (not p.is_dir(), p.name)):
        name = p.name + ("/" if p.is_dir() else "")
        items.append(f"<li><a href='{quote(name)}'>{html.escape(name)}</a></li>")
    return _page(url_path, "<p><a href='/'>all runs</a></p><ul>" + "".join(items) + "</ul>")


def resolve(store: Path, url_path: str) -> Path | None:
    """The file or folder inside `store` that `url_path` names, or None (404): no `.` or `..`
    segment (after percent-decoding), nothing that resolves outside the store."""
    path = unquote(url_path)
    if "\x00" in path or "\\" in path:
        return None
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") for p in parts):
        return None
    root = store.resolve()
    try:
        target = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if target != root and root not in target.parents:
        return None
    return target


def make_handler(store: Path) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "workbench-serve"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._respond(head=False)

        def do_HEAD(self) -> None:  # noqa: N802
            self._respond(head=True)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # quiet: the terminal shows only the address

        def _send(self, code: int, ctype: str, body: bytes, head: bool) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _respond(self, head: bool) -> None:
            url_path = urlsplit(self.path).path
            if url_path == "/":
                self._send(200, "text/html; charset=utf-8", index_page(store), head)
                return
            target = resolve(store, url_path)
            if target is None:
                self._send(404, "text/plain; charset=utf-8", b"not found\n", head)
            elif target.is_dir():
                if not url_path.endswith("/"):
                    self.send_response(301)
                    self.send_header("Location", url_path + "/")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self._send(200, "text/html; charset=utf-8", listing_page(url_path, target),
                           head)
            else:
                self._send_file(target, head)

        def _send_file(self, target: Path, head: bool) -> None:
            ctype = TEXT_TYPES.get(target.suffix) or (
                mimetypes.guess_type(target.name)[0] or "application/octet-stream")
            if ctype.startswith("text/"):
                ctype += "; charset=utf-8"
            try:
                f = target.open("rb")
            except OSError:
                self._send(404, "text/plain; charset=utf-8", b"not found\n", head)
                return
            with f:
                size = target.stat().st_size
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(size))
                self.send_header("X-Content-Type-Options", "nosniff")
                self.end_headers()
                if not head:
                    shutil.copyfileobj(f, self.wfile)

    return Handler


def make_server(store: Path, host: str = "127.0.0.1", port: int = 8080) -> ThreadingHTTPServer:
    """A server for `store` bound to host:port (port 0: any free port); call serve_forever."""
    server = ThreadingHTTPServer((host, port), make_handler(Path(store)))
    server.daemon_threads = True
    return server


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m workbench serve",
                                description="Browse the store's runs in a web browser.")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--store", default="store", help="the store folder (default: store)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1, loopback only)")
    args = p.parse_args(argv)
    store = Path(args.store)
    if not store.is_dir():
        print(f"no store at {store}: run a test first, or pass --store DIR", file=sys.stderr)
        return EXIT_USAGE
    try:
        server = make_server(store, args.host, args.port)
    except OSError as err:
        print(f"cannot listen on {args.host}:{args.port}: {err}", file=sys.stderr)
        return EXIT_USAGE
    host, port = cast("tuple[str, int]", server.server_address[:2])  # an IPv4 or IPv6 address
    print(f"Serving {store.resolve()} at http://{host}:{port}/  (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
