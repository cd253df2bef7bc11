"""Entry point: `python3 -m workbench test [Maelstrom flags] [-- args for the binary]`,
`python3 -m workbench sweep [test flags] --seeds 1-100 [...]` (see sweep.py),
`python3 -m workbench shrink [test flags] --seed N` (see shrink.py), or
`python3 -m workbench serve [--port 8080] [--store DIR] [--host 127.0.0.1]` (see serve.py).
Installed (`pip install .`), the same commands are `glomers-workbench test|sweep|serve`."""

from __future__ import annotations

import logging
import os
import sys

from .errors import EXIT_USAGE, WorkbenchError


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python3 -m workbench test --bin BIN -w WORKLOAD [flags] [-- args]\n"
              "       python3 -m workbench test --help   (all flags)\n"
              "       python3 -m workbench sweep [test flags] --seeds 1-100 [--jobs N] "
              "[--swarm] [--cluster ADDR]\n"
              "       python3 -m workbench sweep --help\n"
              "       python3 -m workbench shrink [--budget S] [--jobs N] [test flags] --seed N\n"
              "       python3 -m workbench shrink --from SWEEP.jsonl --seed N   (--help)\n"
              "       python3 -m workbench serve [--port 8080] [--store DIR] [--host ADDR]")
        return 0 if argv else EXIT_USAGE
    if argv[0] == "serve":
        from . import serve
        return serve.main(argv[1:])
    if argv[0] == "sweep":
        from . import sweep
        return sweep.main(argv[1:])
    if argv[0] == "shrink":
        from . import shrink
        return shrink.main(argv[1:])
    if argv[0] != "test":
        print(f"unknown command {argv[0]!r}; the commands are `test`, `sweep`, `shrink` "
              "and `serve`", file=sys.stderr)
        return EXIT_USAGE
    from . import cli, runner
    try:
        opts = cli.parse(argv[1:])
        code = 0
        for _ in range(opts.test_count):
            code, _run_dir = runner.run_once(opts)
            if code != 0:
                break
        return code
    except WorkbenchError as err:
        print(f"\n{err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _needs_fixed_hash(argv: list[str]) -> bool:
    args = argv[:argv.index("--")] if "--" in argv else argv
    return "--sim" in args and os.environ.get("PYTHONHASHSEED") != "0"


def entry() -> None:
    """`python3 -m workbench ...`, and the installed `glomers-workbench ...` command."""
    if _needs_fixed_hash(sys.argv[1:]):
        # Simulated nodes share this process, so set iteration order (salted string
        # hashing) must be fixed for a run to repeat byte for byte: start again with it fixed.
        os.execve(sys.executable, [sys.executable, "-m", "workbench", *sys.argv[1:]],
                  dict(os.environ, PYTHONHASHSEED="0"))
    status = main(sys.argv[1:])
    # Leave without taking the heap apart object by object: a run holds millions of objects
    # (the history, the journal, a simulated cluster), and freeing them took a third of a
    # second after everything had been written, closed and waited for.
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(status)


if __name__ == "__main__":
    entry()
