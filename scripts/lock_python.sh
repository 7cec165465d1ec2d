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
# pip's --require-hashes wants an extra that a dependency asks for pinned on a line of its
# own (pip-compile --strip-extras writes the package once): Selenium asks for urllib3[socks]
# (PySocks is in the lock). The same pin and hashes again, with the extra.
python3 - requirements-dev.lock "urllib3[socks]" <<'PY'
import re
import sys

path, wanted = sys.argv[1], sys.argv[2:]
text = open(path, encoding="utf-8").read()
for spec in wanted:
    name = spec.split("[", 1)[0]
    if re.search(r"^%s==" % re.escape(spec), text, re.M):
        continue
    block = re.search(r"^%s==\S+ \\\n(?:    .*\n)+" % re.escape(name), text, re.M)
    if not block:
        sys.exit("lock_python.sh: %s is not in %s" % (name, path))
    text = text.replace(block.group(0), block.group(0) + block.group(0).replace(name, spec, 1), 1)
open(path, "w", encoding="utf-8").write(text)
PY
