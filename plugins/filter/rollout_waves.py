# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: rollout_waves
short_description: Order gateways into rollout waves and batch sizes
version_added: 0.1.0
description:
  - Takes a mapping of gateway host name to its rollout wave (C(clawops_gateway.wave), that is
    V(canary) or 1, 2, ...) and returns the update order (canary first, then wave 1, 2, ...,
    by name inside a wave), the batch sizes (one batch per wave) and the waves.
  - With O(serial) the batches are that C(serial) list instead (e.g. V([1, "25%", "100%"])).
positional: _input
options:
  _input:
    description: Gateway host name to wave.
    type: dict
    required: true
  serial:
    description: A C(serial) list to use instead of one batch per wave.
    type: list
    elements: raw
"""

EXAMPLES = r"""
- name: Plan the waves of the hosts of this play
  ansible.builtin.set_fact:
    waves: >-
      {{ dict(ansible_play_hosts | zip(ansible_play_hosts
              | map('extract', hostvars, ['clawops_gateway', 'wave'])))
         | clawops.orchestrator.rollout_waves }}
"""

RETURN = r"""
_value:
  description: C(order) (host names), C(batches) (serial list) and C(waves) (wave, gateways).
  type: dict
"""


def _rank(wave):
    if wave == "canary":
        return (0, 0)
    try:
        return (1, int(wave))
    except (TypeError, ValueError):
        return (2, 0)


def rollout_waves(hosts, serial=None):
    grouped = {}
    for host, wave in (hosts or {}).items():
        grouped.setdefault(wave if wave is not None else 1, []).append(host)
    waves = [{"wave": wave, "gateways": sorted(grouped[wave])}
             for wave in sorted(grouped, key=lambda w: (_rank(w), str(w)))]
    order = [host for wave in waves for host in wave["gateways"]]
    batches = list(serial) if serial else [len(wave["gateways"]) for wave in waves]
    return {"order": order, "batches": batches or [1], "waves": waves}


class FilterModule(object):
    """Rollout waves."""

    def filters(self):
        return {"rollout_waves": rollout_waves}
