"""workbench serve: the run list (newest first, key figures from results.edn), the run
files, and 404 for every way out of the store (.., %2e%2e, symlinks). The server runs in a
thread on an ephemeral port; pages are fetched with urllib / http.client, and opened in
headless Chromium when it is installed."""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest

from workbench import serve

RESULTS_TXN = """{:net {:servers {:msgs-per-op 0.25}}, :availability {:ok-fraction 0.98},
 :workload {:valid? false, :anomaly-types [:G1c :G-single]}, :valid? false}"""
RESULTS_BROADCAST = """{:net {:servers {:msgs-per-op 11.5}}, :availability {:ok-fraction 1.0},
 :workload {:valid? true}, :valid? true}"""
OLD = "20261124T100000.000+0000"
NEW = "20261125T120000.500+0000"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    root = tmp_path / "store"
    old = root / "broadcast" / OLD
    new = root / "txn-list-append" / NEW
    for run, results in ((old, RESULTS_BROADCAST), (new, RESULTS_TXN)):
        (run / "node-logs").mkdir(parents=True)
        (run / "results.edn").write_text(results)
        (run / "node-logs" / "n0.log").write_text("hello from n0\n")
        (run / "timeline.html").write_text("<html><body>timeline</body></html>")
    (new / "rate.png").write_bytes(b"\x89PNG fake")
    (root / "echo" / "20261125T130000.000+0000").mkdir(parents=True)  # a broken run
    os.symlink(os.path.relpath(new, root), root / "latest")
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the store")
    os.symlink(secret, new / "leak.txt")
    os.symlink(tmp_path, new / "up")
    return root


@pytest.fixture
def server(store: Path):
    srv = serve.make_server(store, "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.01},
                              daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join()


def fetch(srv, path: str) -> tuple[int, str, bytes]:
    """GET with the path sent exactly as given (no client-side normalisation)."""
    host, port = srv.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, resp.getheader("Content-Type") or "", body


def test_index_lists_runs_newest_first_with_key_figures(server) -> None:
    status, ctype, body = fetch(server, "/")
    page = body.decode()
    assert status == 200 and ctype.startswith("text/html")
    assert page.index("txn-list-append") < page.index("broadcast")
    assert page.index("echo") < page.index("txn-list-append")  # newest, no results
    assert "G-single G1c" in page and "0.250" in page and "0.9800" in page
    assert "11.500" in page and "no results" in page and page.count("<tr>") == 4


def test_run_files_are_served(server) -> None:
    run = f"/txn-list-append/{NEW}"
    status, _, body = fetch(server, run + "/results.edn")
    assert status == 200 and b":anomaly-types" in body
    status, ctype, body = fetch(server, run + "/node-logs/n0.log")
    assert status == 200 and ctype.startswith("text/plain") and body == b"hello from n0\n"
    assert fetch(server, run + "/rate.png")[1] == "image/png"
    assert fetch(server, run + "/timeline.html")[1].startswith("text/html")
    status, _, body = fetch(server, run + "/")
    assert status == 200 and b"node-logs/" in body and b"results.edn" in body
    assert fetch(server, run)[0] == 301
    assert fetch(server, "/latest/results.edn")[0] == 200  # a symlink inside the store


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/broadcast/../../secret.txt", "/%2e%2e/secret.txt",
    "/%2E%2E/%2e%2e/secret.txt", "/broadcast/%2e%2e%2f%2e%2e%2fsecret.txt",
    f"/txn-list-append/{NEW}/leak.txt", f"/txn-list-append/{NEW}/up/secret.txt",
    "/nothing-here", "/broadcast/..%5c..%5csecret.txt", "/a%00b",
])
def test_nothing_outside_the_store(server, path: str) -> None:
    status, _, body = fetch(server, path)
    assert status == 404 and b"outside" not in body


def test_urllib_client_and_default_loopback(server) -> None:
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    with urllib.request.urlopen(f"http://{host}:{port}/broadcast/{OLD}/results.edn") as r:
        assert b":msgs-per-op 11.5" in r.read()


def test_main_refuses_a_missing_store(tmp_path: Path, capsys) -> None:
    assert serve.main(["--store", str(tmp_path / "none"), "--port", "0"]) == 254
    assert "no store" in capsys.readouterr().err


def test_index_in_headless_chromium(server, tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed: the pages were checked with urllib only "
                    "(.ci/run installs Debian's chromium)")
    host, port = server.server_address[:2]
    flags = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync")
    dom = subprocess.run(
        [browser, *flags, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         f"http://{host}:{port}/"], capture_output=True, text=True, timeout=120).stdout
    assert "txn-list-append" in dom and "G-single G1c" in dom
