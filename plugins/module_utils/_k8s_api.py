# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The few Kubernetes API calls the gateway client (``_gateway_client.PodGateway``) and the
hot apply (``ConfigMapTarget``) need, through the kubernetes client.

Deploys go through kubernetes.core; this is only for reading a gateway's Deployment, pods,
logs and events, running a command in its pod (exec) with a deadline, and writing the
config's ConfigMap. The kubernetes
import is guarded: the module reports a missing library instead of a traceback.
"""

from __future__ import annotations

import json
import posixpath
import shlex
import time

from ._hot import POLL
from ._k8s_manifests import SEED_SCRIPT, SEEDS_DIGEST, SEEDS_DIR
from ._render import GATEWAY_PATHS

MOUNTED_CONFIG = GATEWAY_PATHS["config_path"]
from ._reload import log_messages

try:
    from kubernetes import client as k8s_client
    from kubernetes import config as k8s_config
    from kubernetes.dynamic import DynamicClient
    from kubernetes.client.rest import ApiException
    from kubernetes.stream import stream
    HAS_KUBERNETES = True
    IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module
    HAS_KUBERNETES = False
    IMPORT_ERROR = exc
    ApiException = Exception


class ClusterError(Exception):
    """The cluster could not be reached or refused a request."""


class Cluster(object):
    """A connection to one cluster (kubeconfig file and context, or in-cluster)."""

    def __init__(self, kubeconfig=None, context=None):
        try:
            self.api = k8s_config.new_client_from_config(config_file=kubeconfig,
                                                         context=context)
        except Exception as exc:  # kubeconfig missing or unreadable
            try:
                k8s_config.load_incluster_config()
                self.api = k8s_client.ApiClient()
            except Exception:
                raise ClusterError("cannot load a kubeconfig (%s): set the cluster's "
                                   "kubeconfig in the fleet or KUBECONFIG" % exc)
        self.core = k8s_client.CoreV1Api(self.api)
        self.apps = k8s_client.AppsV1Api(self.api)

    def _plain(self, obj):
        return self.api.sanitize_for_serialization(obj)

    def deployment(self, namespace, name):
        try:
            return self._plain(self.apps.read_namespaced_deployment(name, namespace))
        except ApiException as exc:
            if getattr(exc, "status", None) == 404:
                return None
            raise ClusterError("reading Deployment %s/%s: %s" % (namespace, name, exc))

    def pods(self, namespace, selector):
        try:
            found = self.core.list_namespaced_pod(namespace, label_selector=selector)
        except ApiException as exc:
            raise ClusterError("listing pods %s in %s: %s" % (selector, namespace, exc))
        return [self._plain(p) for p in found.items]

    def logs(self, namespace, pod, container, tail=200, previous=False):
        try:
            return self.core.read_namespaced_pod_log(pod, namespace, container=container,
                                                     tail_lines=tail, previous=previous)
        except ApiException:
            return ""

    def warnings(self, namespace, pod, last=5):
        """The last distinct Warning events of a pod."""
        try:
            found = self.core.list_namespaced_event(
                namespace, field_selector="involvedObject.name=%s" % pod)
        except ApiException:
            return []
        messages = []
        for event in found.items:
            if event.type == "Warning" and event.message and event.message not in messages:
                messages.append(event.message)
        return messages[-last:]

    def exec(self, namespace, pod, container, argv, timeout=20):
        """(rc, stdout, stderr) of argv run in the container; rc None when it timed out."""
        try:
            resp = stream(self.core.connect_get_namespaced_pod_exec, pod, namespace,
                          container=container, command=list(argv), stderr=True, stdin=False,
                          stdout=True, tty=False, _preload_content=False)
        except ApiException as exc:
            return 126, "", str(exc)
        out, err = [], []
        resp.run_forever(timeout=timeout)
        if resp.is_open():
            resp.close()
            return None, "", "timed out after %ds" % timeout
        out.append(resp.read_stdout() or "")
        err.append(resp.read_stderr() or "")
        status = resp.read_channel(3)
        rc = 0
        if status:
            try:
                data = json.loads(status)
            except ValueError:
                data = {}
            if data.get("status") != "Success":
                try:
                    rc = int(data["details"]["causes"][0]["message"])
                except (KeyError, IndexError, ValueError, TypeError):
                    rc = 1
        return rc, "".join(out), "".join(err)


def open_cluster(kubeconfig=None, context=None):
    """A connection to a cluster; ClusterError with the fix when the library is missing or
    the cluster cannot be reached."""
    if not HAS_KUBERNETES:
        raise ClusterError("provider k8s needs the kubernetes Python client on the "
                           "controller: pip install kubernetes (%s)" % IMPORT_ERROR)
    return Cluster(kubeconfig, context)


class ConfigMapTarget(object):
    """A Kubernetes gateway's config for module_utils._hot: the ConfigMap its pod mounts as
    a directory, and the gateway's JSON log file in the pod's state volume (read by exec)."""

    KEY = "openclaw.json"

    def __init__(self, cluster, namespace, config_map, deployment, pods, log_path,
                 spec_sha256=None, field_manager="clawops"):
        """``deployment`` and ``pods``: the gateway's as its client read them (``PodGateway``)."""
        self.cluster, self.namespace, self.name = cluster, namespace, config_map
        self.field_manager = field_manager
        self.deployment, self.pods, self.log_path = deployment, pods, log_path
        self.spec_sha256 = spec_sha256
        self.pod = None

    def where(self):
        return "ConfigMap %s/%s" % (self.namespace, self.name)

    def _data(self, name):
        """The data of ConfigMap ``name`` ({} when it does not exist)."""
        try:
            found = self.cluster.core.read_namespaced_config_map(name, self.namespace)
        except ApiException as exc:
            if getattr(exc, "status", None) == 404:
                return {}
            raise ClusterError("reading ConfigMap %s/%s: %s" % (self.namespace, name, exc))
        return found.data or {}

    def read(self):
        return self._data(self.name).get(self.KEY)

    def _apply(self, body):
        """Server-side apply of a ConfigMap as the role's field manager (the dynamic client,
        as kubernetes.core does): the role's next apply of the same object is a no-op."""
        name = body["metadata"]["name"]
        body = dict(body, metadata=dict(body["metadata"], namespace=self.namespace))
        try:
            resource = DynamicClient(self.cluster.api).resources.get(api_version="v1",
                                                                     kind="ConfigMap")
            resource.server_side_apply(body=body, name=name, namespace=self.namespace,
                                       field_manager=self.field_manager, force_conflicts=True)
        except Exception as exc:  # ApiException and the dynamic client's own errors
            raise ClusterError("writing ConfigMap %s/%s: %s" % (self.namespace, name, exc))

    def write(self, text):
        self._apply({"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": self.name, "namespace": self.namespace},
                     "data": {self.KEY: text}})

    def seed(self, seeds_map, timeout, sleep=time.sleep, clock=time.monotonic):
        """Hand a changed seeds ConfigMap (``_k8s_manifests._seed_map``) to the running pod
        and copy what is missing into the workspaces: the init container's script, run by
        exec in the gateway container once the mount shows the new digest. Returns the lines
        the script printed, or None when the live seeds are these."""
        name = seeds_map["metadata"]["name"]
        want = seeds_map["data"][SEEDS_DIGEST]
        if self._data(name).get(SEEDS_DIGEST) == want:
            return None
        self._apply(seeds_map)
        self.nudge()
        digest_file = shlex.quote(posixpath.join(SEEDS_DIR, SEEDS_DIGEST))
        start = clock()
        while self._sh("cat %s 2>/dev/null" % digest_file).strip() != want:
            if clock() - start > timeout:
                raise ClusterError("the seeds of ConfigMap %s/%s did not reach pod %s within "
                                   "%ss" % (self.namespace, name, self.pod, timeout))
            sleep(POLL)
        rc, out, err = self.cluster.exec(self.namespace, self.pod, "gateway",
                                         ["/bin/sh", posixpath.join(SEEDS_DIR, SEED_SCRIPT)],
                                         timeout=60)
        if rc != 0:
            raise ClusterError("seeding the workspaces in pod %s failed (rc %s): %s"
                               % (self.pod, rc, (err or out).strip()[-500:]))
        return out.splitlines()

    def running(self):
        """The live Deployment is the rendered one (its spec digest) and one ready pod of
        it runs: then only the ConfigMap changes, and the pod stays."""
        annotations = ((self.deployment or {}).get("metadata") or {}).get("annotations") or {}
        if not self.deployment or not self.spec_sha256 or \
                annotations.get("clawops.dev/spec-sha256") != self.spec_sha256:
            return False
        for pod in self.pods:
            meta, status = pod.get("metadata") or {}, pod.get("status") or {}
            ready = [c for c in status.get("containerStatuses") or []
                     if c.get("name") == "gateway" and c.get("ready")]
            if ready and not meta.get("deletionTimestamp") and status.get("phase") == "Running":
                self.pod = meta["name"]
                return True
        return False

    def nudge(self):
        """A pod update makes the kubelet sync the pod's volumes now instead of at its next
        periodic sync (up to a minute and more): the new ConfigMap reaches the mount at once."""
        try:
            self.cluster.core.patch_namespaced_pod(
                self.pod, self.namespace,
                {"metadata": {"annotations": {"clawops.dev/config-sync": str(time.time())}}})
        except ApiException:
            pass  # the periodic sync still brings it

    def mounted(self):
        """The config the pod's gateway container mounts now (the kubelet brings a ConfigMap
        edit to the mount a while after it is made), or None when it cannot be read."""
        if not self.pod:
            return None
        rc, out, dummy = self.cluster.exec(self.namespace, self.pod, "gateway",
                                           ["cat", MOUNTED_CONFIG], timeout=20)
        return out if rc == 0 and out else None

    def _sh(self, script):
        rc, out, dummy = self.cluster.exec(self.namespace, self.pod, "gateway",
                                           ["/bin/sh", "-c", script], timeout=20)
        return out if rc == 0 else ""

    def log_size(self):
        out = self._sh("wc -c < %s 2>/dev/null || echo 0" % shlex.quote(self.log_path))
        try:
            return int(out.strip() or 0)
        except ValueError:
            return 0

    def messages_since(self, offset):
        quoted = shlex.quote(self.log_path)
        # a rotated (shorter) file is read from its start
        out = self._sh("size=$(wc -c < %s 2>/dev/null || echo 0); if [ \"$size\" -lt %d ]; then "
                       "cat %s; else tail -c +%d %s; fi" % (quoted, offset, quoted, offset + 1,
                                                            quoted))
        return log_messages(out)
