"""Write schemas/fleet.schema.json and the field tables of docs/fleet-reference.md.

The schema lives in plugins/module_utils/_schema.py (shipped with modules); this script
exports it for editors and other tools, and regenerates the reference tables between the
markers in docs/fleet-reference.md. tests/unit/test_schema_export.py fails when either
is stale:  python scripts/export_schema.py
"""

from __future__ import annotations

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".build", "collections"))

from ansible_collections.clawops.orchestrator.plugins.module_utils._schema import (  # noqa: E402
    CATALOG_SCHEMA, DEFS, FLEET_SCHEMA, GATEWAY_SCHEMA, GROUP_SCHEMA)

SCHEMA_FILE = os.path.join(ROOT, "schemas", "fleet.schema.json")
REFERENCE = os.path.join(ROOT, "docs", "fleet-reference.md")
BEGIN = "<!-- BEGIN GENERATED FIELD TABLES (scripts/export_schema.py) -->"
END = "<!-- END GENERATED FIELD TABLES -->"


def bundle():
    """One JSON Schema document with the three file kinds under $defs."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://clawops.dev/schemas/fleet/v1",
        "title": "clawops fleet definition",
        "description": "fleet.yml, groups/<id>.yml, gateways/<id>.yml and catalogs/<name>.yml "
                       "of a clawops fleet. Generated from plugins/module_utils/_schema.py.",
        "$defs": dict(DEFS, fleetFile=_strip(FLEET_SCHEMA), groupFile=_strip(GROUP_SCHEMA),
                      gatewayFile=_strip(GATEWAY_SCHEMA), catalogFile=_strip(CATALOG_SCHEMA)),
        "anyOf": [{"$ref": "#/$defs/fleetFile"}, {"$ref": "#/$defs/groupFile"},
                  {"$ref": "#/$defs/gatewayFile"}, {"$ref": "#/$defs/catalogFile"}],
    }


def _strip(schema):
    return {k: v for k, v in schema.items() if k not in ("$schema", "$id", "$defs")}


def _type_of(node):
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return "[%s](#%s)" % (name, name.lower())
    if "enum" in node:
        return " \\| ".join("`%s`" % v for v in node["enum"])
    if "const" in node:
        return "`%s`" % node["const"]
    if "oneOf" in node:
        return " or ".join(_type_of(n) for n in node["oneOf"])
    kind = node.get("type", "any")
    if isinstance(kind, list):
        kind = " or ".join(kind)
    if kind == "array" and "items" in node:
        return "list of %s" % _type_of(node["items"])
    if kind == "object" and isinstance(node.get("additionalProperties"), dict):
        return "map of %s" % _type_of(node["additionalProperties"])
    return kind


def _describe(node):
    text = node.get("description", "")
    if "$ref" in node and not text:
        text = DEFS.get(node["$ref"].rsplit("/", 1)[-1], {}).get("description", "")
    if "pattern" in node:
        text += " Pattern `%s`." % node["pattern"]
    return text.replace("|", "\\|").strip()


def table(schema, prefix="", required=()):
    rows = []
    for name, node in schema.get("properties", {}).items():
        key = prefix + name
        req = "yes" if name in required else ""
        rows.append("| `%s` | %s | %s | %s |" % (key, _type_of(node), req, _describe(node)))
        if node.get("type") == "object" and "properties" in node:
            rows.extend(table(node, key + ".", node.get("required", ())))
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and "allOf" in extra:
            merged = {}
            for part in extra["allOf"]:
                part = DEFS.get(part["$ref"].rsplit("/", 1)[-1], {}) if "$ref" in part else part
                merged.update({k: v for k, v in part.get("properties", {}).items() if v})
            extra = {"properties": merged, "required": [
                r for part in extra["allOf"] for r in part.get("required", ())]}
        if isinstance(extra, dict) and "properties" in extra:
            rows.extend(table(extra, key + ".<name>.", extra.get("required", ())))
    return rows


def tables():
    out = []
    header = ["| key | type | required | meaning |", "|---|---|---|---|"]
    for title, schema in (("fleet.yml", FLEET_SCHEMA), ("groups/&lt;id&gt;.yml", GROUP_SCHEMA),
                          ("gateways/&lt;id&gt;.yml", GATEWAY_SCHEMA),
                          ("catalogs/&lt;name&gt;.yml", CATALOG_SCHEMA)):
        out += ["### %s" % title, "", schema["description"], ""] + header
        out += table(schema, "", schema.get("required", ())) + [""]
    for name in sorted(DEFS):
        node = DEFS[name]
        out += ["### %s" % name, "", _describe(node) or "", ""]
        if "properties" in node:
            out += header + table(node, "", node.get("required", ())) + [""]
        else:
            out += ["Type: %s" % _type_of(node), ""]
    return "\n".join(out)


def rendered_reference(current):
    start, end = current.index(BEGIN) + len(BEGIN), current.index(END)
    return current[:start] + "\n" + tables() + "\n" + current[end:]


def schema_text():
    return json.dumps(bundle(), indent=2, sort_keys=True) + "\n"


def main():
    os.makedirs(os.path.dirname(SCHEMA_FILE), exist_ok=True)
    with open(SCHEMA_FILE, "w", encoding="utf-8") as handle:
        handle.write(schema_text())
    with open(REFERENCE, encoding="utf-8") as handle:
        current = handle.read()
    with open(REFERENCE, "w", encoding="utf-8") as handle:
        handle.write(rendered_reference(current))
    print("wrote %s and %s" % (SCHEMA_FILE, REFERENCE))


if __name__ == "__main__":
    main()
