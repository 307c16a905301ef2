#!/usr/bin/env bash
# The Python peers (python/requirements-*.txt) in a cached virtual environment outside the repo,
# keyed by a hash of the pinned requirements: a rerun on the same machine costs nothing. Prints
# the environment's python on stdout. Usage: tools/python_env.sh [requirements file]
set -euo pipefail
cd "$(dirname "$0")/.."
req="${1:-python/requirements-peer.txt}"
[ -f "$req" ] || { echo "python_env: no requirements file $req" >&2; exit 2; }
base_python="${KIT_BASE_PYTHON:-$(command -v python3)}"
hash=$( (cat "$req"; "$base_python" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)
root="${XDG_CACHE_HOME:-$HOME/.cache}/target-dpo-kit"
venv="$root/venv-$(basename "$req" .txt)-$hash"
mkdir -p "$root"
# One install at a time per environment: a second caller waits, then finds it complete.
exec 9>"$venv.lock"
flock 9
if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
  rm -rf "$venv.partial"
  start=$(date +%s)
  "$base_python" -m venv "$venv.partial" >&2
  "$venv.partial/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    -r "$req" >&2
  touch "$venv.partial/.complete"
  rm -rf "$venv"
  mv "$venv.partial" "$venv"
  # A venv's scripts name its folder: the moved one is used through its python only.
  echo "python_env: installed $req into $venv in $(( $(date +%s) - start )) s ($(du -sh "$venv" | cut -f1))" >&2
fi
echo "$venv/bin/python"
