#!/usr/bin/env bash
# The test command (README, second command; .ci/run calls it).
#   scripts/test.sh          everything: unit + real-part tests, ansible-test sanity, ansible-lint
#   scripts/test.sh fast     unit tests only (no CLI, no openclaw): seconds
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
if [ "${1:-}" != "fast" ]; then
  # The Kubernetes test cluster's binaries (tests/k8s/cluster.sh) are built from the Go module
  # proxy on a new machine (~15 min of 2 cores, cached afterwards): in the background from
  # the start. The cluster starts (below) once the Docker engine runs.
  mkdir -p .build
  nice -n 10 bash tests/k8s/cluster.sh build > .build/k8s-build.log 2>&1 &
fi
bash scripts/bootstrap.sh || { echo "bootstrap failed" >&2; exit 1; }
export ANSIBLE_COLLECTIONS_PATH="$ROOT/.build/collections"
PY=.venv/bin/python

run_pytest() {
  "$PY" -m pytest "$@"
  local rc=$?
  if [ "$rc" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure here" >&2
    return 1
  fi
  return "$rc"
}

if [ "${1:-}" = "fast" ]; then
  run_pytest -q -m "not real" tests/unit
  exit $?
fi

# The real Docker engine (with compose v2) the deploy tests use; started if not running.
bash scripts/docker_engine.sh || { echo "no Docker engine: the deploy tests need one" >&2; exit 1; }

# A second pytest runs beside the main one (2 cores; measured CI: the main stream is the
# longer one): start the K8s cluster once its build is done, wait for the gateway image the
# first Compose deploy builds (one builder per build context), then run the K8s tests and
# the Compose molecule scenario (fixed demo ports, no clash with the main stream's).
K8S_TESTS=(tests/integration/test_k8s.py tests/integration/test_molecule_k8s.py)
SIDE_TESTS=("${K8S_TESTS[@]}" tests/integration/test_molecule_compose.py)
IMAGE="localhost/clawops/openclaw:$(sed -n 's/^ *version: "\(.*\)"$/\1/p' examples/fleet/fleet.yml | head -1)"
(
  rc=0
  side=("${SIDE_TESTS[@]}")
  if ! nice -n 10 bash tests/k8s/cluster.sh up > .build/k8s-cluster.log 2>&1; then
    echo "the K8s test cluster did not start (the K8s tests did not run):"
    tail -40 .build/k8s-cluster.log
    rc=3; side=(tests/integration/test_molecule_compose.py)
  fi
  waited=0
  until docker image inspect "$IMAGE" > /dev/null 2>&1; do
    [ "$waited" -lt 3600 ] || { echo "no $IMAGE after ${waited} s: these tests need it"; exit 4; }
    sleep 10; waited=$((waited + 10))
  done
  run_pytest -q -p no:cacheprovider --basetemp=/tmp/clawops-pytest-side --durations=15 \
    "${side[@]}" || rc=1
  exit "$rc"
) > .build/side-tests.log 2>&1 &
k8s_pid=$!

# ansible-lint and ansible-test sanity run niced beside pytest (2 cores; the gateway tests
# spend most of their time waiting for gateways) and are reported after it.
(
  rc=0
  nice -n 15 .venv/bin/ansible-lint --nocolor > .build/lint.log 2>&1 || rc=$((rc | 1))
  nice -n 15 bash scripts/sanity.sh > .build/sanity.log 2>&1 || rc=$((rc | 2))
  exit "$rc"
) &
static_pid=$!

failed=()
echo "== pytest (unit + real parts: openclaw $(.tools/bin/openclaw --version 2>/dev/null | head -1))"
run_pytest -q --durations=25 tests/unit tests/integration "${SIDE_TESTS[@]/#/--ignore=}" \
  || failed+=(pytest)
wait "$k8s_pid"
k8s_rc=$?
echo "== pytest, beside the above: ${SIDE_TESTS[*]}"
grep -h '^\[k8s\]' .build/k8s-build.log .build/k8s-cluster.log
cat .build/side-tests.log
[ "$k8s_rc" -eq 0 ] || failed+=(pytest-side)
wait "$static_pid"
static_rc=$?
echo "== ansible-lint (production profile)"
tail -3 .build/lint.log
[ $((static_rc & 1)) -eq 0 ] || { cat .build/lint.log; failed+=(ansible-lint); }
echo "== ansible-test sanity"
if [ $((static_rc & 2)) -eq 0 ]; then
  tail -3 .build/sanity.log
else
  grep -E '^(ERROR|FATAL)' .build/sanity.log || tail -30 .build/sanity.log
  failed+=(sanity)
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all checks passed: pytest, ansible-lint, ansible-test sanity"
