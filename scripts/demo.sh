#!/usr/bin/env bash
# The main job (README, first command): set this Debian machine up (packages, Docker engine,
# venv, node + openclaw, the gateway image) and deploy the demo fleet's Compose gateways to
# the local engine: preflight -> image -> deploy -> health gate. Safe to re-run (changed=0).
#
# The demo's secrets are placeholders written here (token files under ~/.clawops/secrets/acme
# and ACME_* environment variables): the channel accounts stay disabled (channels_live:
# false in examples/fleet/fleet.yml) until real bot tokens replace them.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/bootstrap.sh
bash scripts/docker_engine.sh
export ANSIBLE_COLLECTIONS_PATH="$ROOT/.build/collections"

secrets=~/.clawops/secrets/acme
mkdir -p "$secrets"
chmod 700 ~/.clawops ~/.clawops/secrets "$secrets"
for name in gw-people gw-support gw-research; do
  # gateway tokens: real random secrets (the Control UI and CLI log in with them)
  [ -s "$secrets/$name.token" ] || (umask 077; openssl rand -hex 32 > "$secrets/$name.token")
done
for name in telegram-alice telegram-bob slack-alice-bot slack-alice-app; do
  [ -s "$secrets/$name.token" ] || (umask 077; echo "placeholder-$name" > "$secrets/$name.token")
done
export ACME_ANTHROPIC_API_KEY="${ACME_ANTHROPIC_API_KEY:-placeholder-anthropic-key}"
export ACME_SUPPORT_SLACK_BOT_TOKEN="${ACME_SUPPORT_SLACK_BOT_TOKEN:-placeholder-slack-bot}"
export ACME_SUPPORT_SLACK_APP_TOKEN="${ACME_SUPPORT_SLACK_APP_TOKEN:-placeholder-slack-app}"
export ACME_SUPPORT_TELEGRAM_TOKEN="${ACME_SUPPORT_TELEGRAM_TOKEN:-placeholder-telegram}"

.venv/bin/ansible-inventory --graph
.venv/bin/ansible-playbook playbooks/preflight.yml -e clawops_view=routing
# The Compose gateways on this engine; the K8s gateway gw-research: scripts/demo_k8s.sh.
.venv/bin/ansible-playbook playbooks/site.yml --limit provider_compose "$@"
.venv/bin/ansible-playbook playbooks/status.yml --limit provider_compose
