# -*- coding: utf-8 -*-
"""The preflight corpus: invalid fleets made from tests/preflight_corpus/_base.

Each ``tests/preflight_corpus/NNN-name.yml`` holds one defect:

    description: what is wrong
    merge:  {file: {...}}          deep-merged into a YAML file of the base
    set:    {file: {"a.b[1].c": v}}  one value by key path (null deletes, index = len appends)
    files:  {file: text}           whole files (text) added or replaced
    links:  {file: target}         the file replaced by a symbolic link to target
    padded: {file: bytes}          a YAML comment appended until the file has that many bytes
    nested: {file: depth}          the file replaced by one value nested that deep (YAML for
                                   .yml: ``id: <stem>`` and ``x: [[...]]``; JSON5: ``{a: [[...]]}``)
    expect: {code, file, key_path, severity (default error), also: [codes also expected]}
"""

from __future__ import annotations

import os
import re
import shutil

import yaml

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "preflight_corpus")
BASE = os.path.join(CORPUS, "_base")
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def case_files():
    return sorted(n for n in os.listdir(CORPUS) if n.endswith(".yml"))


def load_case(name):
    with open(os.path.join(CORPUS, name), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _merge(dst, src):
    for key, value in src.items():
        if isinstance(value, dict) and isinstance(dst.get(key), dict):
            _merge(dst[key], value)
        elif value is None:
            dst.pop(key, None)
        else:
            dst[key] = value


def _parts(path):
    return [int(i) if i else k for k, i in _PART.findall(path)]


def _set(data, path, value):
    parts = _parts(path)
    node = data
    for part in parts[:-1]:
        node = node[part]
    last = parts[-1]
    if value is None:
        del node[last]
    elif isinstance(node, list) and last == len(node):
        node.append(value)
    else:
        node[last] = value


def materialize(case, dest):
    """Write the base fleet with the case's change applied into ``dest``; return it."""
    shutil.copytree(BASE, dest)
    edits = {}
    for rel, change in (case.get("merge") or {}).items():
        edits.setdefault(rel, []).append(("merge", change))
    for rel, change in (case.get("set") or {}).items():
        edits.setdefault(rel, []).append(("set", change))
    for rel, items in edits.items():
        path = os.path.join(dest, rel)
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        for kind, change in items:
            if kind == "merge":
                _merge(data, change)
            else:
                for key_path, value in change.items():
                    _set(data, key_path, value)
        with open(path, "w", encoding="utf-8") as handle:
            yaml.safe_dump(data, handle, sort_keys=False)
    for rel, text in (case.get("files") or {}).items():
        path = os.path.join(dest, rel)
        if text is None:
            os.remove(path)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    for rel, target in (case.get("links") or {}).items():
        path = os.path.join(dest, rel)
        if os.path.lexists(path):
            os.remove(path)
        os.symlink(target, path)
    for rel, depth in (case.get("nested") or {}).items():
        value = "[" * depth + "]" * depth
        stem = os.path.splitext(os.path.basename(rel))[0]
        text = ("id: %s\nx: %s\n" % (stem, value) if rel.endswith(".yml")
                else "{ a: %s }\n" % value)
        with open(os.path.join(dest, rel), "w", encoding="utf-8") as handle:
            handle.write(text)
    for rel, size in (case.get("padded") or {}).items():
        path = os.path.join(dest, rel)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("# " + "x" * max(0, size - os.path.getsize(path) - 3) + "\n")
    return dest
