#!/usr/bin/env bash
# Make .venv hold what the workbench (and, with `test`, the test suite) needs.
# Re-installs only when pyproject.toml changed since the last install. Prints the venv's python.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv"
extra=${1:-}
want="$(sha1sum "$root/pyproject.toml" | cut -c1-40)${extra:+-$extra}"
stamp="$venv/.installed"
if [ ! -x "$venv/bin/python" ]; then
  echo "setting up $venv (first run only)..." >&2
  python3 -m venv "$venv" >&2
fi
if [ ! -f "$stamp" ] || ! grep -qx -- "$want" "$stamp"; then
  spec="$root"
  [ -n "$extra" ] && spec="$root[$extra]"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -e "$spec" >&2
  echo "$want" >> "$stamp"
fi
echo "$venv/bin/python"
