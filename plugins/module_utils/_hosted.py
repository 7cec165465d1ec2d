# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hosted gateways: one gateway on its own domain behind TLS (docs/hosted.md).

Written once here: the hosted spec of a gateway (domain, origin, the proxy's address on the
private network it shares with the gateway, limits, TLS references) and the reverse proxy's
configuration. The renderer puts the spec in ``clawops_runtime.hosted``, the managed config
takes ``origin`` and ``proxy_address`` from it, ``_workload.compose_project`` adds the proxy
service from it, and ``_k8s_manifests`` the Ingress.
"""

from __future__ import annotations

import ipaddress

PROXY_SERVICE = "proxy"
PROXY_LISTEN = 8443          # inside the proxy's container (no capability to bind below 1024)
PROXY_UID = 65532
PROXY_DIR = "/etc/clawops/proxy"  # the proxy's configuration and TLS files (read-only mount)
DERIVED_NET = ipaddress.ip_network("10.217.0.0/16")
DEFAULTS = {"port": 443, "address": "0.0.0.0", "max_body": "1m", "rate": 20,  # nosec B104
            "burst": 40}


class HostedProblem(ValueError):
    """A hosted setting that cannot work (the renderer turns it into a fleet error)."""


def derived_subnet(port):
    """The /28 of ``DERIVED_NET`` a gateway's proxy network uses unless the fleet names one:
    from the gateway's port, so gateways of one host (distinct ports) mostly differ; preflight
    refuses two equal subnets on one host."""
    index = port % (DERIVED_NET.num_addresses // 16)
    return str(ipaddress.ip_network((int(DERIVED_NET.network_address) + index * 16, 28)))


def spec(settings, gateway_id, org_slug, port, provider):
    """The hosted spec of a gateway from its merged ``hosted`` setting."""
    missing = [key for key in ("domain", "tls") if not settings.get(key)]
    if missing:
        raise HostedProblem("hosted has no %s (neither here nor in a group's or fleet.yml's "
                            "defaults)" % " and no ".join(missing))
    found = dict(DEFAULTS)
    found.update({key: value for key, value in settings.items() if key != "tls"})
    domain = settings["domain"].replace("{gateway}", gateway_id).replace("{org}", org_slug)
    if "{" in domain or "}" in domain or ".." in domain or len(domain) > 253:
        raise HostedProblem("domain %r is not a domain name: only {gateway} and {org} are "
                            "replaced" % domain)
    subnet = ipaddress.ip_network(found.get("subnet") or derived_subnet(port), strict=False)
    if subnet.prefixlen > 28:
        raise HostedProblem("subnet %s is smaller than a /28" % subnet)
    listen_port = found["port"] if provider == "compose" else 443
    origin = "https://%s%s" % (domain, "" if listen_port == 443 else ":%d" % listen_port)
    return {
        "domain": domain, "origin": origin, "port": found["port"],
        "address": found["address"], "subnet": str(subnet),
        # the last usable address: Docker hands out the low ones (.1 is the bridge's own,
        # .2 goes to the first container that joins - the gateway)
        "proxy_address": str(subnet.broadcast_address - 1),
        "max_body": str(found["max_body"]), "rate": found["rate"], "burst": found["burst"],
        "ingress_class": found.get("ingress_class"),
        "tls": {"cert": settings["tls"]["cert"], "key": settings["tls"]["key"]},
        "service": PROXY_SERVICE, "listen": PROXY_LISTEN, "uid": PROXY_UID, "dir": PROXY_DIR,
    }


def nginx_conf(hosted, upstream_host, upstream_port):
    """The proxy's nginx.conf: TLS for the gateway's domain only (any other name is refused in
    the handshake), a body limit, a per-client rate limit, WebSocket upgrades, and forwarded
    headers that overwrite what a client sent (OpenClaw trusts X-Forwarded-For from this
    proxy's address only). Access lines carry the path without its query string."""
    values = dict(hosted, upstream="%s:%d" % (upstream_host, upstream_port))
    return """# written by clawops.orchestrator (docs/hosted.md) - changes are overwritten
worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
    server_tokens off;
    log_format clawops '$remote_addr [$time_iso8601] "$request_method $uri" $status '
                       '$body_bytes_sent $request_time';
    access_log /dev/stdout clawops;
    client_body_temp_path /tmp/client_body;
    proxy_temp_path /tmp/proxy;
    fastcgi_temp_path /tmp/fastcgi;
    uwsgi_temp_path /tmp/uwsgi;
    scgi_temp_path /tmp/scgi;
    client_max_body_size %(max_body)s;
    limit_req_zone $binary_remote_addr zone=perclient:10m rate=%(rate)dr/s;
    limit_req_status 429;
    map $http_upgrade $connection_upgrade { default upgrade; '' close; }
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:tls:1m;
    server {
        listen %(listen)d ssl default_server;
        ssl_reject_handshake on;
    }
    server {
        listen %(listen)d ssl;
        server_name %(domain)s;
        ssl_certificate %(dir)s/tls.crt;
        ssl_certificate_key %(dir)s/tls.key;
        add_header Strict-Transport-Security "max-age=31536000" always;
        location / {
            limit_req zone=perclient burst=%(burst)d nodelay;
            proxy_pass http://%(upstream)s;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Forwarded-Host $host;
            proxy_read_timeout 3600s;
            proxy_send_timeout 3600s;
        }
    }
}
""" % values
