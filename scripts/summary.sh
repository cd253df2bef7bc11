#!/usr/bin/env bash
# Build results/SUMMARY.md from results/*/results.json (results.edn where real Maelstrom ran),
# stages in the order of stages.txt (run by `./run.sh all`; safe to rerun).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
py=$("$root/scripts/bootstrap.sh")
cd "$root"
exec "$py" -m workbench.report.summary "${RESULTS_DIR:-results}"
