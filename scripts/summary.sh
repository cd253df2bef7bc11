#!/usr/bin/env bash
# Build results/SUMMARY.md from results/*/results.edn (run by `./run.sh all`; safe to rerun).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
py=$("$root/scripts/bootstrap.sh")
cd "$root"
exec "$py" -m workbench.report.summary "${RESULTS_DIR:-results}"
