#!/usr/bin/env bash
# report_scenarios.sh SCENARIO LOGOFFCHECK [ARG...]
# Model coverage, --min-coverage, --profile auto, `explore` and the HTML
# report, end to end (tests/cli/CMakeLists.txt). Each runs in a scratch
# directory. Exit 77 (ctest SKIP_RETURN_CODE) when a needed tool is absent.
set -euo pipefail
scenario=$1 logoffcheck=$2
shift 2
source "$(dirname "$0")/../lib/scenario.sh"
expect_in() { grep -qE -- "$1" "$2" || fail "$2 lacks /$1/"; }

# A headless Chromium that can reach nothing: every host name fails to resolve.
browser() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --host-resolver-rules="MAP * ~NOTFOUND" --user-data-dir="$(mktemp -d)" "$@" 2>browser.log
}

case $scenario in
coverage_json)
  run 0 certify --provider builtin:reference --cases 10000 --report r.json --junit r.xml
  expect_output '^coverage [0-9]+ of [0-9]+ model transitions \(100%\)'
  expect_output '^spooler rows reached: SP-2 SP-3 SP-4 SP-5 SP-6 SP-7$'
  expect_in '^  "coverage": \{' r.json
  expect_in '^    "percent": 100(\.0)?,$' r.json
  expect_in '"spooler_rows": \{"SP-1": false, "SP-2": true' r.json
  expect_in 'name="coverage_percent" value="100' r.xml
  # The report reads back (merge reads it), coverage included; shards' coverage is the union.
  run 0 certify --provider builtin:reference --cases 300 --shard-index 0 --shard-count 2 --report s0.json
  run 0 certify --provider builtin:reference --cases 300 --shard-index 1 --shard-count 2 --report s1.json
  run 0 merge s0.json s1.json --report merged.json
  expect_in '^  "coverage": \{' merged.json
  # A report written before coverage existed still reads.
  sed '/^  "coverage": {/,$d' s0.json | sed '$ s/,$//' > old.json && echo "}" >> old.json
  sed -i 's/^  "counterexample": null,$/  "counterexample": null/' old.json
  run 0 merge old.json s1.json
  # A coverage section edited by hand is refused.
  sed 's/^    "exercised": [0-9]*,/    "exercised": 9999,/' s0.json > edited.json
  run 2 merge edited.json s1.json
  grep -q 'coverage: its derived fields do not agree' err.txt || fail "edited coverage accepted"
  ;;
min_coverage)
  run 0 certify --provider builtin:reference --cases 10000 --min-coverage 100
  run 1 certify --provider builtin:reference --cases 20 --min-coverage 90 --report r.json
  expect_output 'below --min-coverage 90'
  expect_in '"meets_minimum": false' r.json
  expect_in '"verdict": "conformant"' r.json
  ;;
profile_auto)
  run 0 certify --provider builtin:reference --profile auto --cases 500 --report d.json
  expect_output '^profile detection: follows deferred; breaks eager by .*; invalid input: rejected; writes back the input unchanged$'
  expect_in '^  "profile": "deferred",$' d.json
  run 0 certify --provider builtin:reference-eager --profile auto --cases 500 --report e.json
  expect_output '^profile detection: follows eager; breaks deferred by '
  expect_in '^  "profile": "eager",$' e.json
  # Saves the first flag (breaks deferred's LT-1) and calls no transports
  # from StoreLogoff (breaks eager's SL-5): neither, with both counterexamples.
  # How each treats invalid input and what it writes back (D3, D4).
  run 0 certify --provider builtin:sdk-sample --profile auto --cases 500
  expect_output '^profile detection: follows deferred; breaks eager by [A-Z]+-[0-9]; invalid input: accepted as given; writes back LOGOFF_COMPLETE$'
  run 1 certify --provider builtin:sdk-sample --strict --cases 500
  expect_output '^  verdict  NOT CONFORMANT: SL-3 \(SHOULD\) failed'
  run 0 certify --provider builtin:ignores-invalid-input --profile auto --cases 500
  expect_output '; invalid input: accepted and ignored; writes back the input unchanged$'
  run 0 certify --provider builtin:keeps-input-flag-beside-output-bits --profile auto --cases 500
  expect_output '; invalid input: accepted, its one input flag kept; writes back the input unchanged$'
  run 1 certify --provider builtin:saves-first-flag --profile auto --cases 500
  expect_output '^profile detection: follows neither profile: breaks deferred by LT-1, breaks eager by '
  [[ $(grep -c '^Minimal counterexample' out.txt) -eq 2 ]] || fail "not one counterexample per profile"
  ;;
explore_cli)
  run 0 explore --provider builtin:reference --depth 2 --report r.json
  expect_output '^  verdict  CONFORMANT$'
  expect_in '^  "coverage": \{' r.json
  run 1 explore --provider builtin:retries-logoff-when-busy --depth 2 --counterexample cx.json
  expect_output '^Minimal counterexample: 2 steps'
  expect_output 'LT-3 \(MUST\)'
  expect_output '^Reproduce: logoffcheck explore --provider builtin:retries-logoff-when-busy --profile deferred --depth 2$'
  run 1 replay cx.json
  ;;
html_report)
  artifact=$1 library=$2
  run 1 certify --provider builtin:saves-first-flag --cases 200 --html r.html
  # Self-contained: nothing fetched from anywhere, no script at all.
  if grep -niE '(src|href)[[:space:]]*=[[:space:]]*"?[a-z]+://|<script|<link|@import|url\([^#]' r.html; then
    fail "the page loads something external"
  fi
  expect_in '<html lang="en">' r.html
  # A library provider is named by the SHA-256 of the file certified.
  LOGOFFCHECK_GALLERY_MUTANT=saves-first-flag run 1 certify --provider "$library" --cases 200 --html lib.html
  digest=$(sha256sum "$library" | cut -d' ' -f1)
  expect_in "<th scope=\"row\">SHA-256 of the library</th><td>$digest</td>" lib.html
  command -v chromium >/dev/null || { echo "chromium not installed: skipped" >&2; exit 77; }
  browser --dump-dom "file://$PWD/r.html" > dom.html
  expect_in 'NOT CONFORMANT: LT-1 failed' dom.html
  expect_in '<tr id="clause-LT-1" class="failing"><th scope="row">LT-1</th>' dom.html
  expect_in '<svg id="sequence-diagram" role="img"' dom.html
  expect_in '<g id="breaking-step"><title>Step 3 breaks LT-1</title>' dom.html
  expect_in 'StoreLogoffTransports\(LOGOFF_NO_WAIT\)' dom.html
  expect_in 'id="coverage-figure"' dom.html
  browser --screenshot="$PWD/page.png" --window-size=1200,1600 "file://$PWD/r.html" >/dev/null
  [[ -s page.png ]] || fail "no screenshot"
  mkdir -p "$(dirname "$artifact")" && cp page.png "$artifact"
  ;;
*)
  fail "unknown scenario $scenario"
  ;;
esac
echo "PASS: $scenario"
