#!/usr/bin/env bash
# Runs SPIN on the Promela specification (model/spec/logoff.pml) for the
# formal tests (tests/formal/CMakeLists.txt, docs/formal.md).
#
#   spin.sh verify   PROFILE
#       every property of the profile holds: 0 errors, a full state-space
#       search, no search-depth truncation. Prints states and time per property.
#   spin.sh mutant   PROFILE NAME PROPERTY
#       the store with the gallery bug NAME (-DMUTANT_<NAME in capitals>) makes
#       SPIN find a counterexample for PROPERTY, whose clause is the one
#       `logoffcheck providers` names for builtin:NAME.
#   spin.sh tolerated PROFILE NAME PROPERTY
#       the store NAME of the SHOULD-only gallery, or the SDK sample store
#       (-DSTORE_SDK_SAMPLE), keeps every property but the SHOULD clause's
#       PROPERTY (exhaustively: 0 errors, a full search), and SPIN finds a
#       counterexample for PROPERTY: non-vacuous, and tolerated (D3).
#   spin.sh states   PROFILE [MUTANT]
#       the abstract states of SPIN's exhaustive search equal those of a BFS of
#       the C++ model under the same bounds (formal_crosscheck states); with
#       MUTANT, the two sets must differ.
#   spin.sh replay   PROFILE TRACES SEED [VARIANT]
#       TRACES random SPIN simulations replayed through the C++ model with no
#       disagreement; with a MUTANT, the replay must find a disagreement; with
#       sdk-sample (a store the contract allows), it must find none.
#
# Environment: SPEC (the .pml), WORKDIR (scratch, one per test), SPIN, CC,
# CROSSCHECK (formal_crosscheck), LOGOFFCHECK (the CLI, for `mutant`).
set -euo pipefail

: "${SPEC:?}" "${WORKDIR:?}" "${SPIN:=spin}" "${CC:=cc}"
mode=$1 profile=$2
shift 2

# The bounds of the exhaustive search; the C++ BFS gets the same ones.
client_calls=3 environment_events=3 max_references=3
bounds=(-DCLIENT_CALLS=$client_calls -DENVIRONMENT_EVENTS=$environment_events
        -DMAX_REFERENCES=$max_references)
# Random simulations may go deeper than the exhaustive search.
simulation_bounds=(-DCLIENT_CALLS=6 -DENVIRONMENT_EVENTS=4 -DMAX_REFERENCES=4)
# Far above the depth the bounds allow, so a truncated search is a failure,
# not a silent under-approximation.
max_depth=100000

case $profile in
  deferred) profile_define=() ;;
  eager) profile_define=(-DPROFILE_EAGER) ;;
  *) echo "spin.sh: unknown profile $profile" >&2; exit 2 ;;
esac
command -v "$SPIN" >/dev/null || { echo "spin.sh: $SPIN not found (scripts/setup installs spin)" >&2; exit 2; }

rm -rf "$WORKDIR" && mkdir -p "$WORKDIR" && cd "$WORKDIR"
cp "$SPEC" logoff.pml

# variant_define NAME — the define that plays store NAME: STORE_<NAME> for a
# store the contract allows (the SDK sample), MUTANT_<NAME> for a gallery one.
variant_define() {
  local upper
  upper=$(tr 'a-z-' 'A-Z_' <<<"$1")
  if grep -q "STORE_$upper" logoff.pml; then echo "STORE_$upper"; else echo "MUTANT_$upper"; fi
}

# build_pan DEFINE... — generates and compiles the verifier.
build_pan() {
  "$SPIN" -a "${profile_define[@]}" "$@" logoff.pml >spin-a.log ||
    { cat spin-a.log; exit 1; }
  "$CC" -O2 -w "${pan_defines[@]}" -o pan pan.c
}

# The ltl names of the profile, as the specification's preprocessor sees them.
property_names() {
  "$CC" -E -P -x c "${profile_define[@]}" "$@" logoff.pml | sed -n 's/^ltl \([A-Za-z0-9_]*\).*/\1/p'
}

# check_complete LOG — the search covered the whole state space.
check_complete() {
  if grep -q "max search depth too small" "$1"; then
    echo "FAIL: search depth truncated (-m$max_depth)"; return 1
  fi
  grep -q "Full statespace search" "$1" || { echo "FAIL: not a full state-space search"; return 1; }
  ! grep -q "Search not completed" "$1" || { echo "FAIL: search not completed"; return 1; }
}

case $mode in
  verify)
    pan_defines=()
    build_pan "${bounds[@]}"
    mapfile -t properties < <(property_names "${bounds[@]}")
    ((${#properties[@]} > 0)) || { echo "FAIL: no ltl properties found"; exit 1; }
    failures=0
    printf '%-45s %10s %12s %8s\n' property states transitions seconds
    for property in "${properties[@]}"; do
      ./pan -a -m$max_depth -w21 -N "$property" >"$property.log" 2>&1 || true
      states=$(sed -n 's/^ *\([0-9]*\) states, stored.*/\1/p' "$property.log")
      transitions=$(sed -n 's/^ *\([0-9]*\) transitions.*/\1/p' "$property.log")
      seconds=$(sed -n 's/^pan: elapsed time \([0-9.e+-]*\) seconds/\1/p' "$property.log")
      printf '%-45s %10s %12s %8s\n' "$property" "$states" "$transitions" "${seconds:-0}"
      if ! grep -q "errors: 0$" "$property.log" || ! check_complete "$property.log"; then
        echo "FAIL: $property"; sed -n '1,30p' "$property.log"; failures=$((failures + 1))
      fi
    done
    echo "$profile: ${#properties[@]} properties, $failures failing"
    exit $((failures > 0))
    ;;

  mutant)
    name=$1 property=$2
    : "${LOGOFFCHECK:?}"
    # The clause the verifier names for the mutant, from the gallery itself.
    clause=$("$LOGOFFCHECK" providers | awk -v p="builtin:$name" '$1 == p { print $4 }')
    clause=${clause%,}  # "LT-1, 3 steps"
    [[ -n $clause ]] || { echo "FAIL: builtin:$name is not in \`logoffcheck providers\`"; exit 1; }
    [[ ${property%%_*} == "${clause//-/}" ]] ||
      { echo "FAIL: $property is not a property of $clause, the clause the gallery names"; exit 1; }
    define=-D$(variant_define "$name")
    grep -q "${define#-D}" logoff.pml || { echo "FAIL: logoff.pml has no ${define#-D}"; exit 1; }
    # The counterexample is found early in the search: compiling fast matters more.
    pan_defines=(-O0)
    build_pan "${bounds[@]}" "$define" -DTRACE_STEPS
    ./pan -a -m$max_depth -w21 -N "$property" >pan.log 2>&1 || true
    grep -q "errors: [1-9]" pan.log || { echo "FAIL: SPIN found no counterexample for $property"; cat pan.log; exit 1; }
    echo "builtin:$name ($clause): SPIN's counterexample for $property (steps, as the C++ replay reads them):"
    ./pan -r -N "$property" 2>&1 | grep -E '^STEP' || true
    ;;

  tolerated)
    # tolerated PROFILE NAME PROPERTY[,PROPERTY...]: the store variant breaks
    # exactly the properties listed (SPIN finds a counterexample for each) and
    # keeps every other one, exhaustively.
    name=$1
    IFS=, read -r -a failing <<<"$2"
    define=$(variant_define "$name")
    grep -q "$define" logoff.pml || { echo "FAIL: logoff.pml has no $define"; exit 1; }
    pan_defines=()
    build_pan "${bounds[@]}" "-D$define"
    mapfile -t properties < <(property_names "${bounds[@]}" "-D$define")
    for property in "${failing[@]}"; do
      printf '%s' "${properties[*]}" | grep -qw "$property" ||
        { echo "FAIL: no property $property"; exit 1; }
    done
    failures=0
    for property in "${properties[@]}"; do
      ./pan -a -m$max_depth -w21 -N "$property" >"$property.log" 2>&1 || true
      if [[ " ${failing[*]} " == *" $property "* ]]; then
        if grep -q "errors: [1-9]" "$property.log"; then
          echo "$property: counterexample found, as it must"
        else
          echo "FAIL: SPIN found no counterexample for $property"; failures=$((failures + 1))
        fi
      elif ! grep -q "errors: 0$" "$property.log" || ! check_complete "$property.log"; then
        echo "FAIL: $property"; sed -n '1,30p' "$property.log"; failures=$((failures + 1))
      else
        echo "$property: holds"
      fi
    done
    echo "$profile $name: ${#properties[@]} properties, $failures failing"
    exit $((failures > 0))
    ;;

  states)
    : "${CROSSCHECK:?}"
    # PRINTF makes pan execute the specification's printf statements: every
    # step prints the abstract state it reaches. NOREDUCE turns partial-order
    # reduction off, so that every reachable state is visited; NOCLAIM leaves
    # the properties out (this search only enumerates).
    mutant=${1:-}
    defines=("${bounds[@]}")
    [[ -z $mutant ]] || defines+=(-D$(variant_define "$mutant"))
    pan_defines=(-DPRINTF -DNOREDUCE -DNOCLAIM)
    build_pan "${defines[@]}"
    ./pan -m$max_depth -w21 >pan.log 2>&1 || true
    grep -E "errors|states, stored" pan.log
    grep -q "errors: 0$" pan.log || { echo "FAIL: pan reported errors"; exit 1; }
    check_complete pan.log
    status=0
    "$CROSSCHECK" states "$profile" $client_calls $environment_events $max_references \
      <pan.log >states.log || status=$?
    cat states.log
    if [[ -n $mutant ]]; then
      # A control: the comparison must tell this store from the C++ model.
      ((status == 1)) && grep -q "^ONLY" states.log ||
        { echo "FAIL: the state sets did not tell builtin:$mutant from the C++ model"; exit 1; }
      echo "the state sets told builtin:$mutant from the C++ model, as it must"
    else
      exit $status
    fi
    ;;

  replay)
    : "${CROSSCHECK:?}"
    traces=$1 seed=$2 mutant=${3:-}
    defines=("${profile_define[@]}" "${simulation_bounds[@]}" -DTRACE_STEPS -DLIFETIMES="$traces")
    [[ -z $mutant ]] || defines+=(-D$(variant_define "$mutant"))
    "$SPIN" -T -n"$seed" "${defines[@]}" logoff.pml >trace.log
    status=0
    "$CROSSCHECK" replay --min-traces "$traces" <trace.log >replay.log || status=$?
    cat replay.log
    if [[ -n $mutant && $(variant_define "$mutant") == STORE_* ]]; then
      # A store the contract allows: the model must follow it, accepted
      # invalid input and all (decision D3).
      exit $status
    elif [[ -n $mutant ]]; then
      # A control: the replay must tell this store from the C++ model.
      ((status == 1)) && grep -q "^DISAGREE" replay.log ||
        { echo "FAIL: the replay did not tell builtin:$mutant from the C++ model"; exit 1; }
      echo "the replay told builtin:$mutant from the C++ model, as it must"
    else
      exit $status
    fi
    ;;

  *) echo "spin.sh: unknown mode $mode" >&2; exit 2 ;;
esac
