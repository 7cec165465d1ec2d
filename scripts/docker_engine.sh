#!/usr/bin/env bash
# Make a Docker engine with compose v2 available on this Debian machine (as root), from
# Debian's packages only, and start it if it is not running. Idempotent.
#   - docker.io (bookworm) when no engine is installed;
#   - docker-compose v2 from the trixie suite at a low pin (bookworm only has v1);
#   - dockerd started in the background (overlay2) when `docker info` fails.
set -euo pipefail
log() { printf '[docker] %s\n' "$*" >&2; }

if docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  log "engine up: $(docker info --format '{{.ServerVersion}} {{.Driver}}'), $(docker compose version --short)"
  exit 0
fi
[ "$(id -u)" = 0 ] || { log "not root: start a Docker engine with compose v2 yourself"; exit 1; }

apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { apt-get -o DPkg::Lock::Timeout=600 update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@"
}

if ! command -v dockerd >/dev/null 2>&1; then
  log "apt-get install docker.io"
  apt_install docker.io
fi

if ! docker compose version >/dev/null 2>&1; then
  if [ ! -f /etc/apt/sources.list.d/clawops-trixie.sources ]; then
    # The machine's own bookworm entry (same mirror and key), with the trixie suite.
    src=$(grep -l -E '^Suites:.*\bbookworm\b' /etc/apt/sources.list.d/*.sources | head -1)
    [ -n "$src" ] || { log "no deb822 bookworm source found to derive trixie from"; exit 1; }
    awk 'BEGIN{RS=""; ORS="\n\n"} /Suites:[^\n]*bookworm( |$|\n)/ && !/security/ {
           sub(/Suites:[^\n]*/, "Suites: trixie"); print; exit }' "$src" \
      > /etc/apt/sources.list.d/clawops-trixie.sources
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 50\n' \
      > /etc/apt/preferences.d/clawops-trixie
    apt_updated=
  fi
  log "apt-get install -t trixie docker-compose (compose v2)"
  apt_install -t trixie --no-install-recommends docker-compose
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (log: /var/log/dockerd.log)"
  nohup dockerd >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { log "dockerd did not come up:"; tail -20 /var/log/dockerd.log >&2; exit 1; }
fi
log "engine up: $(docker info --format '{{.ServerVersion}} {{.Driver}}'), $(docker compose version --short)"
