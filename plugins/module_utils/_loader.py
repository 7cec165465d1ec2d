# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read fleet files: YAML documents and JSON5 templates with ``$include``.

Every value read here comes with a provenance tree (see ``_layering``): which file
and which key path inside that file set it. ``$include`` follows OpenClaw's own
semantics so that a template means the same thing to us and to the gateway:

* ``"$include": "a.json5"`` - the object is the content of ``a.json5``;
* ``"$include": ["a.json5", "b.json5"]`` - the files deep-merge in order (later wins);
* sibling keys of ``$include`` deep-merge over the included content;
* paths are relative to the including file and must stay inside the fleet directory;
* a cycle, or a chain deeper than ``MAX_INCLUDE_DEPTH``, is an error that shows the chain.
"""

from __future__ import annotations

import concurrent.futures
import gc
import multiprocessing
import os
import re
import stat
import traceback

from ._errors import FleetError, IncludeError, ReferenceProblem, SyntaxProblem
from ._layering import Source, merge_into

try:
    import json5
    HAS_JSON5 = True
    JSON5_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - reported by callers
    HAS_JSON5 = False
    JSON5_IMPORT_ERROR = traceback.format_exc()

try:
    import yaml
    HAS_YAML = True
    YAML_IMPORT_ERROR = None
    _YAML_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
except ImportError:  # pragma: no cover - reported by callers
    HAS_YAML = False
    YAML_IMPORT_ERROR = traceback.format_exc()
    _YAML_BASE = object

MAX_INCLUDE_DEPTH = 10
PARALLEL_FROM = 200
# Bounds on what one fleet file may hold: a fleet file is a few kilobytes of hand-written
# YAML or JSON5; these stop hostile input (a 10 MB string, an alias bomb, nesting thousands
# deep) with one error instead of a hang or a traceback.
MAX_FILE_BYTES = 1024 * 1024
MAX_NODES = 200000  # values in a file, with every YAML alias counted where it is used
MAX_DEPTH = 64
MAX_SEED_FILES = 1000
MAX_SEED_BYTES = 16 * 1024 * 1024
# Below this cheap bound of a YAML text's nesting libyaml's (recursive) composer is safe; a
# text above it is measured from parser events first (composing 100,000 levels crashes).
COMPOSE_SAFE = 5000
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
INCLUDE_KEY = "$include"


def yaml_load(stream):
    """Plain safe YAML (an inventory source file, not a fleet file)."""
    return yaml.safe_load(stream)


def missing_libraries():
    """Names of the Python libraries the core needs and cannot import."""
    missing = []
    if not HAS_JSON5:
        missing.append("json5")
    if not HAS_YAML:
        missing.append("PyYAML")
    return missing


if HAS_YAML:
    class _UniqueKeyLoader(_YAML_BASE):  # pylint: disable=too-many-ancestors
        """A safe YAML loader that refuses duplicate mapping keys (YAML silently keeps the last)."""

        def construct_mapping(self, node, deep=False):
            # One pass (this runs for every mapping of every fleet file): plain string keys
            # are used as they are, duplicates are refused with both lines.
            if not isinstance(node, yaml.MappingNode) or any(
                    k.tag == _MERGE_TAG for k, dummy in node.value):
                return self._construct_merged_mapping(node, deep)
            mapping = {}
            construct = self.construct_object
            for key_node, value_node in node.value:
                key = key_node.value if key_node.tag == _STR_TAG else construct(key_node, deep)
                try:
                    if key in mapping:
                        self._duplicate(node, key_node, key)
                except TypeError:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        "found unhashable key", key_node.start_mark)
                mapping[key] = construct(value_node, deep)
            return mapping

        def _construct_merged_mapping(self, node, deep):
            if isinstance(node, yaml.MappingNode):
                seen = set()
                for key_node, dummy in node.value:
                    if key_node.tag == _STR_TAG:
                        if key_node.value in seen:
                            self._duplicate(node, key_node, key_node.value)
                        seen.add(key_node.value)
            return super().construct_mapping(node, deep=deep)

        @staticmethod
        def _duplicate(node, key_node, key):
            first = next(k.start_mark.line for k, dummy in node.value
                         if getattr(k, "value", None) == key)
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark,
                "found duplicate key %r (first at line %d)" % (key, first + 1),
                key_node.start_mark)

        def get_single_data(self):
            node = self.get_single_node()
            if node is None:
                return None
            check = getattr(self, "clawops_check", "graph")
            if check == "graph":
                _check_graph(node)
            elif check == "depth":
                _node_depth(node)
            return self.construct_document(node)

    _UniqueKeyLoader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _UniqueKeyLoader.construct_mapping)


class TooLarge(Exception):
    """A parsed file beyond MAX_NODES or MAX_DEPTH (the message says which)."""


def _check_graph(root):
    """Count a composed YAML document's values as construction would make them (an alias
    counts where it is used, without expanding it) and measure its depth; refuse a cycle."""
    sizes, depths, state = {}, {}, {}
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _yaml_children(node)
        if not done:
            if state.get(key) == "open":
                raise TooLarge("a YAML alias refers to a value that contains it (a cycle)")
            if key in sizes:
                continue
            state[key] = "open"
            stack.append((node, True))
            stack.extend((child, False) for child in children)
            continue
        sizes[key] = 1 + sum(sizes[id(c)] for c in children)
        depths[key] = 1 + max((depths[id(c)] for c in children), default=0)
        state[key] = "closed"
        if sizes[key] > MAX_NODES:
            raise TooLarge("more than %d values once its YAML aliases are expanded" % MAX_NODES)
        if depths[key] > MAX_DEPTH:
            raise TooLarge("nested deeper than %d levels" % MAX_DEPTH)


def _node_depth(root):
    """Refuse a composed document (without anchors: a tree) nested deeper than MAX_DEPTH."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise TooLarge("nested deeper than %d levels" % MAX_DEPTH)
        if isinstance(node, yaml.MappingNode):
            stack.extend((item, depth + 1) for pair in node.value for item in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)


def _event_depth(text):
    """The nesting of a YAML text from libyaml's parser events (iterative, unlike its
    composer, which a 100,000-deep file crashes): refused beyond MAX_DEPTH."""
    depth = 0
    for event in yaml.parse(text, Loader=_YAML_BASE):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise TooLarge("nested deeper than %d levels" % MAX_DEPTH)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def _depth_bound(text):
    """An upper bound of a YAML text's nesting: the deepest indentation plus every flow
    bracket (each can open one level) plus one."""
    indent = max((len(line) - len(line.lstrip(" ")) for line in text.splitlines()), default=0)
    return indent + text.count("[") + text.count("{") + 1


def _yaml_children(node):
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_depth(data):
    """The nesting depth of parsed JSON5 data, refused beyond MAX_DEPTH (iteratively)."""
    stack = [(data, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise TooLarge("nested deeper than %d levels" % MAX_DEPTH)
        if count > MAX_NODES:
            raise TooLarge("more than %d values" % MAX_NODES)
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def _plain(prov, rel, path):
    """True when ``prov`` is exactly what a Source for (rel, path) would derive."""
    return isinstance(prov, Source) and prov.file == rel and prov.path == path


def _join_surrogates(node):
    """json5 keeps the escaped UTF-16 surrogate pair of a "\\ud83d\\udedf" escape as two
    lone surrogates (JavaScript, and so OpenClaw, reads one emoji): join them."""
    if isinstance(node, str):
        if any("\ud800" <= c <= "\udfff" for c in node):
            return node.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return node
    if isinstance(node, dict):
        return {_join_surrogates(k): _join_surrogates(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_join_surrogates(v) for v in node]
    return node


def _parse_chunk(job):
    """In a pool process: parsed data (or None for a file with a problem) of every file."""
    root, rels = job
    gc.disable()  # short-lived; see _gc
    files = FleetFiles(root)
    out = []
    for rel in rels:
        try:
            out.append(files._parse_yaml(rel))  # pylint: disable=protected-access
        except FleetError:
            out.append(None)
    return out


class FleetFiles:
    """Reads files of one fleet directory, confined to it, with a per-file cache.

    ``root`` is the fleet directory; every file name handed out (errors, provenance)
    is relative to it, so results do not depend on where the fleet is checked out.
    """

    def __init__(self, root):
        self.root = os.path.realpath(root)
        self._templates = {}

    # -- paths ---------------------------------------------------------------
    def rel(self, abspath):
        rel = os.path.relpath(abspath, self.root)
        return rel.replace(os.sep, "/")

    def abspath(self, rel):
        return os.path.join(self.root, rel)

    def inside(self, abspath):
        real = os.path.realpath(abspath)
        return real == self.root or real.startswith(self.root + os.sep)

    def seed_tree(self, rel_dir, from_file, key_path):
        """[(relative posix path, absolute path)] of a workspace seed directory: regular
        files and directories only (never through a link), not the fleet directory or an
        ancestor of it, no ``.git``, at most MAX_SEED_FILES files and MAX_SEED_BYTES."""
        target = os.path.normpath(self.abspath(rel_dir))

        def refuse(message, fix, code):
            raise ReferenceProblem(message, from_file, key_path, fix, code=code)

        if os.path.islink(target) or not self.inside(target) or not os.path.isdir(target):
            refuse("workspace seed %r is not a directory inside the fleet directory" % rel_dir,
                   "create the directory (relative to %s) or remove workspace_seed" % from_file,
                   "reference")
        if target == self.root or os.path.exists(os.path.join(target, "fleet.yml")):
            refuse("workspace seed %r is the fleet directory itself: every agent would get the "
                   "whole repository" % rel_dir, "point it at a directory of seed files (e.g. "
                   "seeds/<agent>)", "seed.unsafe")
        found, total = [], 0
        for root, dirs, files in os.walk(target):
            dirs.sort()
            for name in list(dirs) + sorted(files):
                full = os.path.join(root, name)
                rel = os.path.relpath(full, target).replace(os.sep, "/")
                info = os.lstat(full)
                if name == ".git":
                    refuse("workspace seed %r holds a .git directory (%s)" % (rel_dir, rel),
                           "seed only the files the agent needs", "seed.unsafe")
                if stat.S_ISLNK(info.st_mode):
                    refuse("workspace seed %r holds a symbolic link (%s): it would copy what "
                           "the link points at (any file of the controller)" % (rel_dir, rel),
                           "replace the link by the file itself", "seed.unsafe")
                if stat.S_ISDIR(info.st_mode):
                    continue
                if not stat.S_ISREG(info.st_mode):
                    refuse("workspace seed %r holds %s, which is not a regular file"
                           % (rel_dir, rel), "remove it", "seed.unsafe")
                total += info.st_size
                found.append((rel, full))
            if len(found) > MAX_SEED_FILES or total > MAX_SEED_BYTES:
                refuse("workspace seed %r holds more than %d files or %d MiB" % (
                    rel_dir, MAX_SEED_FILES, MAX_SEED_BYTES >> 20),
                    "seed only the files the agent needs", "seed.unsafe")
        return sorted(found)

    def resolve_ref(self, ref, from_file, key_path, what="file", chain=None):
        """Resolve ``ref`` (relative to ``from_file``'s directory) inside the fleet directory."""
        if not isinstance(ref, str) or not ref.strip():
            raise IncludeError("%s reference must be a non-empty string, got %r" % (what, ref),
                               from_file, key_path, "give a path relative to %s" % from_file, chain)
        base = os.path.dirname(self.abspath(from_file))
        target = os.path.normpath(os.path.join(base, ref))
        if not self.inside(target):
            raise IncludeError(
                "%s %r resolves outside the fleet directory" % (what, ref), from_file, key_path,
                "keep templates inside the fleet directory and use a relative path without '..' "
                "that leaves it", chain)
        if not os.path.isfile(target):
            raise IncludeError("%s %r not found (looked for %s)" % (what, ref, self.rel(target)),
                               from_file, key_path,
                               "create the file or correct the path; it is relative to the "
                               "directory of %s" % from_file, chain)
        return self.rel(os.path.realpath(target))

    # -- raw reads -----------------------------------------------------------
    def _read_bytes(self, rel):
        path = self.abspath(rel)
        try:
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                raise FleetError("the file is a symbolic link (to %s)" % os.readlink(path), rel,
                                 (), "put the file itself in the fleet directory: fleet files "
                                 "are read only as regular files, never through a link",
                                 code="file.symlink")
            if not stat.S_ISREG(info.st_mode):
                raise FleetError("not a regular file", rel, (),
                                 "fleet files are regular YAML or JSON5 files",
                                 code="file.not-regular")
            if info.st_size > MAX_FILE_BYTES:
                raise FleetError("the file has %d bytes, more than the %d a fleet file may have"
                                 % (info.st_size, MAX_FILE_BYTES), rel, (),
                                 "split it, or move large content out of the fleet definition",
                                 code="file.too-large")
            handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(handle, "rb") as stream:
                data = stream.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise FleetError("cannot read file: %s" % exc.strerror, rel, (),
                             "check that the file exists and is readable")
        if len(data) > MAX_FILE_BYTES:  # grew since lstat
            raise FleetError("the file has more than %d bytes" % MAX_FILE_BYTES, rel, (),
                             "split it, or move large content out of the fleet definition",
                             code="file.too-large")
        return data

    @staticmethod
    def _decode(raw, rel):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SyntaxProblem("not valid UTF-8 (%s)" % exc.reason, rel, (),
                                "save the file as UTF-8 text")

    def _read_text(self, rel):
        return self._decode(self._read_bytes(rel), rel)

    def read_yaml(self, rel):
        """Parse one YAML file of the fleet definition (duplicate keys are errors).

        Parsed once per FleetFiles (callers must not modify the result)."""
        cache = self.__dict__.setdefault("_yaml_cache", {})
        if rel not in cache:
            cache[rel] = self._parse_yaml(rel)
        return cache[rel]

    def read_checked(self, rel, kind, check, cache=None):
        """``read_yaml`` followed by ``check(data)`` (which raises on a problem), served from
        ``cache`` (a ``_parsecache.ParseCache``) when these bytes passed as ``kind`` before."""
        parsed = self.__dict__.setdefault("_yaml_cache", {})
        if rel in parsed:
            check(parsed[rel])
            return parsed[rel]
        raw = self._read_bytes(rel)
        key = cache.key(kind, raw) if cache is not None else None
        data = cache.get(key) if key is not None else None
        if data is None:
            data = self.__dict__.get("_prefetched", {}).pop(rel, None)
            if data is None:
                data = self._parse_yaml(rel, self._decode(raw, rel))
            check(data)
            if key is not None:
                cache.put(key, data)
        parsed[rel] = data
        return data

    def prefetch(self, rels, kind, cache=None, workers=None):
        """Parse the files of ``rels`` that ``cache`` does not hold in a pool of processes
        (one per core) ahead of ``read_checked``; worth it from PARALLEL_FROM files on, when
        a first run meets a large fleet (1,000 gateway files: 1.7 s -> 1.0 s on 2 cores). A
        file that does not parse is left to ``read_checked``, which reports it."""
        workers = workers or os.cpu_count() or 1
        todo = []
        for rel in rels:
            if cache is not None and cache.usable:
                try:
                    if cache.has(cache.key(kind, self._read_bytes(rel))):
                        continue
                except FleetError:
                    continue
            todo.append(rel)
        if workers < 2 or len(todo) < PARALLEL_FROM:
            return
        chunks = [todo[i::workers] for i in range(workers)]
        try:
            with concurrent.futures.ProcessPoolExecutor(
                    workers, mp_context=multiprocessing.get_context("fork")) as pool:
                results = list(pool.map(_parse_chunk, [(self.root, c) for c in chunks]))
        except Exception:  # pylint: disable=broad-except  # a pool that cannot start: parse serially
            return
        prefetched = self.__dict__.setdefault("_prefetched", {})
        for chunk, result in zip(chunks, results):
            for rel, data in zip(chunk, result):
                if data is not None:
                    prefetched[rel] = data

    def _parse_yaml(self, rel, text=None):
        if text is None:
            text = self._read_text(rel)
        try:
            bound = _depth_bound(text)
            if bound > COMPOSE_SAFE:  # libyaml's composer recurses: measure before it runs
                _event_depth(text)
            loader = _UniqueKeyLoader(text)
            # a file without an anchor has no alias to expand: only its depth can be too much,
            # and only when the cheap bound says it might (the walks cost as much as parsing)
            loader.clawops_check = ("graph" if "&" in text
                                    else "depth" if bound > MAX_DEPTH else None)
            try:
                data = loader.get_single_data()
            finally:
                loader.dispose()
        except TooLarge as exc:
            raise SyntaxProblem("the YAML holds %s" % exc, rel, (),
                                "write the values out plainly: fleet files stay small and "
                                "shallow", code="syntax.too-large")
        except RecursionError:
            raise SyntaxProblem("the YAML is nested too deeply to read", rel, (),
                                "keep nesting under %d levels" % MAX_DEPTH,
                                code="syntax.too-large")
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = " at line %d, column %d" % (mark.line + 1, mark.column + 1) if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise SyntaxProblem("YAML does not parse%s: %s" % (where, problem), rel, (),
                                "correct the YAML syntax (indentation, quoting, duplicate keys)")
        return {} if data is None else data

    def read_json5(self, rel, chain=None):
        text = self._read_text(rel)
        try:
            data = json5.loads(text, allow_duplicate_keys=False)
            _check_depth(data)
            if "\\ud" in text.lower():
                data = _join_surrogates(data)
            return data
        except TooLarge as exc:
            raise SyntaxProblem("the JSON5 holds %s" % exc, rel, (),
                                "keep templates small and under %d levels deep" % MAX_DEPTH,
                                chain, code="syntax.too-large")
        except RecursionError:
            raise SyntaxProblem("the JSON5 is nested too deeply to read", rel, (),
                                "keep templates under %d levels deep" % MAX_DEPTH, chain,
                                code="syntax.too-large")
        except ValueError as exc:
            message = str(exc)
            found = re.match(r"<string>:(\d+) (.*) at column (\d+)$", message)
            if found:
                message = "line %s, column %s: %s" % (found.group(1), found.group(3),
                                                      found.group(2))
            raise SyntaxProblem("JSON5 does not parse at %s" % message, rel, (),
                                "correct the JSON5 syntax at that line", chain)

    # -- templates with $include ------------------------------------------------
    def load_template(self, rel, chain=()):
        """Load a JSON5 template with its includes resolved.

        Returns ``(value, prov, depth)``; ``value`` is an object, ``prov`` its provenance
        tree, ``depth`` the length of the deepest include chain below it. Cached per file.
        """
        cached = self._templates.get(rel)
        if cached is not None:
            if len(chain) + cached[2] > MAX_INCLUDE_DEPTH:
                self._depth_error(list(chain) + [rel], rel)
            return cached
        chain = tuple(chain) + (rel,)
        raw = self.read_json5(rel, list(chain[:-1]))
        if not isinstance(raw, dict):
            raise SyntaxProblem("a config template must be a JSON5 object, got %s"
                                % type(raw).__name__, rel, (),
                                "wrap the content in { ... }", list(chain[:-1]))
        value, prov, depth = self.resolve(raw, rel, (), chain)
        entry = (value, prov, depth)
        self._templates[rel] = entry
        return entry

    def resolve(self, raw, rel, base_path, chain):
        """Resolve ``$include`` everywhere inside ``raw`` read from file ``rel``.

        ``base_path`` is where ``raw`` sits inside ``rel`` (for inline overrides in YAML).
        """
        depth = [0]

        def walk(node, path):
            """Return (value, prov); prov is one Source when nothing below was included."""
            if isinstance(node, dict):
                if INCLUDE_KEY in node:
                    return include(node, path)
                pairs = {key: walk(item, path + (key,)) for key, item in node.items()}
                value = {key: pair[0] for key, pair in pairs.items()}
                if all(_plain(pair[1], rel, path + (key,)) for key, pair in pairs.items()):
                    return value, Source(None, rel, path)
                return value, {key: pair[1] for key, pair in pairs.items()}
            if isinstance(node, list):
                pairs = [walk(item, path + (index,)) for index, item in enumerate(node)]
                value = [pair[0] for pair in pairs]
                if all(_plain(pair[1], rel, path + (i,)) for i, pair in enumerate(pairs)):
                    return value, Source(None, rel, path)
                return value, [pair[1] for pair in pairs]
            return node, Source(None, rel, path)

        def include(node, path):
            refs = node[INCLUDE_KEY]
            key_path = path + (INCLUDE_KEY,)
            if isinstance(refs, str):
                refs = [refs]
            if not isinstance(refs, list) or not refs:
                raise IncludeError("$include must be a file name or a non-empty list of file "
                                   "names, got %r" % (node[INCLUDE_KEY],), rel, key_path,
                                   'write "$include": "part.json5" or ["a.json5", "b.json5"]',
                                   list(chain))
            value, prov = {}, {}  # prov stays a full dict tree below an include
            for index, ref in enumerate(refs):
                ref_path = key_path + ((index,) if len(refs) > 1 else ())
                target = self.resolve_ref(ref, rel, ref_path, "$include", list(chain))
                if target in chain:
                    raise IncludeError("$include cycle: %s includes %s again" % (rel, target),
                                       rel, ref_path, "remove one of the includes that form the "
                                       "cycle", list(chain) + [target])
                if len(chain) > MAX_INCLUDE_DEPTH:
                    self._depth_error(list(chain) + [target], rel, ref_path)
                sub_value, sub_prov, sub_depth = self.load_template(target, chain)
                depth[0] = max(depth[0], sub_depth + 1)
                merge_into(value, prov, sub_value, sub_prov)
            siblings = {k: v for k, v in node.items() if k != INCLUDE_KEY}
            if siblings:
                sib_value, sib_prov = walk(siblings, path)
                merge_into(value, prov, sib_value, sib_prov)
            return value, prov

        value, prov = walk(raw, tuple(base_path))
        return value, prov, depth[0]

    def _depth_error(self, chain, rel, key_path=()):
        raise IncludeError("$include nesting deeper than %d levels" % MAX_INCLUDE_DEPTH,
                           rel, key_path, "flatten the templates: at most %d nested includes"
                           % MAX_INCLUDE_DEPTH, chain)
