# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet's metrics: who is scraped with which labels, and what a probe of one gateway
becomes in Prometheus' text format (docs/observability.md).

OpenClaw has no core ``/metrics``; its ``diagnostics-prometheus`` plugin is installed from
ClawHub only. The collection's exporter (``_exporter``, run on the controller or the Docker
host) answers ``/probe?gateway=<id>`` for each gateway of the fleet: the gateway's probes
read live with its own token, and what only the collection knows read from its records -
the last backup, the archives' integrity, the last drill, declared vs live agents. The
fleet's labels come from here and nowhere else, into Prometheus' target file.

Pure: no Ansible, no I/O beyond reading the records a caller names.
"""

from __future__ import annotations

import json
import math
import os
import re

from ._files import write_atomic

# the labels every series of a gateway carries, in this order
LABELS = ("org", "group", "gateway", "profile", "trust_level", "wave", "provider")
PROBE_PATH = "/probe"
FACT_KINDS = ("integrity", "drill", "agents")
_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$", re.IGNORECASE)
_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


class MetricsError(Exception):
    """A target or record the exporter cannot use (names what and where)."""


def fleet_labels(gateway, provider):
    """The labels of one gateway from the inventory's ``clawops_gateway`` (``group``: its
    groups, comma-separated)."""
    return {
        "org": gateway.get("org_slug") or gateway.get("org_id") or "",
        "group": ",".join(gateway.get("groups") or []),
        "gateway": gateway["id"],
        "profile": gateway.get("profile") or "",
        "trust_level": gateway.get("trust_level") or "",
        "wave": str(gateway.get("wave", "")),
        "provider": provider,
    }


def enabled_channels(config):
    """The channels a rendered openclaw.json enables (an entry without ``enabled`` is on)."""
    return sorted(name for name, conf in ((config or {}).get("channels") or {}).items()
                  if isinstance(conf, dict) and conf.get("enabled", True) is not False)


def _expand(path):
    return os.path.expanduser(path) if path else path


def target(gateway, runtime, config, token_file, facts_dir):
    """One gateway's entry of the exporter's configuration: where it answers, the file that
    holds its token (0600, never the token itself), its channels (from the rendered config),
    its labels and the records the exporter reads."""
    endpoint = runtime.get("endpoint") or {}
    return {
        "url": endpoint.get("url"),
        # a pod is probed inside it (its Service is the cluster's only): how to reach it
        "endpoint": endpoint if endpoint.get("provider") == "k8s" else None,
        "token_file": token_file,
        "instance": runtime.get("instance"),
        "channels": enabled_channels(config),
        # a Kubernetes gateway's records are on the controller ('~' is its user's home)
        "backups_dir": _expand((runtime.get("records") or {}).get("backups_dir")),
        "facts_dir": facts_dir,
        "labels": fleet_labels(gateway, runtime.get("provider") or ""),
    }


def keep_others(previous_text, targets, skipped=()):
    """The targets of a run limited to some gateways, plus the gateways the exporter's
    previous configuration (``previous_text``, its exporter.json) had and this run did not
    see - a limited run must not drop them from the exporter and Prometheus."""
    try:
        previous = (json.loads(previous_text or "{}") or {}).get("gateways") or {}
    except (ValueError, AttributeError):
        previous = {}
    kept = dict((gid, entry) for gid, entry in previous.items()
                if gid not in targets and gid not in skipped and isinstance(entry, dict)
                and isinstance(entry.get("labels"), dict))
    kept.update(targets)
    return kept


def file_sd(targets, exporter):
    """Prometheus ``file_sd_configs`` content: one target group per gateway, all scraped at
    the exporter (``exporter`` = host:port) with ``gateway`` as the probe's parameter and
    the gateway id as ``instance``."""
    groups = []
    for gateway_id in sorted(targets):
        labels = dict(targets[gateway_id]["labels"])
        labels.update({"instance": gateway_id, "__param_gateway": gateway_id})
        groups.append({"targets": [exporter], "labels": labels})
    return groups


def prometheus_config(sd_file, exporter, interval="30s", evaluation="30s", rules_file=None,
                      alertmanagers=()):
    """A complete prometheus.yml: the gateways' job (``clawops``: one target per gateway from
    ``sd_file``, scraped at the exporter's ``/probe``), the exporter's own job, the rule file
    and the Alertmanagers. Scalars are JSON strings, which YAML reads as they are."""
    q = json.dumps
    lines = [
        "# written by clawops.orchestrator.fleet_observability (playbooks/observability.yml)",
        "global:",
        "  scrape_interval: %s" % q(interval),
        "  evaluation_interval: %s" % q(evaluation),
    ]
    if rules_file:
        lines += ["rule_files:", "  - %s" % q(rules_file)]
    if alertmanagers:
        lines += ["alerting:", "  alertmanagers:", "    - static_configs:", "        - targets:"]
        lines += ["            - %s" % q(address) for address in alertmanagers]
    lines += [
        "scrape_configs:",
        "  - job_name: clawops",
        "    scrape_interval: %s" % q(interval),
        "    metrics_path: %s" % q(PROBE_PATH),
        "    file_sd_configs:",
        "      - files: [%s]" % q(sd_file),
        "  - job_name: clawops-exporter",
        "    static_configs:",
        "      - targets: [%s]" % q(exporter),
    ]
    return "\n".join(lines) + "\n"


# --- the text format ------------------------------------------------------------------------

def _escape(value):
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "+Inf" if value > 0 else "-Inf"
        return repr(value)
    return str(int(value))


class Family(object):
    """One metric family: name, type, help and its samples (labels, value)."""

    def __init__(self, name, kind, text):
        if not _NAME.match(name):
            raise MetricsError("metric name %r is not valid" % name)
        self.name, self.kind, self.text, self.samples = name, kind, text, []

    def add(self, labels, value):
        for key in labels:
            if not _LABEL.match(key) or key.startswith("__"):
                raise MetricsError("label name %r of %s is not valid" % (key, self.name))
        self.samples.append((labels, value))
        return self


def render(families):
    """Prometheus text exposition format 0.0.4 of ``families`` (families without samples
    are left out)."""
    lines = []
    for family in families:
        if not family.samples:
            continue
        lines.append("# HELP %s %s" % (family.name, family.text.replace("\\", "\\\\").replace("\n", " ")))
        lines.append("# TYPE %s %s" % (family.name, family.kind))
        for labels, value in family.samples:
            text = ",".join('%s="%s"' % (key, _escape(labels[key])) for key in labels)
            lines.append("%s{%s} %s" % (family.name, text, _number(value)) if text
                         else "%s %s" % (family.name, _number(value)))
    return "\n".join(lines) + "\n"


def parse(text):
    """The samples of an exposition text as {(name, frozenset(labels)): value} (tests and the
    report read the exporter back with it)."""
    found = {}
    pattern = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$')
    pair = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = pattern.match(line)
        if not match:
            raise MetricsError("not an exposition line: %r" % line[:120])
        labels = frozenset((key, re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), value))
                           for key, value in pair.findall(match.group(2) or ""))
        found[(match.group(1), labels)] = float(match.group(3))
    return found


# --- what a probe becomes -------------------------------------------------------------------

def _read_json(path):
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise MetricsError("cannot read %s: %s" % (path, exc))
    return data if isinstance(data, dict) else None


def fact_path(facts_dir, kind, gateway_id):
    """Where a job records what it found for one gateway (integrity, drill, agents)."""
    if kind not in FACT_KINDS:
        raise MetricsError("unknown record kind %r (one of %s)" % (kind, ", ".join(FACT_KINDS)))
    if not _ID.match(gateway_id or ""):
        raise MetricsError("%r is not a gateway id" % (gateway_id,))
    return os.path.join(facts_dir, kind, "%s.json" % gateway_id)


def write_fact(facts_dir, kind, gateway_id, data):
    """Record what a job found for one gateway, atomically (0644: no secrets in records).
    Returns whether the file changed."""
    path = fact_path(facts_dir, kind, gateway_id)
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    try:
        with open(path, encoding="utf-8") as handle:
            if handle.read() == text:
                return False
    except OSError:
        pass
    write_atomic(path, text)
    return True


def read_fact(facts_dir, kind, gateway_id):
    """One record of one gateway (None: none yet); MetricsError for one that does not read."""
    return _read_json(fact_path(facts_dir, kind, gateway_id))


def read_facts(entry, gateway_id):
    """The records of one gateway: {kind: dict or None}."""
    facts_dir = entry.get("facts_dir")
    if not facts_dir:
        return dict.fromkeys(FACT_KINDS)
    return dict((kind, read_fact(facts_dir, kind, gateway_id)) for kind in FACT_KINDS)


def probe_families(entry, health, ready, seconds, archives=None, facts=None):
    """The families of one gateway's probe (without the fleet's labels: see file_sd).

    ``health``/``ready``: the JSON of ``/healthz`` and the authenticated ``/readyz`` (None:
    no answer); ``archives``: [(name, unix time)] of its backups (None: not readable here);
    ``facts``: read_facts(). Channels are the ones its config enables: ready unless
    ``/readyz`` names them failing.
    """
    # the fleet's labels are the target's (file_sd): Prometheus attaches them to every
    # sample, so the samples carry only their own (component, channel)
    up = isinstance(health, dict) and health.get("ok") is not False
    answered = isinstance(ready, dict)
    families = []

    def family(name, kind, text):
        families.append(Family(name, kind, text))
        return families[-1]

    family("clawops_gateway_up", "gauge",
           "1 when the gateway answers /healthz").add({}, up)
    family("clawops_gateway_probe_duration_seconds", "gauge",
           "Seconds the probes of this scrape took").add({}, round(seconds, 4))
    if answered:
        failing = [str(item) for item in ready.get("failing") or []]
        family("clawops_gateway_ready", "gauge",
               "1 when /readyz says ready").add({}, ready.get("ready") is True)
        fail = family("clawops_gateway_failing", "gauge",
                      "Components /readyz names failing (1 each)")
        for component in sorted(set(failing)):
            fail.add({"component": component}, 1)
        chan = family("clawops_channel_ready", "gauge",
                      "1 when a channel the config enables is not among /readyz's failing")
        for channel in entry.get("channels") or []:
            chan.add({"channel": channel}, channel not in failing)
        if ready.get("uptimeMs") is not None:
            family("clawops_gateway_uptime_seconds", "gauge",
                   "Seconds since the gateway process started (/readyz uptimeMs)").add(
                {}, round(float(ready["uptimeMs"]) / 1000.0, 3))
    elif up:
        # up but /readyz gave nothing usable (no token, or refused it): say so, do not guess
        family("clawops_gateway_ready", "gauge", "1 when /readyz says ready").add({}, 0)
    if archives is not None:
        family("clawops_backup_archives", "gauge",
               "Backup archives of the gateway on this host").add({}, len(archives))
        if archives:
            family("clawops_backup_last_timestamp_seconds", "gauge",
                   "Unix time of the newest backup archive").add({}, max(t for dummy, t in archives))
    facts = facts or {}
    integrity = facts.get("integrity")
    if integrity:
        family("clawops_backup_integrity_last_run_timestamp_seconds", "gauge",
               "Unix time the integrity job last checked the archives").add({}, integrity.get("time", 0))
        family("clawops_backup_integrity_checked", "gauge",
               "Archives the last integrity run checked").add({}, integrity.get("checked", 0))
        family("clawops_backup_integrity_failures", "gauge",
               "Archives the last integrity run refused").add({}, len(integrity.get("failed") or []))
    drill = facts.get("drill")
    family("clawops_drill_last_timestamp_seconds", "gauge",
           "Unix time of the last restore drill (0: never)").add({}, (drill or {}).get("time", 0))
    if drill:
        family("clawops_drill_last_success", "gauge",
               "1 when the last restore drill passed").add({}, drill.get("ok") is True)
        for key, name, text in (("rto_s", "clawops_drill_rto_seconds", "Measured RTO of the last drill"),
                                ("rpo_s", "clawops_drill_rpo_seconds", "Backup age (RPO) at the last drill")):
            if drill.get(key) is not None:
                family(name, "gauge", text).add({}, float(drill[key]))
    agents = facts.get("agents")
    if agents:
        family("clawops_agents_declared", "gauge",
               "Agents the fleet declares").add({}, len(agents.get("agents_declared") or []))
        family("clawops_agents_live", "gauge",
               "Agents the gateway reported at the last status run").add({}, len(agents.get("agents_live") or []))
        family("clawops_agents_drift", "gauge",
               "Agents declared but not live plus live but not declared, at the last status run").add(
            {}, len(agents.get("agents_missing") or []) + len(agents.get("agents_extra") or []))
        family("clawops_agents_checked_timestamp_seconds", "gauge",
               "Unix time of the last status run that compared agents").add({}, agents.get("time", 0))
    return families
