#!/usr/bin/env bash
# The test suite: installs what it needs into .venv on first use, then runs ruff, mypy and
# pytest.
# Extra arguments go to pytest (e.g. ./test.sh -k broadcast).
set -euo pipefail
cd "$(dirname "$0")"
py=$(scripts/bootstrap.sh test)
"$py" -m ruff check .
"$py" -m mypy  # what and how strictly: [tool.mypy] in pyproject.toml
exec "$py" -m pytest "$@"
