#!/usr/bin/env python3
"""Benchmark: service RPCs per second under saturation, in real mode.

A tiny C node (compiled here with `cc`) answers each echo request only after N sequential
`lin-kv` reads: one read outstanding per request, the next sent as soon as the previous
reply arrives, as a Go kafka node's poll that reads the log one offset at a time. With
`--concurrency K` there are K such streams at once (2 nodes). The figure is lin-kv reads
completed per second of the run: (ok echo ops x N) / (last completion - first invocation),
in all and per stream, and the CPU time (user + system) the run took per 1000 reads: the
engine's and the nodes' together, which a loaded machine disturbs less than the rate.

With `--maelstrom PATH` (a `maelstrom` launcher, e.g. /root/maelstrom-real/bin/maelstrom) the
same node and flags run there too, from a scratch directory, one run each, for comparison.
Run from the repository root:

    .venv/bin/python bench/service_throughput.py [--reads 300] [--time-limit 10]
        [--streams 1,2,4] [--maelstrom /root/maelstrom-real/bin/maelstrom]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, read_history

NODE_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 64
#define IGNORE (SLOTS - 1)
static long reads_per_request;
static char me[64];
static struct { char client[64]; long client_msg; char echo[256]; long left; } slot[SLOTS];
static int used[SLOTS];
static long seq = 1;

/* the text after "key": (a string's content into out, or a number's value) */
static const char *after(const char *line, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(line, pat);
    if (!p) return NULL;
    p += strlen(pat);
    while (*p == ' ') p++;
    return p;
}
static int str_field(const char *line, const char *key, char *out, size_t n) {
    const char *p = after(line, key);
    if (!p || *p != '"') return 0;
    p++;
    size_t i = 0;
    while (*p && *p != '"' && i + 2 < n) {
        if (*p == '\\' && p[1]) out[i++] = *p++;
        out[i++] = *p++;
    }
    out[i] = 0;
    return 1;
}
static long num_field(const char *line, const char *key) {
    const char *p = after(line, key);
    return p ? strtol(p, NULL, 10) : -1;
}
static void read_kv(int s) {
    printf("{\"src\":\"%s\",\"dest\":\"lin-kv\",\"body\":{\"type\":\"read\",\"key\":\"k\","
           "\"msg_id\":%ld}}\n", me, seq++ * SLOTS + s);
    fflush(stdout);
}
int main(int argc, char **argv) {
    reads_per_request = argc > 1 ? atol(argv[1]) : 100;
    char *line = NULL; size_t cap = 0;
    char src[64], type[64];
    while (getline(&line, &cap, stdin) > 0) {
        if (!str_field(line, "src", src, sizeof src) || !str_field(line, "type", type, sizeof type))
            continue;
        if (!strcmp(type, "init")) {
            str_field(line, "node_id", me, sizeof me);
            printf("{\"src\":\"%s\",\"dest\":\"%s\",\"body\":{\"type\":\"init_ok\","
                   "\"in_reply_to\":%ld}}\n", me, src, num_field(line, "msg_id"));
            printf("{\"src\":\"%s\",\"dest\":\"lin-kv\",\"body\":{\"type\":\"write\","
                   "\"key\":\"k\",\"value\":1,\"msg_id\":%d}}\n", me, IGNORE);
            fflush(stdout);
        } else if (!strcmp(type, "echo")) {
            int s = 0;
            while (s < IGNORE && used[s]) s++;
            if (s == IGNORE) continue;
            used[s] = 1;
            strcpy(slot[s].client, src);
            slot[s].client_msg = num_field(line, "msg_id");
            str_field(line, "echo", slot[s].echo, sizeof slot[s].echo);
            slot[s].left = reads_per_request;
            read_kv(s);
        } else if (src[0] == 'l') {  /* a lin-kv reply */
            int s = (int)(num_field(line, "in_reply_to") % SLOTS);
            if (s == IGNORE || !used[s]) continue;
            if (--slot[s].left > 0) { read_kv(s); continue; }
            used[s] = 0;
            printf("{\"src\":\"%s\",\"dest\":\"%s\",\"body\":{\"type\":\"echo_ok\","
                   "\"echo\":\"%s\",\"in_reply_to\":%ld}}\n", me, slot[s].client,
                   slot[s].echo, slot[s].client_msg);
            fflush(stdout);
        }
    }
    return 0;
}
"""


def build(workdir: Path) -> Path:
    src = workdir / "kv_reader.c"
    src.write_text(NODE_C)
    binary = workdir / "kv_reader"
    subprocess.run(["cc", "-O2", "-o", str(binary), str(src)], check=True)
    return binary


def flags(binary: Path, streams: int, time_limit: int) -> list[str]:
    return ["-w", "echo", "--bin", str(binary), "--node-count", "2", "--concurrency",
            str(streams), "--rate", "1000", "--time-limit", str(time_limit)]


def timed(cmd: list[str], cwd: Path) -> tuple[int, float]:
    """Run `cmd`: (exit code, CPU seconds of it and the processes it waited for)."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_utime + usage.ru_stime


def throughput(run_dir: Path, reads: int) -> tuple[float, int, int]:
    """(lin-kv reads/s, ok ops, info ops) from a run's history.edn."""
    ops = read_history(run_dir)
    times = [op["time"] for op in ops]
    ok = sum(1 for op in ops if op["type"] == "ok")
    info = sum(1 for op in ops if op["type"] == "info")
    span = (max(times) - min(times)) / 1e9 if times else 0.0
    return (ok * reads / span if span else 0.0), ok, info


def run_workbench(binary: Path, streams: int, args: argparse.Namespace, store: Path
                  ) -> tuple[int, float, float, int, int]:
    cmd = [sys.executable, "-m", "workbench", "test", *flags(binary, streams, args.time_limit),
           "--store", str(store), "--quiet", "--", str(args.reads)]
    code, cpu = timed(cmd, ROOT)
    rate, ok, info = throughput((store / "latest").resolve(), args.reads)
    return code, cpu, rate, ok, info


def run_maelstrom(binary: Path, streams: int, args: argparse.Namespace, scratch: Path
                  ) -> tuple[int, float, float, int, int]:
    scratch.mkdir(parents=True, exist_ok=True)
    # Maelstrom passes no arguments to the node: a wrapper script fixes N
    wrapper = scratch / "node.sh"
    wrapper.write_text(f"#!/bin/sh\nexec {binary} {args.reads}\n")
    wrapper.chmod(0o755)
    cmd = [args.maelstrom, "test", *flags(wrapper, streams, args.time_limit)]
    code, cpu = timed(cmd, scratch)
    rate, ok, info = throughput((scratch / "store" / "latest").resolve(), args.reads)
    return code, cpu, rate, ok, info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=300, help="lin-kv reads per request")
    parser.add_argument("--time-limit", type=int, default=10)
    parser.add_argument("--streams", default="1,2,4")
    parser.add_argument("--maelstrom", help="a maelstrom launcher to compare with")
    args = parser.parse_args()
    if shutil.which("cc") is None:
        sys.exit("service_throughput: needs a C compiler (cc)")
    work = Path(tempfile.mkdtemp(prefix="service-throughput-"))
    binary = build(work)
    engines = [("workbench", run_workbench)]
    if args.maelstrom:
        engines.append(("maelstrom", run_maelstrom))
    print(f"{args.reads} sequential lin-kv reads per echo request, 2 nodes, "
          f"--time-limit {args.time_limit}, real mode; one run each")
    print(f"{'engine':<10} {'streams':>7} {'exit':>4} {'ok':>6} {'info':>4} "
          f"{'reads/s':>9} {'per stream':>10} {'CPU ms/1000':>11} {'wall s':>7}")
    for name, runner in engines:
        for streams in (int(s) for s in args.streams.split(",")):
            started = time.monotonic()
            code, cpu, rate, ok, info = runner(binary, streams, args,
                                               work / f"{name}-{streams}")
            wall = time.monotonic() - started
            per = cpu * 1e6 / (ok * args.reads) if ok else float("nan")
            print(f"{name:<10} {streams:>7} {code:>4} {ok:>6} {info:>4} {rate:>9.0f} "
                  f"{rate / streams:>10.0f} {per:>11.1f} {wall:>7.1f}", flush=True)
    print(f"(run dirs under {work})")


if __name__ == "__main__":
    main()
