#!/usr/bin/env bash
# expect_exit.sh STATUS TEXT COMMAND ARG...
# Runs COMMAND and passes when it exits with STATUS and its stderr contains
# TEXT (a fixed string). A crash never passes: it has another status.
set -uo pipefail
expected_status=$1 expected_text=$2
shift 2
stderr_file=$(mktemp)
trap 'rm -f "$stderr_file"' EXIT
"$@" >/dev/null 2>"$stderr_file"
status=$?
cat "$stderr_file" >&2
if [[ $status -ne $expected_status ]]; then
  echo "FAIL: exit status $status, expected $expected_status: $*" >&2
  exit 1
fi
if ! grep -qF -- "$expected_text" "$stderr_file"; then
  echo "FAIL: stderr does not contain: $expected_text" >&2
  exit 1
fi
