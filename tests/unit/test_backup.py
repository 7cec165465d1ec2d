# -*- coding: utf-8 -*-
"""Backups (pure): archive + manifest, verification that names tampering, safe restore."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile

import pytest

from ansible_collections.clawops.orchestrator.plugins.module_utils._backup import (
    MANIFEST, BackupError, create_archive, list_archives, resolve, restore_archive,
    tree_checksums, verify_archive)


@pytest.fixture
def gateway(tmp_path):
    root = tmp_path / "gw"
    files = {
        "config/openclaw.json": '{"gateway": {"port": 18789}}\n',
        "state/agents/helper/sessions/s1.jsonl": '{"role": "user"}\n' * 50,
        "state/devices/paired.json": "{}\n",
        "workspaces/helper/AGENTS.md": "# helper\n",
        "workspaces/helper/notes/empty.txt": "",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    os.chmod(root / "state/devices/paired.json", 0o600)
    os.symlink("agents/helper", root / "state/current")
    (root / "state/empty-dir").mkdir()
    parts = {"config": str(root / "config"), "state": str(root / "state"),
             "workspaces": str(root / "workspaces")}
    return {"root": root, "parts": parts, "backups": str(tmp_path / "backups")}


def _sums(parts):
    return {part: tree_checksums(path) for part, path in parts.items()}


def test_create_then_verify(gateway):
    made = create_archive(gateway["parts"], gateway["backups"], "acme-gw", "update")
    assert made["name"].startswith("acme-gw-") and made["name"].endswith("-update.tar.gz")
    assert made["files"] == 5 and os.stat(made["path"]).st_mode & 0o777 == 0o600
    result = verify_archive(made["path"])
    assert result["ok"] is True and result["errors"] == []
    assert result["manifest"]["entries"]["state/current"] == {
        "type": "symlink", "target": "agents/helper", "mode": "0777",
        "uid": os.getuid(), "gid": os.getgid()}
    assert not [n for n in os.listdir(gateway["backups"]) if n.endswith(".partial")]


def test_restore_reproduces_the_checksums(gateway):
    before = _sums(gateway["parts"])
    made = create_archive(gateway["parts"], gateway["backups"], "acme-gw")
    # the gateway goes on: new files, changed files, removed files
    state = gateway["root"] / "state"
    (state / "agents/helper/sessions/s2.jsonl").write_text("later\n")
    (state / "devices/paired.json").write_text('{"dev": 1}\n')
    os.remove(gateway["root"] / "workspaces/helper/AGENTS.md")
    assert _sums(gateway["parts"]) != before
    done = restore_archive(made["path"], gateway["parts"])
    assert done["restored"] == ["config", "state", "workspaces"]
    assert _sums(gateway["parts"]) == before
    assert os.stat(state / "devices/paired.json").st_mode & 0o777 == 0o600
    assert os.readlink(state / "current") == "agents/helper"
    assert (state / "empty-dir").is_dir()
    leftovers = [n for n in os.listdir(gateway["root"]) if "restore" in n]
    assert leftovers == []


@pytest.mark.skipif(os.geteuid() != 0, reason="sets owners (runs as root in CI)")
def test_restored_files_belong_to_root_or_the_gateway_only(gateway):
    """An archive's owners are not trusted: a file of an earlier gateway uid (1000) or of a
    person's account comes back as the gateway's, root's stays root's (issue 17)."""
    from ansible_collections.clawops.orchestrator.plugins.module_utils._hosttree import (
        GATEWAY_UID)
    state = gateway["root"] / "state"
    os.chown(state / "devices/paired.json", 1000, 1000)
    os.chown(state / "agents/helper/sessions/s1.jsonl", 1001, 1001)
    made = create_archive(gateway["parts"], gateway["backups"], "acme-gw")
    restore_archive(made["path"], gateway["parts"])
    assert os.stat(state / "devices/paired.json").st_uid == GATEWAY_UID
    assert os.stat(state / "agents/helper/sessions/s1.jsonl")[4:6] == (GATEWAY_UID, GATEWAY_UID)
    assert os.stat(gateway["root"] / "workspaces/helper/AGENTS.md").st_uid == 0


def _rewrite(path, change):
    """Rewrite the archive with ``change(name, data) -> data`` applied to every member."""
    with tarfile.open(path, "r:gz") as tar:
        members = [(info, tar.extractfile(info).read() if info.isfile() else None)
                   for info in tar.getmembers()]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            if data is not None:
                data = change(info.name, data)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    with open(path, "wb") as handle:
        handle.write(gzip.compress(buffer.getvalue()))


def test_a_tampered_archive_is_named_and_refused(gateway):
    made = create_archive(gateway["parts"], gateway["backups"], "acme-gw")
    _rewrite(made["path"], lambda name, data: b'{"dev": "evil"}\n'
             if name == "state/devices/paired.json" else data)
    result = verify_archive(made["path"])
    assert result["ok"] is False
    assert any("does not match" in e for e in result["errors"]), result["errors"]
    assert any(e.startswith("state/devices/paired.json has sha256") for e in result["errors"])
    before = _sums(gateway["parts"])
    with pytest.raises(BackupError, match="failed verification, nothing was restored"):
        restore_archive(made["path"], gateway["parts"])
    assert _sums(gateway["parts"]) == before


def test_a_tampered_archive_with_a_matching_checksum_file_is_still_caught(gateway):
    made = create_archive(gateway["parts"], gateway["backups"], "acme-gw")
    _rewrite(made["path"], lambda name, data: data + b"x" if name.endswith("AGENTS.md") else data)
    from ansible_collections.clawops.orchestrator.plugins.module_utils._backup import sha256_file
    with open(made["path"] + ".sha256", "w", encoding="utf-8") as handle:
        handle.write("%s  %s\n" % (sha256_file(made["path"]), made["name"]))
    result = verify_archive(made["path"])
    assert len(result["errors"]) == 1, result["errors"]
    assert result["errors"][0].startswith("workspaces/helper/AGENTS.md has sha256 ")


def test_truncated_and_missing_checksum(gateway):
    made = create_archive(gateway["parts"], gateway["backups"], "acme-gw")
    with open(made["path"], "r+b") as handle:
        handle.truncate(os.path.getsize(made["path"]) // 2)
    os.remove(made["path"] + ".sha256")
    result = verify_archive(made["path"])
    assert result["ok"] is False
    assert "checksum file" in result["errors"][0] and "cannot be read" in result["errors"][1]


def test_unsafe_members_are_refused(gateway, tmp_path):
    made = create_archive(gateway["parts"], gateway["backups"], "acme-gw")
    with tarfile.open(made["path"], "r:gz") as tar:
        members = [(info, tar.extractfile(info).read() if info.isfile() else None)
                   for info in tar.getmembers()]
    evil = tarfile.TarInfo("state/../../escape")
    evil.size = 3
    path = str(tmp_path / "evil.tar.gz")
    with tarfile.open(path, "w:gz") as tar:
        tar.addfile(evil, io.BytesIO(b"bad"))
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    from ansible_collections.clawops.orchestrator.plugins.module_utils._backup import sha256_file
    with open(path + ".sha256", "w", encoding="utf-8") as handle:
        handle.write("%s  evil.tar.gz\n" % sha256_file(path))
    with pytest.raises(BackupError, match="not in the manifest"):
        restore_archive(path, gateway["parts"])
    assert not (tmp_path / "escape").exists()


def test_keep_prunes_the_oldest_and_latest_resolves(gateway):
    import datetime
    names = []
    for minute in range(4):
        now = datetime.datetime(2026, 11, 22, 10, minute, tzinfo=datetime.timezone.utc)
        names.append(create_archive(gateway["parts"], gateway["backups"], "acme-gw", keep=3,
                                    now=now)["name"])
    assert [a["name"] for a in list_archives(gateway["backups"], "acme-gw")] == names[1:]
    assert resolve(gateway["backups"], "acme-gw", "latest").endswith(names[-1])
    with pytest.raises(BackupError, match="not found"):
        resolve(gateway["backups"], "acme-gw", names[0])
    with pytest.raises(BackupError, match="no backup of other"):
        resolve(gateway["backups"], "other", "latest")


def test_manifest_is_last_and_lists_every_member(gateway):
    made = create_archive(gateway["parts"], gateway["backups"], "acme-gw")
    with tarfile.open(made["path"], "r:gz") as tar:
        names = tar.getnames()
    assert names[-1] == MANIFEST
    assert set(names[:-1]) == set(verify_archive(made["path"])["manifest"]["entries"])


def test_a_link_out_of_the_state_dir_is_restored_but_nothing_goes_through_it(gateway, tmp_path):
    # npm links a plugin's peer dependency to the image's package: an absolute link
    os.symlink("/opt/openclaw/node_modules/openclaw", gateway["parts"]["state"] + "/peer")
    made = create_archive(gateway["parts"], gateway["backups"], "acme-gw")
    restore_archive(made["path"], gateway["parts"])
    assert os.readlink(gateway["parts"]["state"] + "/peer") == "/opt/openclaw/node_modules/openclaw"
    # an archive that writes through a link (here into the test's tmp dir) is refused, even
    # when its manifest and checksum were forged to match
    outside = tmp_path / "outside"
    outside.mkdir()
    link = tarfile.TarInfo("state/jump")
    link.type, link.linkname = tarfile.SYMTYPE, str(outside)
    through = tarfile.TarInfo("state/jump/planted")
    through.size = 3
    manifest = {"format": 1, "instance": "acme-gw", "created": "x", "reason": "evil",
                "parts": ["state"], "entries": {
                    "state/jump": {"type": "symlink", "target": str(outside)},
                    "state/jump/planted": {"type": "file", "sha256": hashlib.sha256(b"bad").hexdigest()}}}
    data = json.dumps(manifest).encode()
    info = tarfile.TarInfo(MANIFEST)
    info.size = len(data)
    path = str(tmp_path / "through.tar.gz")
    with tarfile.open(path, "w:gz") as tar:
        tar.addfile(info, io.BytesIO(data))
        tar.addfile(link)
        tar.addfile(through, io.BytesIO(b"bad"))
    from ansible_collections.clawops.orchestrator.plugins.module_utils._backup import sha256_file
    with open(path + ".sha256", "w", encoding="utf-8") as handle:
        handle.write("%s  through.tar.gz\n" % sha256_file(path))
    with pytest.raises(BackupError, match="goes through the symlink state/jump"):
        restore_archive(path, {"state": gateway["parts"]["state"]})
    assert not (outside / "planted").exists()


def _forged(tmp_path, name, members):
    """An archive of ``members`` [(TarInfo, bytes or None)] with a manifest and checksum
    forged to match (what anyone who hands over a backup can make)."""
    entries = {}
    for info, data in members:
        if info.isfile():
            entries[info.name] = {"type": "file", "sha256": hashlib.sha256(data).hexdigest()}
        elif info.issym():
            entries[info.name] = {"type": "symlink", "target": info.linkname}
        else:
            entries[info.name] = {"type": "dir"}
    manifest = json.dumps({"format": 1, "instance": "acme-gw", "created": "x", "reason": "evil",
                           "parts": ["state"], "entries": entries}).encode()
    head = tarfile.TarInfo(MANIFEST)
    head.size = len(manifest)
    path = str(tmp_path / name)
    with tarfile.open(path, "w:gz") as tar:
        tar.addfile(head, io.BytesIO(manifest))
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    from ansible_collections.clawops.orchestrator.plugins.module_utils._backup import sha256_file
    with open(path + ".sha256", "w", encoding="utf-8") as handle:
        handle.write("%s  %s\n" % (sha256_file(path), name))
    return path


def _member(name, kind="file", target=None, mode=0o644):
    info = tarfile.TarInfo(name)
    info.mode = mode
    if kind == "link":
        info.type, info.linkname = tarfile.SYMTYPE, target
    elif kind == "dir":
        info.type = tarfile.DIRTYPE
    return info


@pytest.mark.parametrize("case,members,why", [
    ("dot-segment", [(_member("state/a", "link", "{outside}"), None),
                     (_member("state/./a/x"), b"bad")], "unsafe member path"),
    ("empty-segment", [(_member("state//tmp/x"), b"bad")], "unsafe member path"),
    ("link-then-file", [(_member("state/a", "link", "{outside}/victim"), None),
                        (_member("state/a"), b"bad")], "appears twice"),
    ("setuid", [(_member("state/tool", mode=0o4755), b"#!/bin/sh\n")], "setuid or setgid"),
    ("device", [(_member("state/zero", "dir"), None)], None),
])
def test_crafted_archives_are_refused_before_anything_is_written(
        gateway, tmp_path, case, members, why):
    outside = tmp_path / "outside"
    outside.mkdir()
    for info, dummy in members:
        if info.issym():
            info.linkname = info.linkname.format(outside=outside)
    if case == "device":  # a character device member
        members = [(_member("state/zero"), None)]
        members[0][0].type, why = tarfile.CHRTYPE, "neither a file"
    path = _forged(tmp_path, case + ".tar.gz", members)
    before = _sums({"state": gateway["parts"]["state"]})
    verified = verify_archive(path)
    assert not verified["ok"] and any(why in e for e in verified["errors"]), verified["errors"]
    with pytest.raises(BackupError, match=why):
        restore_archive(path, {"state": gateway["parts"]["state"]})
    assert os.listdir(outside) == []
    assert _sums({"state": gateway["parts"]["state"]}) == before  # the state is untouched


def test_archives_are_authenticated_with_a_key_kept_apart(gateway, tmp_path):
    from ansible_collections.clawops.orchestrator.plugins.module_utils._backup import load_key
    key = load_key(str(tmp_path / "keys" / "backup.key"), create=True)
    assert oct(os.stat(tmp_path / "keys" / "backup.key").st_mode & 0o777) == "0o600"
    made = create_archive(gateway["parts"], gateway["backups"], "acme-gw", key=key)
    assert verify_archive(made["path"], key)["authenticated"] is True
    assert restore_archive(made["path"], gateway["parts"], key)["verify"]["authenticated"]
    # another host's key, or a swapped archive whose checksum and manifest were forged
    other = load_key(str(tmp_path / "other.key"), create=True)
    assert not verify_archive(made["path"], other)["ok"]
    forged = _forged(tmp_path, "acme-gw-forged.tar.gz", [(_member("state/x"), b"planted")])
    result = verify_archive(forged, key)
    assert not result["ok"] and "has no MAC" in " ".join(result["errors"])
    with pytest.raises(BackupError, match="has no MAC"):
        restore_archive(forged, {"state": gateway["parts"]["state"]}, key)
    # an archive made before MACs existed passes only when trusted explicitly
    assert verify_archive(forged, key, trust_unsigned=True)["ok"]
    with open(forged + ".hmac", "w", encoding="utf-8") as handle:
        handle.write("0" * 64 + "  acme-gw-forged.tar.gz\n")
    assert not verify_archive(forged, key, trust_unsigned=True)["ok"]  # a wrong MAC never


def test_a_key_others_can_read_is_refused(tmp_path):
    from ansible_collections.clawops.orchestrator.plugins.module_utils._backup import load_key
    path = tmp_path / "backup.key"
    path.write_bytes(os.urandom(32))
    os.chmod(path, 0o644)
    with pytest.raises(BackupError, match="chmod 600"):
        load_key(str(path))
    with pytest.raises(BackupError, match="no backup key"):
        load_key(str(tmp_path / "missing.key"))
