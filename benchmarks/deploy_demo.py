"""Deploy benchmark on the local Docker engine: the demo fleet's Compose gateways.

    .venv/bin/python benchmarks/deploy_demo.py           # needs scripts/demo.sh run once

1. removes the demo gateways (lifecycle absent; archives land in <root>/acme/_archive),
2. times `site.yml` from start until every gateway passed the health gate, split into
   gateway start time (container start -> the gate passing, the slowest gateway) and
   orchestration time (the rest: preflight, image check, files, plugin installs, compose),
3. times a no-op re-run (changed=0 expected) of `site.yml`.
The image must exist already (the cold image build is reported by the image role tests).
"""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
ENV = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"),
           ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1")
for name, value in (("ACME_ANTHROPIC_API_KEY", "placeholder-anthropic-key"),
                    ("ACME_SUPPORT_SLACK_BOT_TOKEN", "placeholder-slack-bot"),
                    ("ACME_SUPPORT_SLACK_APP_TOKEN", "placeholder-slack-app"),
                    ("ACME_SUPPORT_TELEGRAM_TOKEN", "placeholder-telegram")):
    ENV.setdefault(name, value)
INSTANCES = ("acme-gw-people", "acme-gw-support")


def playbook(*args):
    start = time.time()
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook")] + list(args), cwd=ROOT,
                          env=ENV, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit("ansible-playbook %s failed:\n%s" % (" ".join(args), proc.stdout[-3000:]))
    return time.time() - start, proc.stdout


def started_at(instance):
    out = subprocess.run(["docker", "inspect", "-f", "{{.State.StartedAt}}", instance],
                         capture_output=True, text=True, check=True).stdout.strip()
    stamp = re.sub(r"\.(\d{6})\d*", r".\1", out).replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(stamp).timestamp()


def main():
    playbook("playbooks/lifecycle.yml", "-e", "action=absent", "-e", "confirm_all=true")
    begin = time.time()
    total, out = playbook("playbooks/site.yml")
    end = begin + total
    starts = {i: started_at(i) for i in INSTANCES}
    gateway_start = max(end - s for s in starts.values())
    noop, out2 = playbook("playbooks/site.yml")
    changed = sorted(set(int(c) for c in re.findall(r"changed=(\d+)", out2)))
    print(json.dumps({"gateways": len(INSTANCES), "site_to_all_ready_s": round(total, 1),
                      "gateway_start_s": round(gateway_start, 1),
                      "orchestration_s": round(total - gateway_start, 1),
                      "noop_rerun_s": round(noop, 1), "noop_changed": changed}, indent=2))
    print("gateway_start = from the last container start to the end of the run (gate "
          "passed); orchestration = the rest of the site.yml run")


if __name__ == "__main__":
    main()
