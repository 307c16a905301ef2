#!/usr/bin/env bash
# JupyterLab 4 on the kit's checkout (`deno task lab`): the pinned JupyterLab of
# python/requirements-browser.txt in its cached environment (built on first use), serving the
# repository root, so the notebooks open from notebooks/ with the "Deno" kernel. Extra arguments go
# to JupyterLab (for example --port 8899 or --no-browser).
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(bash tools/python_env.sh python/requirements-browser.txt)
exec "$python" -m jupyterlab --ServerApp.root_dir="$PWD" "$@"
