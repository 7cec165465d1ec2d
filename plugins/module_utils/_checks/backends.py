# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight family *backends*: every model an agent takes from a model backend of
fleet.yml is one the backend serves (its declared models, and what its /v1/models lists
when preflight asks it: discovery), and the gateway lists that backend (else OpenClaw has
no such provider)."""

from __future__ import annotations

from .._policy import model_refs
from ._base import Family, parse_codes

CODES = parse_codes("""
    backend.model-not-served  error   An agent uses a model its backend does not serve.
    backend.not-listed        error   An agent uses a model of a backend its gateway does not
                                      list under backends.
    backend.undiscovered      warning Discovery could not read a backend's /v1/models from the
                                      controller (its gateways may still reach it).
""")


class Checks(Family):
    """The backends family (per gateway; discovery's results once per backend)."""

    def served(self, backend_id):
        """The models a backend serves: what its /models listed when discovered, else None."""
        found = self.discovered.get(backend_id) or {}
        return found.get("models")

    def check_fleet(self):
        declared = self.fleet.data.get("backends") or {}
        for backend_id, found in sorted(self.discovered.items()):
            where = ("backends", backend_id)
            if found.get("models") is None:
                self.add("backend.undiscovered", "fleet.yml", where + ("url",),
                         "%s/models did not list backend %s's models: %s" % (
                             found["url"].rstrip("/"), backend_id, found.get("error")),
                         "check the URL (from the controller), or run preflight without "
                         "discover_backends where the controller cannot reach it (the gate "
                         "checks it from each gateway at deploy)")
                continue
            missing = [m for m in declared[backend_id]["models"] if m not in found["models"]]
            if missing:
                self.add("backend.model-not-served", "fleet.yml", where + ("models",),
                         "backend %s declares %s, which %s/models does not list (it lists: %s)"
                         % (backend_id, ", ".join(missing), found["url"].rstrip("/"),
                            ", ".join(found["models"]) or "nothing"),
                         "declare the ids its /v1/models lists, or load the model into the "
                         "server")

    def check_gateway(self, plan):
        declared = self.fleet.data.get("backends") or {}
        if not declared:
            return
        listed = set(plan.gateway.data.get("backends") or [])
        agents = plan.config.get("agents") or {}
        refs = list(model_refs(agents.get("defaults") or {}, ("agents", "defaults")))
        for agent_id, entry in sorted((agents.get("entries") or {}).items()):
            refs += [found + (agent_id,) for found in
                     model_refs(entry, ("agents", "entries", agent_id))]
        for found in refs:
            ref, path = found[1], found[2]
            agent = found[3] if len(found) > 3 else None
            backend_id, dummy, model = ref.partition("/")
            if backend_id not in declared:
                continue
            file, key_path = self.where(plan, path)
            if model not in declared[backend_id]["models"]:
                self.add("backend.model-not-served", file, key_path,
                         "model %r is not one backend %s serves (%s)" % (
                             ref, backend_id, ", ".join(declared[backend_id]["models"])),
                         "use one of its models, or add %r to backends.%s.models in fleet.yml "
                         "when its /v1/models lists it" % (model, backend_id),
                         plan.gateway.id, agent)
            elif self.served(backend_id) is not None and model not in self.served(backend_id):
                self.add("backend.model-not-served", file, key_path,
                         "model %r is declared for backend %s, but its /models does not list "
                         "it (it lists: %s)" % (ref, backend_id,
                                                ", ".join(self.served(backend_id)) or "nothing"),
                         "use a model it lists, or load %r into the server" % model,
                         plan.gateway.id, agent)
            elif backend_id not in listed:
                self.add("backend.not-listed", file, key_path,
                         "model %r is from backend %s, which gateway %s does not list" % (
                             ref, backend_id, plan.gateway.id),
                         "add %s to the backends: of gateways/%s.yml" % (
                             backend_id, plan.gateway.id), plan.gateway.id, agent)
