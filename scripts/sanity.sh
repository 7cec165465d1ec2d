#!/usr/bin/env bash
# ansible-test sanity on a copy of this checkout laid out as ansible_collections/clawops/orchestrator.
# Usage: scripts/sanity.sh [extra ansible-test args]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PY=.venv/bin/python
pip_ver=$($PY - <<'PYV'
import re, inspect
from ansible_test._internal import python_requirements as pr
print(re.search(r"pip='([0-9.]+)'", inspect.getsource(pr.get_venv_packages)).group(1))
PYV
)
mkdir -p ~/.ansible/test/cache
cp scripts/get_pip_shim.py ~/.ansible/test/cache/"get_pip_${pip_ver//./_}.py"

DEST=.build/sanity/ansible_collections/clawops/orchestrator
rm -rf "$DEST"
mkdir -p "$DEST"
# What git tracks plus new files git does not ignore - what a fresh clone would hold.
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
  | tar -c --null -T - -f - | tar -x -C "$DEST"
cd "$DEST"
git init -q . 2>/dev/null || true
git add -A >/dev/null 2>&1
PATH="$ROOT/.venv/bin:$PATH" "$ROOT/.venv/bin/ansible-test" sanity --local --python 3.11 \
  --color no "$@"
