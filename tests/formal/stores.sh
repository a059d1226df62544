#!/usr/bin/env bash
# Runs SPIN on the specification of several stores in one process
# (model/spec/stores.pml) for the formal tests (tests/formal/CMakeLists.txt,
# docs/formal.md, "Several stores").
#
#   stores.sh verify STORES
#       every assertion holds (the stores share nothing; per store RC-1,
#       LT-1..LT-3): 0 errors, a full state-space search.
#   stores.sh mutant
#       with -DMUTANT_COUNT_IN_GLOBAL (builtin:count-in-global) SPIN finds an
#       assertion violation: the properties are not vacuous.
#   stores.sh replay RUNS [MUTANT]
#       RUNS random SPIN simulations of 40 lifetimes each replayed through the
#       C++ composition (formal_crosscheck_stores) with no disagreement; with
#       MUTANT, the replay must find a disagreement.
#
# Environment: SPEC (stores.pml), WORKDIR (scratch, one per test), SPIN, CC,
# CROSSCHECK_STORES (formal_crosscheck_stores).
set -euo pipefail

: "${SPEC:?}" "${WORKDIR:?}" "${SPIN:=spin}" "${CC:=cc}"
mode=$1
shift
command -v "$SPIN" >/dev/null || { echo "stores.sh: $SPIN not found (scripts/setup installs it)" >&2; exit 2; }
rm -rf "$WORKDIR" && mkdir -p "$WORKDIR" && cd "$WORKDIR"
cp "$SPEC" stores.pml
max_depth=100000

# search DEFINE... — an exhaustive search; its log in pan.log.
search() {
  "$SPIN" -a "$@" stores.pml >spin-a.log || { cat spin-a.log; exit 1; }
  "$CC" -O2 -w -o pan pan.c
  ./pan -m$max_depth >pan.log 2>&1 || true
  grep -E "errors:|states, stored" pan.log
}

case $mode in
  verify)
    stores=$1
    search -DSTORES="$stores"
    grep -q "errors: 0$" pan.log || { echo "FAIL: an assertion fails"; sed -n '1,20p' pan.log; exit 1; }
    grep -q "Full statespace search" pan.log || { echo "FAIL: not a full search"; exit 1; }
    ! grep -q "max search depth too small" pan.log || { echo "FAIL: depth truncated"; exit 1; }
    echo "PASS: $stores stores share nothing; RC-1, LT-1..LT-3 hold per store"
    ;;
  mutant)
    search -DMUTANT_COUNT_IN_GLOBAL
    grep -q "errors: [1-9]" pan.log || { echo "FAIL: SPIN found no counterexample"; exit 1; }
    grep -m1 "assertion violated" pan.log
    echo "PASS: a count shared by every store breaks an assertion"
    ;;
  replay)
    : "${CROSSCHECK_STORES:?}"
    runs=$1 variant=${2:-}
    defines=(-DTRACE_STEPS -DLIFETIMES=40 -DCLIENT_CALLS=8 -DENVIRONMENT_EVENTS=3 -DMAX_REFERENCES=3)
    [[ -n $variant ]] && defines+=(-D"$(tr 'a-z-' 'A-Z_' <<<"$variant")")
    for seed in $(seq 1 "$runs"); do
      for stores in 2 3; do
        "$SPIN" -n"$seed" -DSTORES=$stores "${defines[@]}" stores.pml 2>&1 |
          grep -vE "assertion violated|^spin: " || true
      done
    done >traces.txt
    status=0
    if [[ -z $variant ]]; then
      "$CROSSCHECK_STORES" --min-traces $((runs * 2 * 40)) <traces.txt || status=$?
      [[ $status -eq 0 ]] || { echo "FAIL: the specification and the C++ composition disagree"; exit 1; }
      echo "PASS: no disagreement"
    else
      # A simulation stops at the mutant's first failed assertion: fewer traces.
      "$CROSSCHECK_STORES" --min-traces 1 <traces.txt >replay.log || status=$?
      cat replay.log
      [[ $status -eq 1 ]] && grep -qE " [1-9][0-9]* disagreements$" replay.log ||
        { echo "FAIL: the replay did not tell $variant (status $status)"; exit 1; }
      echo "PASS: the replay tells $variant"
    fi
    ;;
  *)
    echo "stores.sh: unknown mode $mode" >&2; exit 2 ;;
esac
