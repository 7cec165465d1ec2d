#!/usr/bin/env bash
# The main job on this machine (README, first command): set everything up, preflight the
# demo fleet, then preview it - every gateway's effective openclaw.json with provenance, rendered into
# ./rendered/ and checked by the real, pinned `openclaw config validate`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/bootstrap.sh
export ANSIBLE_COLLECTIONS_PATH="$ROOT/.build/collections"
.venv/bin/ansible-inventory --graph
.venv/bin/ansible-playbook playbooks/preflight.yml -e clawops_view=routing
.venv/bin/ansible-playbook playbooks/preview.yml \
  -e clawops_render_dir="$ROOT/rendered" \
  -e clawops_openclaw_bin="$ROOT/.tools/bin/openclaw" "$@"
echo "rendered files: $ROOT/rendered/<gateway>/{openclaw.json,runtime.json,provenance.txt}"
