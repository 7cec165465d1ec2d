#!/usr/bin/env bash
# The demo fleet's Kubernetes gateway (gw-research) on the test cluster of this machine
# (tests/k8s/cluster.sh: Kubernetes built from the Go module proxy the first time, ~15 min,
# then cached): cluster up, a local OpenBao dev server holding gw-research's placeholder
# Slack tokens, site.yml for gw-research (image built here and loaded into the node), status.
# Run scripts/demo.sh first (it sets the machine up). Safe to re-run (changed=0).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/bootstrap.sh
bash scripts/docker_engine.sh
bash tests/k8s/cluster.sh up
export ANSIBLE_COLLECTIONS_PATH="$ROOT/.build/collections"
eval "$(bash tests/k8s/cluster.sh env)"

secrets=~/.clawops/secrets/acme
mkdir -p "$secrets"
chmod 700 ~/.clawops ~/.clawops/secrets "$secrets"
[ -s "$secrets/gw-research.token" ] || (umask 077; openssl rand -hex 32 > "$secrets/gw-research.token")

# gw-research's Slack tokens are Vault references: a dev OpenBao (in memory) on loopback
export VAULT_ADDR=${VAULT_ADDR:-http://127.0.0.1:18201}
if [ -z "${VAULT_TOKEN:-}" ]; then
  [ -s ~/.clawops/demo-bao.token ] || (umask 077; openssl rand -hex 16 > ~/.clawops/demo-bao.token)
  VAULT_TOKEN=$(cat ~/.clawops/demo-bao.token)
  export VAULT_TOKEN
fi
if ! curl -sf "$VAULT_ADDR/v1/sys/health" >/dev/null 2>&1; then
  nohup .venv/bin/bao server -dev -dev-listen-address="${VAULT_ADDR#http://}" \
    -dev-root-token-id="$VAULT_TOKEN" > ~/.clawops/demo-bao.log 2>&1 &
  for _ in $(seq 1 50); do curl -sf "$VAULT_ADDR/v1/sys/health" >/dev/null 2>&1 && break; sleep 0.2; done
fi
.venv/bin/python - <<'PY'
import os, hvac
client = hvac.Client(url=os.environ["VAULT_ADDR"], token=os.environ["VAULT_TOKEN"])
path = "acme/slack/research"
try:
    client.secrets.kv.v2.read_secret_version(path=path, mount_point="secret",
                                             raise_on_deleted_version=True)
except hvac.exceptions.InvalidPath:
    client.secrets.kv.v2.create_or_update_secret(
        path=path, mount_point="secret",
        secret={"bot_token": "placeholder-slack-bot", "app_token": "placeholder-slack-app"})
PY

load="{\"gateway_k8s_image_load\": \"$ROOT/tests/k8s/cluster.sh import-image {image}\"}"
.venv/bin/ansible-playbook playbooks/site.yml --limit gw-research -e "$load" "$@"
.venv/bin/ansible-playbook playbooks/status.yml --limit gw-research
