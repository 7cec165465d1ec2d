# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The modules' HTTP GET (Ansible's ``open_url``: proxies, CA settings), for the gateway
client's probes. Operations code: the fleet core never imports it."""

from __future__ import annotations

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import open_url


def http_get(url, headers=None, timeout=10):
    """The body of ``url`` whatever the status (a 503 /readyz answers JSON too); None when
    nothing answers."""
    try:
        return open_url(url, headers=headers or {}, timeout=timeout,
                        follow_redirects="none").read()
    except HTTPError as err:
        return err.read()
    except (URLError, OSError, ValueError):
        return None
