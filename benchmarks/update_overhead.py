"""Update benchmark on the local Docker engine: orchestration overhead per gateway.

    .venv/bin/python benchmarks/update_overhead.py [--gateways 3]

Builds a throw-away fleet of N WebChat gateways (one per wave: canary, 1, 2, ...) under a
temporary directory, deploys it with `site.yml` (not timed), then times `update.yml` wave by
wave three times:

- a hot config change (the org template's logging level info -> debug): every gateway takes
  it without a restart; all of the time is orchestration;
- a restart config change (the org template's `gateway.controlUi.basePath`): every gateway
  is recreated (no backup: the active revision is the rollback);
- an image change (the same image under a new tag, `-e clawops_update_image=`): backup of the
  stopped gateway, recreate.

While the update runs, the benchmark follows `docker events` for the gateways' containers and
probes each gateway's /readyz every 100 ms. Per gateway:

- stop     = the engine's `kill` -> `die` of the running container (backup and recreate each
             stop it; both are counted),
- start    = the engine's last `start` -> the first /readyz 200 the probe sees after it,
- gateway  = stop + start: the gateway's own stop/start/ready time,
- overhead = total update time / N - gateway: everything else (preflight, `openclaw config
             validate` in the candidate image, plan, backup archive, revision records,
             compose, gate probes, doctor/health, event log).

Then it times a no-op update and agent onboarding on the first gateway (playbooks/agent.yml
add, then remove: definition edit, preflight, validate, hot apply, gate).

The image must exist (`scripts/demo.sh` or the image role builds it). The fleet is removed
at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
sys.path[:0] = [os.path.join(ROOT, "tests"), os.path.join(ROOT, "tests", "integration")]
from helpers import free_base_ports  # noqa: E402  pylint: disable=wrong-import-position
ENV = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"),
           ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1")
ORG_TEMPLATE = ('{ agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },'
                ' logging: { level: "%s" }%s }')
RESTART_PART = ', gateway: { controlUi: { basePath: "/bench" } }'


def playbook(inventory, events_log, *args):
    start = time.time()
    del events_log  # the inventory source names it
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", inventory] + list(args),
                          cwd=ROOT, env=ENV, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit("ansible-playbook %s failed:\n%s" % (" ".join(args), proc.stdout[-3000:]))
    return time.time() - start


def write(base, rel, text):
    path = os.path.join(base, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def make_fleet(base, count):
    slug = "bu%d" % (os.getpid() % 1000)
    secrets_dir, root, fleet_dir = (os.path.join(base, n) for n in ("secrets", "srv", "fleet"))
    os.makedirs(secrets_dir, mode=0o700)
    gateways = ["gw-%d" % i for i in range(count)]
    ports = dict(zip(gateways, free_base_ports(count)))
    write(fleet_dir, "fleet.yml", (
        "schema_version: 1\n"
        "org: {org_id: bench-01, org_slug: %s, display_name: Bench}\n"
        "defaults:\n  image: {version: \"2026.9.6\"}\n"
        "  auth: {mode: token, token: {source: file, path: \"%s/@{gateway.id}.token\"}}\n"
        "targets:\n  compose_hosts:\n    local: {root: %s, vars: {ansible_connection: local}}\n"
        "config:\n  templates: [templates/org.json5]\n"
        "policy:\n  integrations: {allow: [webchat]}\n  providers: {allow: [anthropic]}\n")
        % (slug, secrets_dir, root))
    write(fleet_dir, "templates/org.json5", ORG_TEMPLATE % ("info", ""))
    write(fleet_dir, "catalogs/models.yml",
          "models:\n  anthropic/claude-sonnet-4-5: {tier: default, owner: it}\n")
    tokens = {}
    for index, gw in enumerate(gateways):
        wave = "canary" if index == 0 else index
        write(fleet_dir, "groups/%s.yml" % gw,
              "id: %s\nprofile: usecase\ntrust_level: medium\nwave: %s\n" % (gw, wave))
        write(fleet_dir, "gateways/%s.yml" % gw,
              "id: %s\ngroups: [%s]\nprovider: {type: compose, host: local}\nport: %d\n"
              "agents:\n  - {id: helper, kind: usecase}\n" % (gw, gw, ports[gw]))
        tokens[gw] = os.urandom(24).hex()
        write(secrets_dir, "%s.token" % gw, tokens[gw])
    inventory = os.path.join(base, "fleet.clawops.yml")
    # the audit trail from the inventory source (an extra var may not choose it)
    write(base, "fleet.clawops.yml", "plugin: clawops.orchestrator.fleet\nfleet_dir: %s\n"
          "compose:\n  clawops_events_log: \"'%s'\"\n" % (fleet_dir, os.path.join(base, "events.jsonl")))
    write(fleet_dir, "operators.yml", "open: true\n")
    return {"slug": slug, "gateways": gateways, "ports": ports, "tokens": tokens,
            "inventory": inventory, "fleet_dir": fleet_dir,
            "events": os.path.join(base, "events.jsonl")}


def ready(port, token):
    request = urllib.request.Request("http://127.0.0.1:%d/readyz" % port)
    request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=2) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


class Observer:
    """docker events for the fleet's containers + a 100 ms /readyz probe per gateway."""

    def __init__(self, fleet):
        self.fleet, self.stop = fleet, threading.Event()
        self.events, self.ready_at = [], {gw: [] for gw in fleet["gateways"]}
        self.proc = subprocess.Popen(
            ["docker", "events", "--format", "{{json .}}", "--filter", "type=container"]
            + sum((["--filter", "container=%s-%s" % (fleet["slug"], gw)]
                   for gw in fleet["gateways"]), []),
            stdout=subprocess.PIPE, text=True)
        self.threads = [threading.Thread(target=self._events, daemon=True)] + [
            threading.Thread(target=self._probe, args=(gw,), daemon=True)
            for gw in fleet["gateways"]]
        for thread in self.threads:
            thread.start()

    def _events(self):
        for line in self.proc.stdout:
            event = json.loads(line)
            name = event.get("Actor", {}).get("Attributes", {}).get("name", "")
            self.events.append((event["timeNano"] / 1e9, name, event.get("status")))

    def _probe(self, gw):
        was_ready = True
        while not self.stop.is_set():
            now = ready(self.fleet["ports"][gw], self.fleet["tokens"][gw])
            if now and not was_ready:
                self.ready_at[gw].append(time.time())
            was_ready = now
            time.sleep(0.1)

    def finish(self):
        self.stop.set()
        self.proc.terminate()
        for thread in self.threads[1:]:
            thread.join()

    def gateway_times(self, gw):
        name = "%s-%s" % (self.fleet["slug"], gw)
        mine = sorted((t, status) for t, n, status in self.events if n == name)
        stop = 0.0
        kill = None
        for stamp, status in mine:
            if status == "kill" and kill is None:
                kill = stamp
            elif status == "die" and kill is not None:
                stop += stamp - kill
                kill = None
        starts = [stamp for stamp, status in mine if status == "start"]
        if not starts:
            return None
        after = [t for t in self.ready_at[gw] if t >= starts[-1]]
        if not after:
            return None
        return {"stop_s": stop, "start_to_ready_s": after[0] - starts[-1],
                "stops": sum(1 for dummy, s in mine if s == "die")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gateways", type=int, default=3)
    args = parser.parse_args()
    base = tempfile.mkdtemp(prefix="clawops-bench-update-")
    fleet = make_fleet(base, args.gateways)
    try:
        deploy = playbook(fleet["inventory"], fleet["events"], "playbooks/site.yml")

        write(fleet["fleet_dir"], "templates/org.json5", ORG_TEMPLATE % ("debug", ""))
        observer = Observer(fleet)
        hot = playbook(fleet["inventory"], fleet["events"], "playbooks/update.yml")
        observer.finish()
        restarted = [gw for gw in fleet["gateways"] if observer.gateway_times(gw)]
        if restarted:
            sys.exit("the hot change restarted %s" % restarted)

        def timed_update(*extra):
            observer = Observer(fleet)
            time.sleep(1)
            total = playbook(fleet["inventory"], fleet["events"], "playbooks/update.yml", *extra)
            time.sleep(0.5)
            observer.finish()
            per = {gw: observer.gateway_times(gw) for gw in fleet["gateways"]}
            if any(v is None for v in per.values()):
                sys.exit("a gateway was not seen restarting and becoming ready: %s" % per)
            own = sum(v["stop_s"] + v["start_to_ready_s"] for v in per.values())
            return {"total_s": round(total, 1),
                    "per_gateway": {gw: {k: round(v, 1) if isinstance(v, float) else v
                                         for k, v in times.items()}
                                    for gw, times in per.items()},
                    "gateway_own_s_total": round(own, 1),
                    "overhead_s_per_gateway": round((total - own) / args.gateways, 1)}

        write(fleet["fleet_dir"], "templates/org.json5", ORG_TEMPLATE % ("debug", RESTART_PART))
        restart = timed_update()
        current = subprocess.run(["docker", "inspect", "-f", "{{.Config.Image}}",
                                  "%s-%s" % (fleet["slug"], fleet["gateways"][0])],
                                 capture_output=True, text=True, check=True).stdout.strip()
        retag = "localhost/clawops/openclaw:bench-retag-%d" % os.getpid()
        subprocess.run(["docker", "tag", current, retag], check=True)
        image = timed_update("-e", "clawops_update_image=%s" % retag)
        # the same image again: without it, update.yml would go back to the fleet's image
        noop = playbook(fleet["inventory"], fleet["events"], "playbooks/update.yml",
                        "-e", "clawops_update_image=%s" % retag)
        # agent onboarding on the canary: one command, definition edit to gate passed
        agent_add = playbook(fleet["inventory"], fleet["events"], "playbooks/agent.yml",
                             "-e", "gateway=gw-0", "-e", "agent_id=bench-agent",
                             "-e", '{"agent": {"kind": "usecase", "name": "Bench"}}')
        agent_remove = playbook(fleet["inventory"], fleet["events"], "playbooks/agent.yml",
                                "-e", "gateway=gw-0", "-e", "agent_id=bench-agent",
                                "-e", "agent_state=absent")
        print(json.dumps({
            "gateways": args.gateways, "site_deploy_s": round(deploy, 1),
            "hot_config_update": {"total_s": round(hot, 1),
                                  "per_gateway_s": round(hot / args.gateways, 1)},
            "restart_config_update": restart, "image_update": image,
            "noop_update_s": round(noop, 1),
            "agent_add_s": round(agent_add, 1), "agent_remove_s": round(agent_remove, 1)},
            indent=2))
        subprocess.run(["docker", "rmi", retag], capture_output=True, check=False)
    finally:
        subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", fleet["inventory"],
                        "playbooks/lifecycle.yml", "-e", "action=absent", "-e", "confirm_all=true"],
                       cwd=ROOT, env=ENV, capture_output=True, check=False)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
