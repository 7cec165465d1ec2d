# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who is acting, taken from what the runner provides, never from what the user says.

The controller's identity settings live in a file only root can write,
``/etc/clawops/identity.yml`` (``$CLAWOPS_IDENTITY_FILE`` may point at another file with
the same ownership rules)::

    source: login      # default: the controller login of the process (its uid)
    # source: awx      # AWX / Automation Controller: the job's awx_user_name, which AWX
    #                  # sets after the template's and the launch's extra vars (AWX >= 21)
    # source: lab      # a lab: the actor is -e clawops_actor (said in every run)
    events_dir: /var/log/clawops   # optional: where every org's audit trail is written

In every mode but ``lab`` the variables that decide who acts and where the audit trail goes
(``clawops_actor``, ``clawops_events_log`` and the role variables behind them, and
``awx_user_name`` outside AWX) are refused as extra vars: a survey answer or ``-e`` cannot
make an operator an admin or send the trail elsewhere. Pure Python, no Ansible imports.
"""

from __future__ import annotations

import os
import posixpath
import stat

SETTINGS_FILE = "/etc/clawops/identity.yml"
SOURCES = ("login", "awx", "lab")
# variables that decide who acts and where the trail goes
ACTOR_VARS = ("clawops_actor", "authorize_actor", "gateway_rollout_actor")
TRAIL_VARS = ("clawops_events_log", "authorize_events_log", "gateway_rollout_events_log",
              "gateway_rollout_audit_key_file")
AWX_VARS = ("awx_user_name", "tower_user_name")


class IdentityProblem(Exception):
    """Identity cannot be established; the message says why and what to do."""


def settings_path(environ=None):
    environ = os.environ if environ is None else environ
    return environ.get("CLAWOPS_IDENTITY_FILE") or SETTINGS_FILE


def parse_settings(data, path):
    """Check the settings' shape: {'source': ..., 'events_dir': ...}."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise IdentityProblem("%s: expected a mapping with source (login, awx or lab)" % path)
    unknown = sorted(set(data) - {"source", "events_dir"})
    if unknown:
        raise IdentityProblem("%s: unknown key %r (the file holds source and events_dir)"
                              % (path, unknown[0]))
    source = data.get("source", "login")
    if source not in SOURCES:
        raise IdentityProblem("%s: source %r is not one of %s"
                              % (path, source, ", ".join(SOURCES)))
    events_dir = data.get("events_dir")
    if events_dir is not None and (not isinstance(events_dir, str)
                                   or not posixpath.isabs(events_dir)):
        raise IdentityProblem("%s: events_dir must be an absolute directory" % path)
    return {"source": source, "events_dir": events_dir, "file": path}


def check_owner(info, path):
    """Only root may have written the settings: owned by uid 0, not group/other writable."""
    if info.st_uid != 0 or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise IdentityProblem("%s must belong to root and be writable by no one else (chown "
                              "root; chmod 644): identity settings a user could write would "
                              "let them choose who they are" % path)


def refused_vars(source, extra_vars):
    """Names in ``extra_vars`` this source does not let a user set."""
    names = set(extra_vars or {})
    if source == "lab":
        return []
    blocked = set(ACTOR_VARS + TRAIL_VARS)
    if source == "login":
        blocked |= set(AWX_VARS)
    return sorted(names & blocked)


class Identity:
    def __init__(self, actor, source, events_dir=None, note=""):
        self.actor, self.source, self.events_dir, self.note = actor, source, events_dir, note

    def events_log(self, requested, org_slug):
        """Where this run's audit trail goes: the admin's events_dir when set."""
        if self.events_dir:
            return posixpath.join(self.events_dir, "%s.jsonl" % org_slug)
        return requested

    def as_dict(self):
        return {"actor": self.actor, "source": self.source, "note": self.note}


def resolve(settings, extra_vars, login):
    """The Identity of this run. ``extra_vars``: the variables given with ``-e`` (AWX hands
    its job's through the same channel); ``login``: the process owner's login name."""
    source = settings["source"]
    extra_vars = extra_vars or {}
    refused = refused_vars(source, extra_vars)
    if refused:
        raise IdentityProblem(
            "%s may not be set as extra vars (identity source %s, %s): who acts and where the "
            "audit trail goes come from the runner, not from the job's parameters. Remove "
            "them; an admin sets the trail's place with events_dir in %s"
            % (", ".join(refused), source, settings.get("file", SETTINGS_FILE),
               settings.get("file", SETTINGS_FILE)))
    if source == "awx":
        actor = extra_vars.get("awx_user_name") or extra_vars.get("tower_user_name")
        if not actor:
            raise IdentityProblem(
                "identity source awx but this run has no awx_user_name: it was not started "
                "by AWX/Automation Controller. Start it from a job template, or run it on a "
                "controller whose identity source is login")
        return Identity(str(actor), "awx", settings.get("events_dir"))
    if source == "lab":
        actor = extra_vars.get("clawops_actor") or login
        return Identity(str(actor), "lab", settings.get("events_dir"),
                        "identity source lab: the actor %s is self-asserted (-e clawops_actor); "
                        "never use this mode where roles matter" % actor)
    return Identity(login, "login", settings.get("events_dir"))
