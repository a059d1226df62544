#!/usr/bin/env bash
# Usage: hostile_gallery.sh LOGOFFCHECK HOSTILE_LIBRARY BEHAVIOUR
# Certifies the hostile provider library (hostile_provider.cpp) with one
# misbehaviour, isolated and sandboxed as every library is by default, and
# holds the run to docs/isolation.md: the expected verdict, the verifier's own output well
# under 256 KiB whatever the store prints, every line the store printed
# marked as its own, and no process the store started alive once the
# verifier has returned.
set -uo pipefail
logoffcheck=$1 library=$2 behaviour=$3
# BEHAVIOUR-threads: the store's BEHAVIOUR, certified with --threads 2.
# BEHAVIOUR-sandbox-off: the store's BEHAVIOUR, certified with --sandbox off.
store_behaviour=${behaviour%-threads}
store_behaviour=${store_behaviour%-sandbox-off}
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
   cd "${store_cwd:-.}" || exit 99
   HOME=${store_home:-$HOME} LOGOFFCHECK_HOSTILE_PORT=${store_port:-} \
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

# listen — counts the connections to a port on 127.0.0.1 in $work/connections
# (the listener's pid in $listener, the port in $store_port).
listen() {
  python3 -c '
import os, socket, sys
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(64)
with open(sys.argv[1] + ".tmp", "w") as port:
    port.write(str(server.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
count = 0
while True:
    connection, _ = server.accept()
    connection.close()
    count += 1
    with open(sys.argv[2], "w") as connections:
        connections.write(str(count))
' "$work/port" "$work/connections" &
  listener=$!
  trap 'kill "$listener" 2>/dev/null; rm -rf "$work"' EXIT
  echo 0 >"$work/connections"
  for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.05; done
  store_port=$(cat "$work/port")
  mkdir -p "$work/cwd" "$work/home"
  store_cwd=$work/cwd store_home=$work/home
}

# escaped — files the store left in its working directory and $HOME.
escaped() { find "$work/cwd" "$work/home" -name 'logoffcheck-hostile-escape*' | wc -l; }

case $behaviour in
  escape)
    # In the sandbox: the kill reaches only the store's own process, its
    # files and its connection nothing.
    listen
    certify 1 --counterexample "$work/escape.json"
    rc3 "StoreLogoff died by SIGKILL \(signal 9\)" 1
    # Replayable: the counterexample fails again, the same way.
    replayed=$(cd "$store_cwd" && HOME=$store_home LOGOFFCHECK_HOSTILE=escape \
      LOGOFFCHECK_HOSTILE_PORT=$store_port "$logoffcheck" replay "$work/escape.json" 2>&1)
    replay_status=$?
    [[ $replay_status -eq 1 ]] || fail "replay: exit $replay_status, expected 1"
    grep -q "died by SIGKILL (signal 9)" <<<"$replayed" || fail "replay: $replayed"
    [[ $(escaped) -eq 0 ]] || fail "the store left files: $(find "$work/cwd" "$work/home" -type f)"
    [[ $(cat "$work/connections") -eq 0 ]] ||
      fail "$(cat "$work/connections") connections reached the listener"
    ;;
  stop-parent)
    # In the sandbox its parent is outside its PID namespace: getppid() is 0,
    # and SIGSTOP to process group 0 stops the store's own process, a hang.
    certify 1 --timeout-ms 300
    rc3 "StoreLogoff no return within 300 ms" 1
    ;;
  escape-sandbox-off)
    # Without it, the same store does all that, and still gets a verdict:
    # killing the process that hosts it is RC-3 of a call.
    listen
    certify 1 --sandbox off
    grep -q "NOT CONFORMANT: RC-3 (MUST) failed" <<<"$output" || fail "RC-3 not named"
    # The call named is the one in progress when the server died: the store's
    # SIGKILL is asynchronous, so it may be a call after the StoreLogoff that
    # sent it (docs/isolation.md).
    grep -qE "^  observed: (AddRef|Release|StoreLogoff) killed the process that hosts the store" <<<"$output" ||
      fail "observed: $(grep '^  observed:' <<<"$output")"
    grep -q "^  sandbox: off" <<<"$output" || fail "the report does not say sandbox: off"
    grep -q "^Reproduce: .* --sandbox off$" <<<"$output" || fail "the command to reproduce drops --sandbox off"
    [[ $(escaped) -gt 0 ]] || fail "no file: the store did not run unsandboxed"
    # The listener counts a connection once it accepted it, maybe after the run.
    for _ in $(seq 100); do [[ $(cat "$work/connections") -gt 0 ]] && break; sleep 0.05; done
    [[ $(cat "$work/connections") -gt 0 ]] || fail "no connection: the store did not run unsandboxed"
    ;;
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
    # Unsandboxed, so that the store can write its children's pids where the
    # test reads them; in the sandbox they die with its PID namespace anyway.
    certify 0 --sandbox off
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
