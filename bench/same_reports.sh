#!/usr/bin/env bash
# Same seed, same report: runs `certify` with every bundled provider (default
# and --strict, several seeds, a sharded run and a long reference run) under
# two logoffcheck binaries, or one binary with two sets of extra options, and
# diffs the reports and counterexamples with the timing (stats.seconds) taken
# out. A speed change must leave every byte of them as it was.
#
#   bash bench/same_reports.sh OLD_BINARY NEW_BINARY [-- EXTRA_OPTIONS_OF_NEW...]
#
# Exit status 0 when every report is the same, 1 otherwise.
set -u -o pipefail
old=$1 new=$2
shift 2
[[ ${1-} == -- ]] && shift
extra_new=("$@")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Timing is the one field allowed to differ.
normalize() { jq 'if .stats then .stats.seconds = 0 else . end' "$1"; }

differences=0
runs=0
compare() {  # compare NAME CERTIFY_OPTIONS...
  local name=$1
  shift
  local side binary
  for side in old new; do
    binary=$old
    local options=("$@")
    if [[ $side == new ]]; then
      binary=$new
      options+=("${extra_new[@]}")
    fi
    "$binary" certify "${options[@]}" --report "$scratch/$side.json" \
      --counterexample "$scratch/$side.cx.json" >"$scratch/$side.out" 2>&1
    echo $? >"$scratch/$side.status"
    normalize "$scratch/$side.json" >"$scratch/$side.report"
    # A counterexample file is written only for a failure.
    [[ -f $scratch/$side.cx.json ]] && mv "$scratch/$side.cx.json" "$scratch/$side.cx" ||
      : >"$scratch/$side.cx"
  done
  runs=$((runs + 1))
  if ! cmp -s "$scratch/old.report" "$scratch/new.report" ||
     ! cmp -s "$scratch/old.cx" "$scratch/new.cx" ||
     ! cmp -s "$scratch/old.status" "$scratch/new.status"; then
    differences=$((differences + 1))
    echo "DIFFERENT: $name ($*)"
    diff "$scratch/old.report" "$scratch/new.report" | head -20
    diff "$scratch/old.cx" "$scratch/new.cx" | head -20
  fi
}

mapfile -t providers < <("$old" providers | awk '$1 ~ /^builtin:/ {print $1}')
# A short --timeout-ms for the stores that run isolated (the hanging mutants
# among them); a store played in this process refuses it (exit 2).
timeout_option() {
  local status=0
  "$new" certify --provider "$1" --cases 1 --timeout-ms 300 >/dev/null 2>&1 || status=$?
  [[ $status -eq 2 ]] || echo "--timeout-ms 300"
}
for provider in "${providers[@]}"; do
  read -r -a timeout <<<"$(timeout_option "$provider")"
  for seed in 1 2 3; do
    compare "$provider seed $seed" --provider "$provider" --seed "$seed" --cases 3000 "${timeout[@]}"
    compare "$provider seed $seed strict" --provider "$provider" --seed "$seed" --cases 3000 --strict "${timeout[@]}"
  done
  compare "$provider shard 1 of 3" --provider "$provider" --cases 3000 --shard-index 1 --shard-count 3 "${timeout[@]}"
done
compare "reference, long" --provider builtin:reference --cases 200000 --seed 7
compare "reference-eager, long" --provider builtin:reference-eager --cases 200000 --seed 8 --max-steps 200

echo "$runs runs compared, $differences different"
[[ $differences -eq 0 ]]
