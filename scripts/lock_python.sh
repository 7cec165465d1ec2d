#!/usr/bin/env bash
# Regenerate the hash-locked Python requirements from the pins people read and edit:
#   requirements.txt      -> requirements.lock      (the controller's runtime)
#   requirements-dev.txt  -> requirements-dev.lock  (tests, lint, CI: scripts/bootstrap.sh)
# Every package of the closure is pinned with the sha256 of each of its files on PyPI, and
# the installs use pip's --require-hashes: a changed or substituted file is refused.
# Review the diff of the locks before committing them.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TOOLS=$(mktemp -d)
trap 'rm -rf "$TOOLS"' EXIT
python3.11 -m venv "$TOOLS/venv"
"$TOOLS/venv/bin/pip" install -q pip-tools==7.7.0
for name in requirements requirements-dev; do
  "$TOOLS/venv/bin/pip-compile" -q --generate-hashes --allow-unsafe --strip-extras \
    --no-emit-index-url --no-emit-find-links --output-file "$name.lock" "$name.txt"
done
