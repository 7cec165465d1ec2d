# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet's Prometheus exporter (docs/observability.md): a multi-target exporter in the
style of the blackbox exporter, run where the gateways' published addresses are reachable
(the Docker host; the controller when they are the same machine).

    python3 -m ansible_collections.clawops.orchestrator.plugins.plugin_utils._exporter \\
        --config /var/lib/clawops/observability/exporter.json --listen 127.0.0.1:9464

``GET /probe?gateway=<id>``: that gateway's series (``_metrics.probe_families``), probed at
scrape time with the token in its 0600 token file; ``GET /metrics``: the exporter's own;
``GET /-/healthy``. The configuration is the file ``playbooks/observability.yml`` writes,
read again whenever it changes. Standard library only for Compose gateways, so the
controller's Python runs it; a Kubernetes gateway (an entry with its ``endpoint``) is probed
inside its pod through the gateway client (an exec through the Kubernetes API: the
``kubernetes`` library and the cluster's kubeconfig), as the health gate does.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from ansible_collections.clawops.orchestrator.plugins.module_utils import _backup, _metrics
from ansible_collections.clawops.orchestrator.plugins.module_utils._gateway_client import parse_probe
from ansible_collections.clawops.orchestrator.plugins.module_utils._workload import PROBE_PATHS

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def http_json(url, path, token=None, timeout=5.0):
    """The JSON object ``url``+``path`` answers (any status: a 503 /readyz answers JSON),
    None when nothing usable answers."""
    parts = urlsplit(url)
    conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_class(parts.hostname, parts.port, timeout=timeout)
    try:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        conn.request("GET", (parts.path.rstrip("/") or "") + path, headers=headers)
        body = conn.getresponse().read(1 << 20)
    except (OSError, http.client.HTTPException, ValueError):
        return None
    finally:
        conn.close()
    return parse_probe(body.decode("utf-8", "replace"))


def _token(entry):
    path = entry.get("token_file")
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip() or None
    except OSError:
        return None


def _archives(entry):
    directory, instance = entry.get("backups_dir"), entry.get("instance")
    if not directory or not os.path.isdir(directory):
        return None
    found = []
    for item in _backup.list_archives(directory, instance):
        made = _backup.archive_time(item["name"], instance)
        if made is not None:
            found.append((item["name"], made.timestamp()))
    return found


class Exporter(object):
    """The configuration (reloaded when its file changes) and the probes."""

    def __init__(self, config_path, timeout=5.0, connect=None):
        """``connect(endpoint)``: the gateway client of a pod (default
        ``_gateway_client.connect``, imported only when a Kubernetes gateway is probed)."""
        self.path, self.timeout = config_path, timeout
        self.lock = threading.Lock()
        self.stamp, self.config = None, {"gateways": {}}
        self.counts = {"probes": 0, "errors": 0}
        self.connect, self.clients = connect, {}

    def _pod_probes(self, gateway_id, endpoint):
        """(/healthz, /readyz) answers of a Kubernetes gateway, asked in its pod (the pod's
        own token for /readyz); (None, None) when it cannot be asked."""
        key = json.dumps(endpoint, sort_keys=True)
        try:
            client = self.clients.get(gateway_id)
            if client is None or client[0] != key:
                connect = self.connect
                if connect is None:
                    from ansible_collections.clawops.orchestrator.plugins.module_utils._gateway_client import (  # pylint: disable=import-outside-toplevel
                        connect)
                client = (key, connect(endpoint))
                self.clients[gateway_id] = client
            timeout = max(int(self.timeout), 1)
            client[1].state()  # the pod of the current template (pods come and go)
            health = client[1].probe("live", timeout=timeout)
            ready = client[1].probe("ready", timeout=timeout) if health is not None else None
            return health, ready
        except Exception:  # pylint: disable=broad-exception-caught
            # a cluster that does not answer is a gateway that does not answer (up 0)
            self.clients.pop(gateway_id, None)
            return None, None

    def gateways(self):
        with self.lock:
            try:
                stat = os.stat(self.path)
                stamp = (stat.st_mtime_ns, stat.st_size)
                if stamp != self.stamp:
                    with open(self.path, encoding="utf-8") as handle:
                        config = json.load(handle)
                    if not isinstance(config.get("gateways"), dict):
                        raise ValueError("no 'gateways' object")
                    self.config, self.stamp = config, stamp
            except (OSError, ValueError) as exc:
                self.counts["errors"] += 1
                if self.stamp is None:
                    raise _metrics.MetricsError("cannot read the exporter configuration %s: %s "
                                                "(write it with playbooks/observability.yml)" % (self.path, exc))
            return self.config["gateways"]

    def probe(self, gateway_id):
        entry = self.gateways().get(gateway_id)
        if entry is None:
            return None
        began = time.monotonic()
        url = entry.get("url") or ""
        if entry.get("endpoint"):
            health, ready = self._pod_probes(gateway_id, entry["endpoint"])
        else:
            health = http_json(url, PROBE_PATHS["live"], timeout=self.timeout) if url else None
            ready = http_json(url, PROBE_PATHS["ready"], _token(entry), self.timeout) if health is not None else None
        seconds = time.monotonic() - began
        with self.lock:
            self.counts["probes"] += 1
        families = _metrics.probe_families(entry, health, ready, seconds, _archives(entry),
                                           _metrics.read_facts(entry, gateway_id))
        return _metrics.render(families)

    def own(self):
        families = [
            _metrics.Family("clawops_exporter_probes_total", "counter", "Probes answered").add(
                {}, self.counts["probes"]),
            _metrics.Family("clawops_exporter_config_errors_total", "counter",
                            "Failed reads of the configuration").add({}, self.counts["errors"]),
            _metrics.Family("clawops_exporter_gateways", "gauge", "Gateways configured").add(
                {}, len(self.config.get("gateways") or {})),
        ]
        return _metrics.render(families)


def handler_for(exporter):
    class Handler(BaseHTTPRequestHandler):
        server_version = "clawops-exporter"

        def _send(self, status, text, content_type="text/plain; charset=utf-8"):
            body = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            try:
                if parts.path == _metrics.PROBE_PATH:
                    gateway = (parse_qs(parts.query).get("gateway") or [""])[0]
                    text = exporter.probe(gateway)
                    if text is None:
                        self._send(404, "no gateway %r in %s\n" % (gateway, exporter.path))
                    else:
                        self._send(200, text, CONTENT_TYPE)
                elif parts.path == "/metrics":
                    exporter.gateways()
                    self._send(200, exporter.own(), CONTENT_TYPE)
                elif parts.path == "/-/healthy":
                    self._send(200, "ok\n")
                else:
                    self._send(404, "paths: /probe?gateway=<id>, /metrics, /-/healthy\n")
            except _metrics.MetricsError as exc:
                self._send(500, "%s\n" % exc)

        def log_message(self, *args):  # quiet: Prometheus scrapes often
            return

    return Handler


def main(argv=None):
    parser = argparse.ArgumentParser(description="The clawops fleet's Prometheus exporter")
    parser.add_argument("--config", required=True, help="exporter.json written by playbooks/observability.yml")
    parser.add_argument("--listen", default="127.0.0.1:9464", help="address:port (default 127.0.0.1:9464)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds for each probe")
    args = parser.parse_args(argv)
    host, dummy, port = args.listen.rpartition(":")
    exporter = Exporter(args.config, args.timeout)
    try:
        exporter.gateways()
        server = ThreadingHTTPServer((host or "127.0.0.1", int(port)), handler_for(exporter))
    except (_metrics.MetricsError, OSError, ValueError) as exc:
        sys.stderr.write("clawops exporter: %s\n" % exc)
        return 2
    sys.stderr.write("clawops exporter: %d gateways from %s, listening on %s\n" % (
        len(exporter.config["gateways"]), args.config, args.listen))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
