#!/usr/bin/env bash
# doc_commands.sh DOC.md REPOSITORY — runs every ```sh block of DOC.md
# (docs/formal.md, "Running SPIN by hand") in order, in one shell started at
# the repository root, and checks the outcomes the page promises: the
# reference passes (errors: 0), the variant gives a counterexample
# (errors: 1) that replays as STEP lines, and the simulation prints steps.
set -uo pipefail
doc=$1 repository=$2
# The page's mktemp lands in a scratch directory of the test's own.
TMPDIR=$(mktemp -d) && export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
script=$(awk '/^```sh$/ { inside = 1; next } /^```$/ { inside = 0 } inside' "$doc")
[[ -n $script ]] || { echo "FAIL: no sh blocks in $doc"; exit 1; }
output=$(cd "$repository" && bash -e -o pipefail -c "$script" 2>&1)
status=$?
echo "$output" | grep -E "errors:|^STEP|^LIFETIME" | head -40
((status == 0)) || { echo "FAIL: the commands exited with $status"; echo "$output" | tail -20; exit 1; }
failures=0
for expected in "errors: 0" "errors: 1" "^STEP Release" "^LIFETIME deferred"; do
  grep -q "$expected" <<<"$output" || { echo "FAIL: no '$expected' in the output"; failures=1; }
done
exit $failures
