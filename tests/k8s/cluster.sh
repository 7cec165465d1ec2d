#!/usr/bin/env bash
# A real single-node Kubernetes cluster for the tests, built from the registries only.
#
#   tests/k8s/cluster.sh build            build (or find cached) binaries, print build times
#   tests/k8s/cluster.sh up               build, then start everything; idempotent
#   tests/k8s/cluster.sh import-image REF copy a Docker image into the node's containerd
#   tests/k8s/cluster.sh status           what runs, node conditions
#   tests/k8s/cluster.sh down             stop everything (data stays; `up` again reuses it)
#   tests/k8s/cluster.sh purge            down, then remove the cluster's data
#   tests/k8s/cluster.sh env              print `export KUBECONFIG=...`
#   tests/k8s/cluster.sh bin              print the directory of the built binaries (kubectl)
#
# Parts (see docs/k8s-test-cluster.md for the recipe and the figures):
#   - kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl
#     of a pinned release and etcd (go.etcd.io/etcd/server/v3) in one module and one build
#     (tests/k8s/build/kubernetes: one `replace` per staging module); kube-router's
#     NetworkPolicy controller alone (tests/k8s/build/kube-router/main.go); all via the Go
#     module proxy;
#   - containerd, runc, CNI plugins, iptables and ipset from Debian;
#   - the pause image compiled from the pause.c inside the k8s.io/kubernetes module;
#   - CoreDNS with the plugins of its Corefile only (tests/k8s/build/coredns/main.go), in a
#     FROM-scratch image, as the cluster DNS in kube-system,
#     forwarding to this machine's resolver;
#   - PersistentVolumes from the controller-manager's built-in hostPath provisioner
#     (StorageClass `standard`, default; a single-node test cluster only).
# Binaries are cached in $CLAWOPS_K8S_CACHE, keyed by the build modules' files, the Go version
# and this script's build recipe, so a second `up` on the same machine builds nothing.
#
# CLAWOPS_K8S_KUBELET=0 starts an API-server-only cluster (etcd, apiserver, controller
# manager, scheduler): every object is still applied to and validated by a real API server.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
K8S_VERSION=v1.34.4
BUILD_RECIPE=5                     # bump when the build commands below change
DIR=${CLAWOPS_K8S_DIR:-/var/lib/clawops-k8s}
CACHE=${CLAWOPS_K8S_CACHE:-/var/cache/clawops-k8s}
KUBELET=${CLAWOPS_K8S_KUBELET:-1}
NODE=${CLAWOPS_K8S_NODE:-clawops-node}
BASE=${CLAWOPS_K8S_PORT_BASE:-26400}
ETCD_PORT=$((BASE + 1)); ETCD_PEER_PORT=$((BASE + 2)); API_PORT=$((BASE + 43))
KUBELET_PORT=$((BASE + 50)); KUBELET_HEALTHZ=$((BASE + 48)); PROXY_HEALTHZ=$((BASE + 56))
PROXY_METRICS=$((BASE + 49)); KCM_PORT=$((BASE + 57)); SCHED_PORT=$((BASE + 59))
ROUTER_HEALTH=$((BASE + 20))
POD_CIDR=${CLAWOPS_K8S_POD_CIDR:-10.244.0.0/24}
CLUSTER_CIDR=${CLAWOPS_K8S_CLUSTER_CIDR:-10.244.0.0/16}
SERVICE_CIDR=${CLAWOPS_K8S_SERVICE_CIDR:-10.96.0.0/16}
SERVICE_IP=10.96.0.1
DNS_IP=10.96.0.10
PAUSE_IMAGE=clawops.local/pause:3.10
CONTAINERD_SOCK=$DIR/run/containerd.sock

export GOSUMDB=off GOFLAGS="-mod=mod -buildvcs=false"
log() { printf '[k8s] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b - a}'; }

cache_key() {
  { cat "$HERE"/build/*/go.mod "$HERE"/build/*/go.sum "$HERE"/build/*/*.go; go version; echo "$K8S_VERSION $BUILD_RECIPE"; } \
    | sha256sum | cut -c1-16
}
BIN=""
set_bin() { BIN="$CACHE/$(cache_key)/bin"; }

# --- build ---------------------------------------------------------------------------------
build() {
  command -v go >/dev/null 2>&1 || die "no Go toolchain: the build needs go (this machine kind ships it)"
  set_bin
  local want=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl etcd kube-router coredns pause)
  local missing=()
  for b in "${want[@]}"; do [ -x "$BIN/$b" ] || missing+=("$b"); done
  if [ ${#missing[@]} -eq 0 ]; then
    log "binaries cached: $BIN"
    return 0
  fi
  mkdir -p "$BIN.partial"
  local t0 t v=k8s.io/component-base/version minor
  minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  local ld="-s -w -X $v.gitVersion=$K8S_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean -X $v.buildDate=1970-01-01T00:00:00Z"
  t0=$(now)
  # one module and one `go build` with etcd: the packages they share (grpc, protobuf, etcd's
  # client, otel) compile once
  log "building Kubernetes $K8S_VERSION (apiserver, controller-manager, scheduler, kubelet, proxy, kubectl) and etcd from the Go module proxy"
  (cd "$HERE/build/kubernetes" && go build -trimpath -ldflags "$ld" -o "$BIN.partial/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet \
      k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubectl go.etcd.io/etcd/server/v3)
  mv "$BIN.partial/server" "$BIN.partial/etcd"   # go names a /v3 path's binary after its parent
  log "  kubernetes binaries and etcd: $(since "$t0") s"
  # kube-router and CoreDNS: mains with only what the cluster runs of them (build/*/main.go)
  t=$(now)
  (cd "$HERE/build/kube-router" && go build -trimpath -ldflags "-s -w" -o "$BIN.partial/kube-router" .)
  log "  kube-router (NetworkPolicy controller only): $(since "$t") s"
  t=$(now)
  (cd "$HERE/build/coredns" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$BIN.partial/coredns" .)
  log "  coredns (the Corefile's plugins only): $(since "$t") s"
  t=$(now)
  local src
  src=$(cd "$HERE/build/kubernetes" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)
  gcc -Os -static -Wall -DVERSION=3.10-clawops -o "$BIN.partial/pause" "$src/build/pause/linux/pause.c"
  log "  pause (gcc -static): $(since "$t") s"
  rm -rf "$BIN"
  mv "$BIN.partial" "$BIN"
  # binaries of other recipes or pins are stale now
  find "$CACHE" -mindepth 1 -maxdepth 1 -type d ! -name "$(basename "$(dirname "$BIN")")" -exec rm -rf {} +
  log "build done in $(since "$t0") s: $BIN"
}

# --- host packages ---------------------------------------------------------------------------
packages() {
  local need=()
  command -v containerd >/dev/null 2>&1 || need+=(containerd)
  command -v runc >/dev/null 2>&1 || need+=(runc)
  [ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
  command -v iptables >/dev/null 2>&1 || need+=(iptables)
  command -v ipset >/dev/null 2>&1 || need+=(ipset)
  command -v conntrack >/dev/null 2>&1 || need+=(conntrack)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
  command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
  command -v ip >/dev/null 2>&1 || need+=(iproute2)
  if [ ${#need[@]} -gt 0 ]; then
    log "apt-get install ${need[*]}"
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}"
  fi
}

node_ip() {
  ip -4 route get 1.1.1.1 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "src") {print $(i + 1); exit}}'
}

# --- certificates --------------------------------------------------------------------------
cert() { # name CN O [SANs]
  local name=$1 cn=$2 org=$3 san=${4:-} subj
  [ -f "$DIR/pki/$name.crt" ] && return 0
  subj="/CN=$cn"; [ -n "$org" ] && subj="/O=$org$subj"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$DIR/pki/$name.key" -subj "$subj" \
    -out "$DIR/pki/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [ -n "$san" ]; then echo "extendedKeyUsage=serverAuth,clientAuth"; echo "subjectAltName=$san";
    else echo "extendedKeyUsage=clientAuth"; fi
  } > "$DIR/pki/$name.ext"
  openssl x509 -req -in "$DIR/pki/$name.csr" -CA "$DIR/pki/ca.crt" -CAkey "$DIR/pki/ca.key" \
    -CAcreateserial -days 3650 -sha256 -extfile "$DIR/pki/$name.ext" -out "$DIR/pki/$name.crt" 2>/dev/null
  rm -f "$DIR/pki/$name.csr" "$DIR/pki/$name.ext"
}

kubeconfig() { # file cert-name
  cat > "$DIR/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: clawops-test
    cluster:
      certificate-authority: $DIR/pki/ca.crt
      server: https://127.0.0.1:$API_PORT
users:
  - name: $2
    user:
      client-certificate: $DIR/pki/$2.crt
      client-key: $DIR/pki/$2.key
contexts:
  - name: clawops-test
    context: {cluster: clawops-test, user: $2}
current-context: clawops-test
EOF
  chmod 0600 "$DIR/$1.kubeconfig"
}

pki() {
  mkdir -p "$DIR/pki"; chmod 0700 "$DIR/pki"
  local ip=$1
  if [ ! -f "$DIR/pki/ca.crt" ]; then
    openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$DIR/pki/ca.key" -days 3650 \
      -subj "/CN=clawops-test-ca" -out "$DIR/pki/ca.crt" 2>/dev/null
    openssl genrsa -out "$DIR/pki/sa.key" 2048 2>/dev/null
    openssl rsa -in "$DIR/pki/sa.key" -pubout -out "$DIR/pki/sa.pub" 2>/dev/null
  fi
  cert apiserver kube-apiserver "" \
    "IP:127.0.0.1,IP:$SERVICE_IP,IP:$ip,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert admin clawops-admin system:masters
  cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  cert controller-manager system:kube-controller-manager ""
  cert scheduler system:kube-scheduler ""
  cert kube-proxy system:kube-proxy ""
  cert kube-router system:kube-router ""
  cert "node-$NODE" "system:node:$NODE" system:nodes
  cert kubelet-serving "$NODE" "" "IP:127.0.0.1,IP:$ip,DNS:$NODE"
  kubeconfig admin admin
  kubeconfig controller-manager controller-manager
  kubeconfig scheduler scheduler
  kubeconfig kube-proxy kube-proxy
  kubeconfig kube-router kube-router
  kubeconfig kubelet "node-$NODE"
}

# --- processes -----------------------------------------------------------------------------
running() { [ -f "$DIR/run/$1.pid" ] && kill -0 "$(cat "$DIR/run/$1.pid")" 2>/dev/null; }
start() { # name cmd...
  local name=$1; shift
  if running "$name"; then return 0; fi
  # 9>&-: a daemon must not inherit the lock below, or the next `up` (the tests' fixture)
  # waits for it forever.
  setsid nohup "$@" > "$DIR/logs/$name.log" 2>&1 < /dev/null 9>&- &
  echo $! > "$DIR/run/$name.pid"
}
wait_for() { # what seconds cmd...
  local what=$1 secs=$2; shift 2
  for _ in $(seq 1 "$secs"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  log "$what did not come up in $secs s; last log lines:"
  tail -25 "$DIR/logs/$what.log" >&2 2>/dev/null || true
  return 1
}
kc() { "$BIN/kubectl" --kubeconfig "$DIR/admin.kubeconfig" "$@"; }
api_healthy() { curl -sf --cacert "$DIR/pki/ca.crt" --cert "$DIR/pki/admin.crt" --key "$DIR/pki/admin.key" \
  "https://127.0.0.1:$API_PORT/readyz" | grep -q ok; }

ctr_() { ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }

containerd_config() {
  mkdir -p "$DIR/containerd" "$DIR/cni/net.d" "$DIR/cni/ipam"
  cat > "$DIR/containerd/config.toml" <<EOF
version = 2
root = "$DIR/containerd/root"
state = "$DIR/run/containerd-state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$DIR/run/containerd.sock.ttrpc"
[debug]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$DIR/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  enable_selinux = false
  # This machine's root lacks CAP_SYS_RESOURCE: no process may lower its oom_score_adj below
  # ours (0), and containerd would set -998 on every pod sandbox. Clamp instead of failing.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$DIR/cni/net.d"
EOF
  # The firewall plugin accepts pod traffic in FORWARD (Docker sets its policy to DROP);
  # kube-router's NetworkPolicy chains sit before it.
  cat > "$DIR/cni/net.d/10-clawops.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "clawops-pods",
  "plugins": [
    {"type": "bridge", "bridge": "clawops0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
     "ipam": {"type": "host-local", "dataDir": "$DIR/cni/ipam",
              "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}},
    {"type": "firewall", "backend": "iptables"}
  ]
}
EOF
}

kubelet_config() {
  mkdir -p "$DIR/kubelet"
  cat > "$DIR/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 0.0.0.0
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $DIR/pki/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $DIR/pki/kubelet-serving.crt
tlsPrivateKeyFile: $DIR/pki/kubelet-serving.key
cgroupDriver: cgroupfs
# This machine mounts cgroup v1 controllers (kubelet 1.35+ would refuse them by default).
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
clusterDomain: cluster.local
clusterDNS: [$DNS_IP]
resolvConf: /etc/resolv.conf
protectKernelDefaults: false
serializeImagePulls: false
# Locally imported images must never be garbage-collected: there is no registry to pull from.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "200Mi", nodefs.available: "2%", imagefs.available: "2%", nodefs.inodesFree: "2%"}
maxPods: 30
EOF
}

up() {
  [ "$(id -u)" = 0 ] || die "run as root (the kubelet, containerd and iptables need it)"
  local t0 t ip
  t0=$(now)
  packages
  build
  mkdir -p "$DIR/run" "$DIR/logs" "$DIR/etcd"
  ip=$(node_ip); [ -n "$ip" ] || die "no IPv4 address with a default route on this machine"
  pki "$ip"

  t=$(now)
  start etcd "$BIN/etcd" --name "$NODE" --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "$NODE=http://127.0.0.1:$ETCD_PEER_PORT" --listen-metrics-urls "" --log-level warn
  wait_for etcd 30 curl -sf "http://127.0.0.1:$ETCD_PORT/health"

  start kube-apiserver "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 0.0.0.0 --secure-port "$API_PORT" --advertise-address "$ip" \
    --tls-cert-file "$DIR/pki/apiserver.crt" --tls-private-key-file "$DIR/pki/apiserver.key" \
    --client-ca-file "$DIR/pki/ca.crt" \
    --kubelet-client-certificate "$DIR/pki/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$DIR/pki/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "$DIR/pki/ca.crt" --kubelet-port "$KUBELET_PORT" \
    --kubelet-preferred-address-types InternalIP \
    --service-account-key-file "$DIR/pki/sa.pub" --service-account-signing-key-file "$DIR/pki/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range "$SERVICE_CIDR" --authorization-mode Node,RBAC \
    --enable-admission-plugins NodeRestriction --allow-privileged=false \
    --profiling=false --v=1
  wait_for kube-apiserver 90 api_healthy

  start kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig "$DIR/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$DIR/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$DIR/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$KCM_PORT" --leader-elect=false \
    --use-service-account-credentials=true --service-account-private-key-file "$DIR/pki/sa.key" \
    --root-ca-file "$DIR/pki/ca.crt" --cluster-signing-cert-file "$DIR/pki/ca.crt" \
    --cluster-signing-key-file "$DIR/pki/ca.key" --allocate-node-cidrs=true \
    --cluster-cidr "$CLUSTER_CIDR" --service-cluster-ip-range "$SERVICE_CIDR" \
    --node-cidr-mask-size 24 --enable-hostpath-provisioner=true --profiling=false --v=1
  start kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$DIR/scheduler.kubeconfig" \
    --authentication-kubeconfig "$DIR/scheduler.kubeconfig" \
    --authorization-kubeconfig "$DIR/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --leader-elect=false --profiling=false --v=1
  wait_for kube-controller-manager 60 curl -skf "https://127.0.0.1:$KCM_PORT/healthz"
  wait_for kube-scheduler 60 curl -skf "https://127.0.0.1:$SCHED_PORT/healthz"
  log "control plane up in $(since "$t") s (etcd, apiserver https://127.0.0.1:$API_PORT, controller-manager, scheduler)"

  kc apply -f - > /dev/null <<'EOF'
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/host-path
reclaimPolicy: Delete
volumeBindingMode: Immediate
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: clawops-test:kube-router}
rules:
  - apiGroups: [""]
    resources: [namespaces, pods, services, nodes, endpoints]
    verbs: [get, list, watch]
  - apiGroups: [networking.k8s.io]
    resources: [networkpolicies]
    verbs: [get, list, watch]
  - apiGroups: [discovery.k8s.io]
    resources: [endpointslices]
    verbs: [get, list, watch]
  - apiGroups: [""]
    resources: [events]
    verbs: [create, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: clawops-test:kube-router}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: clawops-test:kube-router}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: User, name: system:kube-router}
EOF

  if [ "$KUBELET" = 1 ]; then
    node_up "$ip"
  else
    log "API-server-only cluster (CLAWOPS_K8S_KUBELET=0): no kubelet, no pods run"
  fi
  echo "$KUBELET" > "$DIR/run/kubelet-mode"
  log "cluster up in $(since "$t0") s; export KUBECONFIG=$DIR/admin.kubeconfig"
}

node_up() {
  local ip=$1 t
  t=$(now)
  # bridged pod traffic must pass iptables (kube-proxy and the NetworkPolicy chains)
  [ "$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)" = 1 ] \
    || echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables
  echo 1 > /proc/sys/net/ipv4/ip_forward
  containerd_config
  start containerd containerd --config "$DIR/containerd/config.toml"
  wait_for containerd 30 ctr_ version
  if ! ctr_ images ls -q | grep -qx "docker.io/$PAUSE_IMAGE\|$PAUSE_IMAGE"; then
    pause_image
  fi
  kubelet_config
  start kubelet "$BIN/kubelet" --config "$DIR/kubelet/config.yaml" --kubeconfig "$DIR/kubelet.kubeconfig" \
    --root-dir "$DIR/kubelet/root" --cert-dir "$DIR/kubelet/pki" --hostname-override "$NODE" \
    --node-ip "$ip" --v=1
  wait_for kubelet 120 kc get node "$NODE"
  start kube-proxy "$BIN/kube-proxy" --kubeconfig "$DIR/kube-proxy.kubeconfig" \
    --hostname-override "$NODE" --cluster-cidr "$CLUSTER_CIDR" --proxy-mode iptables \
    --healthz-bind-address "127.0.0.1:$PROXY_HEALTHZ" --metrics-bind-address "127.0.0.1:$PROXY_METRICS" \
    --conntrack-max-per-core 0 --v=1
  start kube-router "$BIN/kube-router" --kubeconfig "$DIR/kube-router.kubeconfig" \
    --hostname-override "$NODE" --run-firewall=true --run-router=false --run-service-proxy=false \
    --enable-cni=false --enable-ipv4=true --enable-ipv6=false --health-port "$ROUTER_HEALTH" \
    --metrics-port 0 --v=1
  wait_for kubelet 120 kc wait --for=condition=Ready "node/$NODE" --timeout=1s
  wait_for kube-proxy 60 curl -sf "http://127.0.0.1:$PROXY_HEALTHZ/healthz"
  wait_for kube-router 60 curl -sf "http://127.0.0.1:$ROUTER_HEALTH/healthz"
  cluster_dns
  log "node $NODE ready in $(since "$t") s (containerd, kubelet, kube-proxy, kube-router)"
}

scratch_image() { # ref binary: a FROM-scratch image of one static binary, into the node
  local ref=$1 bin=$2 ctx
  ctx=$(mktemp -d)
  cp "$BIN/$bin" "$ctx/$bin"
  printf 'FROM scratch\nCOPY %s /%s\nUSER 65532:65532\nENTRYPOINT ["/%s"]\n' "$bin" "$bin" "$bin" > "$ctx/Dockerfile"
  docker build -q -t "$ref" "$ctx" >/dev/null
  rm -rf "$ctx"
  docker save "$ref" | ctr_ images import - >/dev/null
}

cluster_dns() {
  local t
  t=$(now)
  # tagged with the binaries' cache key: new binaries, a new image, a rolled Deployment
  local image
  image="clawops.local/coredns:$(basename "$(dirname "$BIN")")"
  ctr_ images ls -q | grep -qxF "$image" || scratch_image "$image" coredns
  kc apply -f - > /dev/null <<EOF
apiVersion: v1
kind: ServiceAccount
metadata: {name: coredns, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: clawops-test:coredns}
rules:
  - apiGroups: [""]
    resources: [endpoints, services, pods, namespaces]
    verbs: [list, watch]
  - apiGroups: [discovery.k8s.io]
    resources: [endpointslices]
    verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: clawops-test:coredns}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: clawops-test:coredns}
subjects:
  - {kind: ServiceAccount, name: coredns, namespace: kube-system}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: coredns, namespace: kube-system}
data:
  Corefile: |
    .:53 {
        errors
        health :8080
        ready :8181
        kubernetes cluster.local in-addr.arpa ip6.arpa {
            pods insecure
            fallthrough in-addr.arpa ip6.arpa
        }
        forward . /etc/resolv.conf
        cache 30
        loop
    }
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  replicas: 1
  selector: {matchLabels: {k8s-app: kube-dns}}
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec:
      serviceAccountName: coredns
      dnsPolicy: Default
      # non-root on port 53 (what NetworkPolicies expect of cluster DNS): a safe sysctl
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        seccompProfile: {type: RuntimeDefault}
        sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: "53"}]
      containers:
        - name: coredns
          image: $image
          imagePullPolicy: IfNotPresent
          args: [-conf, /etc/coredns/Corefile]
          ports:
            - {name: dns, containerPort: 53, protocol: UDP}
            - {name: dns-tcp, containerPort: 53, protocol: TCP}
          readinessProbe: {httpGet: {path: /ready, port: 8181}, periodSeconds: 5}
          livenessProbe: {httpGet: {path: /health, port: 8080}, periodSeconds: 10}
          resources: {requests: {memory: 32Mi, cpu: 50m}, limits: {memory: 128Mi}}
          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
          volumeMounts: [{name: config, mountPath: /etc/coredns, readOnly: true}]
      volumes: [{name: config, configMap: {name: coredns}}]
---
apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  clusterIP: $DNS_IP
  selector: {k8s-app: kube-dns}
  ports:
    - {name: dns, port: 53, targetPort: 53, protocol: UDP}
    - {name: dns-tcp, port: 53, targetPort: 53, protocol: TCP}
EOF
  wait_for coredns 120 kc -n kube-system rollout status deploy/coredns --timeout=1s
  log "cluster DNS (CoreDNS $DNS_IP) ready in $(since "$t") s"
}

pause_image() {
  local t ctx
  t=$(now)
  scratch_image "$PAUSE_IMAGE" pause
  log "pause image built and imported in $(since "$t") s"
}

normalize_ref() { # the name containerd stores a Docker image ref under
  local ref=$1 first=${1%%/*}
  case "$ref" in
    */*) case "$first" in *.*|*:*|localhost) echo "$ref" ;; *) echo "docker.io/$ref" ;; esac ;;
    *) echo "docker.io/library/$ref" ;;
  esac
}

import_image() {
  local ref=$1 t id marker
  [ -S "$CONTAINERD_SOCK" ] || die "the node's containerd is not running (API-server-only cluster or not up)"
  id=$(docker image inspect --format '{{.Id}}' "$ref" 2>/dev/null) || die "no Docker image $ref on this machine"
  marker="$DIR/run/imported-${id#sha256:}"
  if [ -f "$marker" ] && ctr_ images ls -q | grep -qxF "$(normalize_ref "$ref")"; then
    log "image $ref already in the node's containerd"
    return 0
  fi
  t=$(now)
  docker save "$ref" | ctr_ images import - >/dev/null
  touch "$marker"
  log "imported $ref into the node in $(since "$t") s"
}

down() {
  local name
  for name in kube-router kube-proxy kubelet kube-scheduler kube-controller-manager kube-apiserver etcd; do
    if running "$name"; then kill "$(cat "$DIR/run/$name.pid")" 2>/dev/null || true; fi
  done
  sleep 2
  if [ -S "$CONTAINERD_SOCK" ]; then
    # stop the pods' containers (tasks), so nothing keeps running without a kubelet
    local c
    for c in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s SIGKILL "$c" >/dev/null 2>&1 || true; done
    sleep 2
    for c in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks delete -f "$c" >/dev/null 2>&1 || true; done
    for c in $(ctr_ containers ls -q 2>/dev/null); do ctr_ containers delete "$c" >/dev/null 2>&1 || true; done
  fi
  if running containerd; then kill "$(cat "$DIR/run/containerd.pid")" 2>/dev/null || true; fi
  for name in kube-router kube-proxy kubelet kube-scheduler kube-controller-manager kube-apiserver etcd containerd; do
    if running "$name"; then sleep 3; kill -9 "$(cat "$DIR/run/$name.pid")" 2>/dev/null || true; fi
    rm -f "$DIR/run/$name.pid"
  done
  # pod sandboxes' mounts and network namespaces
  grep -o " $DIR/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  ip link delete clawops0 2>/dev/null || true
  log "cluster stopped (data kept in $DIR)"
}

status() {
  local name
  for name in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy kube-router; do
    if running "$name"; then echo "$name: running (pid $(cat "$DIR/run/$name.pid"))"; else echo "$name: stopped"; fi
  done
  set_bin
  if [ -x "$BIN/kubectl" ] && api_healthy; then kc get nodes -o wide 2>&1 || true; fi
}

# One build or start at a time (scripts/test.sh starts one in the background; the tests'
# fixture waits for it here).
case "${1:-}" in
  build|up|down|purge|import-image)
    mkdir -p "$CACHE"
    exec 9>"$CACHE/.lock"
    flock 9 ;;
esac

case "${1:-}" in
  build) build ;;
  up) up ;;
  import-image) [ -n "${2:-}" ] || die "usage: $0 import-image REF"; import_image "$2" ;;
  status) status ;;
  down) set_bin; down ;;
  purge) set_bin; down; rm -rf "$DIR" /tmp/hostpath_pv; log "cluster data removed" ;;
  env) echo "export KUBECONFIG=$DIR/admin.kubeconfig" ;;
  bin) set_bin; echo "$BIN" ;;
  *) sed -n "2,13p" "$0"; exit 2 ;;
esac
