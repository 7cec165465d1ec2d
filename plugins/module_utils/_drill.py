# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Restore drills (playbooks/drill.yml, docs/operations.md): a gateway's latest backup
restored into a scratch instance beside it, gated, compared with its source, torn down.

The scratch instance: the gateway's own workload under another name (``<instance>-drill``),
every channel off (it must not answer anyone's messages), reached only from inside (the
gate probes it in its container or pod). Compose: its data below a scratch directory on the
Docker host, the gateway's env file, no published port. Kubernetes: its own objects and
state claim in the gateway's namespace, the restored tree pushed into the claim from the
controller.

Pure: no Ansible, no Docker.
"""

from __future__ import annotations

import json
import os

from ._paths import below

SUFFIX = "-drill"


class DrillError(Exception):
    """A drill that cannot be set up (names what and why)."""


def drill_runtime(runtime, scratch):
    """The runtime of the scratch instance of a Compose gateway's ``runtime``, its data below
    ``scratch``. Sidecar model backends are left out (the drill uses the shared ones), and
    so is a hosted gateway's TLS proxy (the scratch instance takes no traffic)."""
    if runtime.get("provider") != "compose" or "host_paths" not in runtime:
        raise DrillError("%s is not a Compose gateway" % runtime.get("instance"))
    scratch = scratch.rstrip("/")
    host = dict(runtime["host_paths"])
    host.update({
        "root": scratch, "home": scratch + "/home", "state_dir": scratch + "/state",
        "workspace_root": scratch + "/workspaces", "logs_dir": scratch + "/logs",
        "log_file": scratch + "/logs/openclaw.log", "config_dir": scratch + "/config",
        "config_path": scratch + "/config/openclaw.json",
    })
    instance = runtime["instance"] + SUFFIX
    endpoint = dict(runtime.get("endpoint") or {}, instance=instance, address=None, url=None)
    backends = [b for b in runtime.get("backends") or [] if not (b.get("run") or {}).get("sidecar")]
    labels = {"clawops.drill-of": runtime["instance"]}
    return dict(runtime, instance=instance, host_paths=host, endpoint=endpoint,
                backends=backends, labels=labels, hosted=None,
                publish_address=runtime.get("publish_address") or "127.0.0.1")


def k8s_drill_runtime(runtime, staging):
    """The runtime of the scratch instance of a Kubernetes gateway's ``runtime``: its own
    objects in the gateway's namespace (``<instance>-drill`` names, its own state claim, the
    instance label the Deployment, Service and removal select by, and
    ``clawops.dev/drill-of``), no Ingress, no cluster role, no ingress but from the pod
    itself (the gate execs into it), nothing adopted (the source's claim, labels and
    annotations stay the source's); the restored tree and the pack pushed into the claim
    below ``staging`` on the controller."""
    from ._render import k8s_object_names  # pylint: disable=import-outside-toplevel
    if runtime.get("provider") != "k8s" or "k8s" not in runtime:
        raise DrillError("%s is not a Kubernetes gateway" % runtime.get("instance"))
    instance = runtime["instance"] + SUFFIX
    names = k8s_object_names(instance)
    k8s = dict(runtime["k8s"])
    k8s.update(names=names, adopted_pvc=False, extra_labels={}, annotations={},
               cluster_read=False, cluster_rules=[], cluster_rules_write=False,
               ingress_namespaces=[], ingress_all_namespaces=False, dedicated_namespace=False,
               labels=dict(k8s["labels"], **{"app.kubernetes.io/instance": instance,
                                             "clawops.dev/drill-of": runtime["instance"]}))
    endpoint = dict(runtime.get("endpoint") or {}, instance=instance,
                    deployment=names["deployment"],
                    url="http://%s.%s.svc:%d/" % (names["service"], k8s["namespace"],
                                                  runtime["port"]))
    paths = dict(runtime["controller_paths"], staging_dir=staging.rstrip("/"))
    backends = [b for b in runtime.get("backends") or [] if not (b.get("run") or {}).get("sidecar")]
    return dict(runtime, instance=instance, k8s=k8s, endpoint=endpoint, backends=backends,
                hosted=None, exposure="loopback", controller_paths=paths)


def drill_project(project, source_instance):
    """The scratch instance's Compose project from the one ``compose_project`` renders for
    its runtime: no published port, no restart policy (it lives for the drill only), and the
    source's hostname - as the gateway restored in place would have: OpenClaw's owner lease
    in the restored state names the host and process that held it, and only on the same
    host can a new process see that the holder is gone and take the lease over (on another,
    the lease blocks the start until it expires)."""
    service = project["services"]["gateway"]
    service.pop("ports", None)
    service["restart"] = "no"
    service["hostname"] = source_instance
    return project


def drill_config(text):
    """The restored openclaw.json with every channel turned off (the scratch instance must
    not take messages meant for its source)."""
    try:
        config = json.loads(text)
    except ValueError as exc:
        raise DrillError("the restored openclaw.json is not JSON: %s" % exc)
    for channel in (config.get("channels") or {}).values():
        if isinstance(channel, dict):
            channel["enabled"] = False
    return json.dumps(config, indent=2, sort_keys=True) + "\n"


def expected_agents(config_text):
    """The agent ids the restored config declares (``agents.entries``)."""
    try:
        config = json.loads(config_text)
    except ValueError:
        return []
    entries = ((config.get("agents") or {}).get("entries")) or {}
    if isinstance(entries, dict):
        return sorted(entries)
    return sorted(e.get("id") for e in entries if isinstance(e, dict) and e.get("id"))


def compare(expected, live, restored_files, source_files):
    """What the drill proves: the scratch instance runs the agents its restored config
    declares, and how its workspace files differ from the source's now (what changed since
    the backup - the RPO made concrete)."""
    live_ids = sorted(a.get("id") for a in live or [] if isinstance(a, dict) and a.get("id"))
    changed = sorted(p for p in set(restored_files) & set(source_files) if restored_files[p] != source_files[p])
    return {
        "agents": {"expected": sorted(expected), "live": live_ids,
                   "missing": sorted(set(expected) - set(live_ids))},
        "files": {"restored": len(restored_files), "same": len(restored_files) - len(changed)
                  - len(set(restored_files) - set(source_files)),
                  "changed_since_backup": changed,
                  "only_in_backup": sorted(set(restored_files) - set(source_files)),
                  "only_in_source": sorted(set(source_files) - set(restored_files))},
        "ok": bool(expected) and not set(expected) - set(live_ids),
    }


def controller_path(path):
    """A path of a Kubernetes gateway's runtime on the controller (its ``controller_paths``
    may start with ``~``)."""
    return os.path.expanduser(path or "")


def check_scratch(scratch, root):
    """The scratch directory must lie below the gateway's own directory (it is removed with
    everything in it)."""
    if not root or not below(os.path.realpath(scratch), os.path.realpath(root)):
        raise DrillError("the scratch directory %s must be below the gateway's directory %s"
                         % (scratch, root))
