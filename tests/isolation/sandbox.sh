#!/usr/bin/env bash
# Usage: sandbox.sh LOGOFFCHECK
# The sandbox from the command line (docs/isolation.md#the-sandbox):
#   - where no user namespace can be made, an isolated run exits 2 naming
#     what is missing and --sandbox off, and runs with --sandbox off;
#   - the report says whether the store ran in it: the text, the JSON
#     ("sandbox": "on"/"off") and the HTML page ("sandbox: off");
#   - the scratch folder goes with the run.
set -uo pipefail
logoffcheck=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
certify=("$logoffcheck" certify --provider builtin:reference --isolate --cases 50)

# A machine without user namespaces: one whose limit on them is 0, made in a
# user namespace of its own (where this machine has none, the run itself is one).
no_namespaces=(unshare --user --map-root-user sh -c 'echo 0 >/proc/sys/user/max_user_namespaces && exec "$@"' sh)
unshare --user true 2>/dev/null || no_namespaces=()
"${no_namespaces[@]}" "${certify[@]}" >"$work/out" 2>"$work/err"
status=$?
[[ $status -eq 2 ]] || fail "without user namespaces: exit $status, expected 2"
grep -q "user namespaces are unavailable" "$work/err" || fail "what is missing is not named: $(cat "$work/err")"
grep -qF -- "--sandbox off" "$work/err" || fail "--sandbox off is not named"
"${no_namespaces[@]}" "${certify[@]}" --sandbox off >"$work/out" 2>&1 ||
  fail "--sandbox off without user namespaces: exit $?"

# What the report says.
(cd "$work" && TMPDIR=$work "${certify[@]}" --report on.json --html on.html >on.txt 2>&1) ||
  fail "sandboxed run: exit $?"
grep -q '"sandbox": "on"' "$work/on.json" || fail "the JSON does not say \"sandbox\": \"on\""
grep -q "sandbox: off" "$work/on.txt" "$work/on.html" && fail "a sandboxed run says sandbox: off"
(cd "$work" && "${certify[@]}" --sandbox off --report off.json --html off.html >off.txt 2>&1) ||
  fail "unsandboxed run: exit $?"
grep -q '"sandbox": "off"' "$work/off.json" || fail "the JSON does not say \"sandbox\": \"off\""
grep -q "sandbox: off" "$work/off.txt" || fail "the text does not say sandbox: off"
grep -q "sandbox: off" "$work/off.html" || fail "the HTML page does not say sandbox: off"
(cd "$work" && "$logoffcheck" explore --provider builtin:reference --isolate --depth 2 \
  --sandbox off --report explore.json >explore.txt 2>&1) || fail "unsandboxed explore: exit $?"
grep -q '"sandbox": "off"' "$work/explore.json" || fail "explore's JSON does not say \"sandbox\": \"off\""
"$logoffcheck" merge "$work/on.json" "$work/off.json" --report "$work/merged.json" >/dev/null 2>&1
[[ ! -f $work/merged.json ]] || grep -q '"sandbox": "off"' "$work/merged.json" ||
  fail "a merge of an unsandboxed shard does not say \"sandbox\": \"off\""

# The runner's scratch folder (under TMPDIR) is gone with the run.
leftover=$(find "$work" -maxdepth 1 -name 'logoffcheck-scratch-*')
[[ -z $leftover ]] || fail "scratch folders left: $leftover"
echo "$failures failures"
[[ $failures -eq 0 ]]
