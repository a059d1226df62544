#!/usr/bin/env bash
# Usage: hostile_gallery.sh LOGOFFCHECK HOSTILE_LIBRARY BEHAVIOUR
# Certifies the hostile provider library (hostile_provider.cpp) with one
# misbehaviour, isolated as every library is by default, and holds the run
# to docs/isolation.md: the expected verdict, the verifier's own output well
# under 256 KiB whatever the store prints, every line the store printed
# marked as its own, and no process the store started alive once the
# verifier has returned.
set -uo pipefail
logoffcheck=$1 library=$2 behaviour=$3
# BEHAVIOUR-threads: the store's BEHAVIOUR, certified with --threads 2.
store_behaviour=${behaviour%-threads}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL [$behaviour]: $*" >&2; failures=$((failures + 1)); }

# certify EXPECTED_STATUS ARG... — runs certify, keeps stdout+stderr in $output.
certify() {
  local expected=$1
  shift
  # Hostile stores run under an address-space ceiling of 4 GiB, whatever
  # limit the verifier sets its workers (none under AddressSanitizer, whose
  # shadow memory exceeds any ceiling: CMake says which).
  (ulimit -v "${LOGOFFCHECK_GALLERY_ADDRESS_SPACE_KIB:-4194304}"
   LOGOFFCHECK_HOSTILE=$store_behaviour LOGOFFCHECK_HOSTILE_PIDS=$work/pids \
     exec timeout 300 "$logoffcheck" certify --provider "$library" --cases 200 "$@") \
    >"$work/out" 2>&1
  status=$?
  output=$(cat "$work/out")
  local bytes
  bytes=$(wc -c <"$work/out")
  echo "--- $behaviour $*: exit $status, $bytes bytes of output"
  [[ $status -eq $expected ]] || fail "exit status $status, expected $expected"
  ((bytes < 262144)) || fail "the verifier wrote $bytes bytes"
  # The store's fake verdict never reads as the verifier's.
  [[ $(grep -c '^  verdict  ' <<<"$output") -eq 1 ]] || fail "not exactly one verdict line"
  grep -q '^x\{100\}' <<<"$output" && fail "unmarked provider output in the verifier's"
}

# rc3 OBSERVED_REGEX LENGTH — the run found RC-3, observed as described,
# shrunk to LENGTH steps.
rc3() {
  grep -q "NOT CONFORMANT: RC-3 (MUST) failed" <<<"$output" || fail "RC-3 not named"
  grep -qE "^  observed: $1" <<<"$output" ||
    fail "observed: $(grep '^  observed:' <<<"$output"), expected /$1/"
  grep -qE "^Minimal counterexample: $2 steps? " <<<"$output" ||
    fail "expected $2 step(s): $(grep '^Minimal' <<<"$output")"
}

case $behaviour in
  flood)
    certify 0
    grep -q "^  verdict  CONFORMANT" <<<"$output" || fail "not CONFORMANT"
    ;;
  flood-failing)
    certify 1
    grep -q "NOT CONFORMANT: SL-1" <<<"$output" || fail "SL-1 not found"
    grep -q "^Provider output during the case (1.* bytes, the last 4096 shown)" <<<"$output" ||
      fail "the store's output is not shown with the counterexample"
    grep -q "^  |   verdict  CONFORMANT$" <<<"$output" || fail "the tail is not marked"
    ;;
  fork)
    certify 0
    [[ -s $work/pids ]] || fail "the store forked no child"
    # A pid may have been reused meanwhile: a survivor is a process with
    # this run's environment.
    while read -r pid; do
      if grep -qzF "LOGOFFCHECK_HOSTILE_PIDS=$work/pids" "/proc/$pid/environ" 2>/dev/null; then
        fail "process $pid, forked by the store, outlived the run"
      fi
    done <"$work/pids"
    echo "$(wc -l <"$work/pids") forked children"
    ;;
  late-crash)
    certify 1
    rc3 "StoreLogoff died by SIGSEGV \(signal 11\) [0-9]+ ms after it returned" 1
    ;;
  late-exit)
    certify 1
    rc3 "StoreLogoff exited the process with status 7 [0-9]+ ms after it returned" 1
    ;;
  eat-memory)
    certify 1 --memory-limit-mb 256
    rc3 "StoreLogoff exceeded the memory limit of 256 MiB" 1
    ;;
  eat-memory-threads)
    # Concurrent histories get the memory limit too: an RC-3 naming it, in
    # bounded time (the timeout above), not a worker allocating without end.
    certify 1 --threads 2 --memory-limit-mb 512
    grep -q "NOT CONFORMANT: RC-3 (MUST) failed" <<<"$output" || fail "RC-3 not named"
    grep -qE "^  observed: StoreLogoff.* exceeded the memory limit of 512 MiB" <<<"$output" ||
      fail "observed: $(grep '^  observed:' <<<"$output"), expected the memory limit"
    ;;
  abort-on-malloc-failure)
    certify 1 --memory-limit-mb 256
    rc3 "StoreLogoff died by SIGABRT \(signal 6\) at its memory limit of 256 MiB" 1
    ;;
  abort-on-malloc-failure-threads)
    certify 1 --threads 2 --memory-limit-mb 512
    grep -q "NOT CONFORMANT: RC-3 (MUST) failed" <<<"$output" || fail "RC-3 not named"
    grep -qE "^  observed: StoreLogoff.* died by SIGABRT \(signal 6\) at its memory limit of 512 MiB" \
      <<<"$output" || fail "observed: $(grep '^  observed:' <<<"$output"), expected the memory limit"
    ;;
  close-fds)
    certify 0
    ;;
  block-signals)
    certify 1 --timeout-ms 300
    rc3 "StoreLogoff no return within 300 ms" 1
    ;;
  *)
    fail "unknown behaviour"
    ;;
esac
[[ $failures -eq 0 ]]
