"""Deploy benchmark: the demo fleet's gateways, from `site.yml` start to all of them ready.

    .venv/bin/python benchmarks/deploy_demo.py          # the 2 Compose gateways (after scripts/demo.sh)
    .venv/bin/python benchmarks/deploy_demo.py --k8s    # all 3: also gw-research on the test
                                                        # cluster (after scripts/demo_k8s.sh)

1. removes the demo gateways (lifecycle absent; archives land under the org's _archive),
2. times `site.yml` from its start until every gateway passed the health gate, split into
   the gateways' own start time (container start -> first ready, on the run's critical path)
   and orchestration time (the rest: preflight, image check, files, secrets, plugin installs,
   compose up / server-side apply, doctor and health in the gate, revision record),
3. times a no-op re-run (changed=0 expected) of `site.yml`.
The image must exist already (its cold build is reported by the image role tests); for
`--k8s` the cluster runs and the demo's OpenBao holds gw-research's references.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
CLUSTER = os.path.join(ROOT, "tests", "k8s", "cluster.sh")
ENV = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"),
           ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1")
for name, value in (("ACME_ANTHROPIC_API_KEY", "placeholder-anthropic-key"),
                    ("ACME_SUPPORT_SLACK_BOT_TOKEN", "placeholder-slack-bot"),
                    ("ACME_SUPPORT_SLACK_APP_TOKEN", "placeholder-slack-app"),
                    ("ACME_SUPPORT_TELEGRAM_TOKEN", "placeholder-telegram")):
    ENV.setdefault(name, value)
COMPOSE = ("acme-gw-people", "acme-gw-support")
K8S = ("acme-gw-research",)
K8S_NAMESPACE = "acme-gateways"


def cluster(*args):
    return subprocess.run(["bash", CLUSTER] + list(args), capture_output=True, text=True,
                          check=True).stdout.strip()


def k8s_env():
    """KUBECONFIG, the image load command and the demo OpenBao (scripts/demo_k8s.sh)."""
    token_file = os.path.expanduser("~/.clawops/demo-bao.token")
    if not os.path.exists(token_file):
        sys.exit("run scripts/demo_k8s.sh once first (cluster, OpenBao, gw-research's secrets)")
    with open(token_file, encoding="utf-8") as handle:
        token = handle.read().strip()
    ENV.update(KUBECONFIG=cluster("env").split("=", 1)[1],
               VAULT_ADDR=ENV.get("VAULT_ADDR", "http://127.0.0.1:18201"), VAULT_TOKEN=token)
    return ["-e", json.dumps({"gateway_k8s_image_load": "%s import-image {image}" % CLUSTER})]


def playbook(*args):
    start = time.time()
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook")] + list(args), cwd=ROOT,
                          env=ENV, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit("ansible-playbook %s failed:\n%s" % (" ".join(args), proc.stdout[-3000:]))
    return time.time() - start, proc.stdout


def stamp(text):
    text = re.sub(r"\.(\d{6})\d*", r".\1", text.strip()).replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(text).timestamp()


def kubectl(*args):
    binary = os.path.join(cluster("bin"), "kubectl")
    return json.loads(subprocess.run([binary, "-n", K8S_NAMESPACE, "-o", "json"] + list(args),
                                     env=ENV, capture_output=True, text=True, check=True).stdout)


def gateway_times(instance, ready_at):
    """(container start, first ready) of a gateway's current container.

    Compose: Docker's StartedAt, and the first /readyz `ready: true` the 100 ms probe saw
    after it. K8s: the pod's gateway container startedAt, and the pod's Ready condition
    (its readiness probe asserts the /readyz body; the startup probe runs every 5 s).
    """
    if instance in COMPOSE:
        start = stamp(subprocess.run(["docker", "inspect", "-f", "{{.State.StartedAt}}",
                                      instance], capture_output=True, text=True,
                                     check=True).stdout)
        after = [t for t in ready_at[instance] if t >= start]
        return start, (after[0] if after else None)
    pods = kubectl("get", "pods", "-l", "app.kubernetes.io/instance=%s" % instance)["items"]
    pod = [p for p in pods if not p["metadata"].get("deletionTimestamp")][0]
    start = [stamp(s["state"]["running"]["startedAt"]) for s in pod["status"]["containerStatuses"]
             if s["name"] == "gateway"][0]
    ready = [stamp(c["lastTransitionTime"]) for c in pod["status"]["conditions"]
             if c["type"] == "Ready" and c["status"] == "True"]
    return start, (ready[0] if ready else None)


class ReadyProbe:
    """Probes each Compose gateway's /readyz (with its token) every 100 ms from a thread."""

    def __init__(self, instances):
        self.stop, self.ready_at = threading.Event(), {i: [] for i in instances}
        self.threads = [threading.Thread(target=self._probe, args=(i,), daemon=True)
                        for i in instances]
        for thread in self.threads:
            thread.start()

    def _probe(self, instance):
        gw = instance.split("-", 1)[1]
        with open(os.path.join(ROOT, "examples", "fleet", "gateways", gw + ".yml"),
                  encoding="utf-8") as handle:
            port = int(re.search(r"^port: (\d+)", handle.read(), re.M).group(1))
        token_file = os.path.expanduser("~/.clawops/secrets/acme/%s.token" % gw)
        was_ready = False
        while not self.stop.is_set():
            ready = False
            try:
                with open(token_file, encoding="utf-8") as handle:
                    token = handle.read().strip()
                request = urllib.request.Request("http://127.0.0.1:%d/readyz" % port,
                                                 headers={"Authorization": "Bearer " + token})
                with urllib.request.urlopen(request, timeout=2) as answer:
                    ready = json.loads(answer.read()).get("ready") is True
            except (OSError, ValueError):
                pass
            if ready and not was_ready:
                self.ready_at[instance].append(time.time())
            was_ready = ready
            time.sleep(0.1)

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--k8s", action="store_true",
                        help="also the demo's Kubernetes gateway gw-research (test cluster)")
    args = parser.parse_args()
    extra = k8s_env() if args.k8s else []
    instances = COMPOSE + (K8S if args.k8s else ())
    limit = ["--limit", "all" if args.k8s else "provider_compose"]
    playbook("playbooks/lifecycle.yml", "-e", "action=absent", "-e", "confirm_all=true",
             *(limit + extra))
    probe = ReadyProbe(COMPOSE)
    total, dummy = playbook("playbooks/site.yml", *(limit + extra))
    probe.finish()
    times = {i: gateway_times(i, probe.ready_at) for i in instances}
    missing = [i for i, (dummy, ready) in times.items() if ready is None]
    if missing:
        sys.exit("no ready time seen for %s" % ", ".join(missing))
    own = {i: round(ready - start, 1) for i, (start, ready) in times.items()}
    # site.yml starts the Compose gateways together, then the Kubernetes one: the gateways'
    # own time on the run's critical path is the slowest Compose start plus the K8s start
    critical = max(own[i] for i in COMPOSE) + sum(own[i] for i in K8S if i in own)
    noop, out = playbook("playbooks/site.yml", *(limit + extra))
    changed = sorted(set(int(c) for c in re.findall(r"changed=(\d+)", out)))
    print(json.dumps({
        "gateways": list(instances),
        "site_to_all_ready_s": round(total, 1),
        "gateway_start_to_ready_s": own,
        "gateway_time_on_the_critical_path_s": round(critical, 1),
        "orchestration_s": round(total - critical, 1),
        "noop_rerun_s": round(noop, 1), "noop_changed": changed}, indent=2))
    print("gateway start to ready: container start -> first /readyz ready (Compose, 100 ms "
          "probe) or the pod's Ready condition (K8s); orchestration = the rest of site.yml "
          "(preflight, image check, files, secrets, plugin installs, compose/apply, doctor and "
          "health in the gate, revision record)")


if __name__ == "__main__":
    main()
