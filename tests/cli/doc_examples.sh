#!/usr/bin/env bash
# doc_examples.sh DOC.md LOGOFFCHECK BUILD_DIR
# Runs every example of DOC.md's ```console blocks, in order, in one scratch
# directory (so a file one example writes, the next can read):
#   $ COMMAND        is run with `logoffcheck` on PATH and ./build the build tree;
#   output lines     must appear in what COMMAND printed (stdout and stderr),
#                    except "..." and lines ending in a duration ("0.04 s").
#                    Numbers and runs of blanks compare equal to any other
#                    (counts move when the generator changes; the tests in
#                    cli_scenarios.sh pin the numbers that matter);
#   $ echo $?        is followed by COMMAND's documented exit status; without
#                    it the status must be 0.
set -uo pipefail
doc=$(realpath "$1") binary=$(realpath "$2") build=$(realpath "$3")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/bin"
ln -s "$binary" "$scratch/bin/logoffcheck"
ln -s "$build" "$scratch/build"
export PATH="$scratch/bin:$PATH"
cd "$scratch" || exit 1

failures=0 commands=0
command="" status=0 status_checked=1 awaiting_status=0 in_block=0 line_number=0

# Numbers become N (not the digits of a name such as LT-1), blank runs one
# blank, trailing blanks go.
normalize() { sed -E 's/(^|[^A-Za-z0-9_-])[0-9]+/\1N/g; s/[[:space:]]+/ /g; s/ $//'; }

problem() { echo "$doc:$line_number: $*" >&2; failures=$((failures + 1)); }

finish_command() {
  if [[ -n $command && $status_checked -eq 0 && $status -ne 0 ]]; then
    problem "\`$command\` exited $status; the document shows no \`echo \$?\`"
  fi
  command="" status_checked=1
}

while IFS= read -r line || [[ -n $line ]]; do
  line_number=$((line_number + 1))
  if [[ $in_block -eq 0 ]]; then
    [[ $line == '```console' ]] && in_block=1
    continue
  fi
  if [[ $line == '```' ]]; then
    finish_command
    in_block=0
    continue
  fi
  if [[ $line == '$ echo $?' ]]; then
    awaiting_status=1
    continue
  fi
  if [[ $awaiting_status -eq 1 ]]; then
    awaiting_status=0
    [[ $line == "$status" ]] || problem "\`$command\` exited $status, the document says $line"
    status_checked=1
    continue
  fi
  if [[ $line == '$ '* ]]; then
    finish_command
    command=${line#\$ }
    commands=$((commands + 1))
    status=0
    bash -c "$command" >output.txt 2>&1 </dev/null || status=$?
    normalize <output.txt >normalized.txt
    echo "\$ $command  -> exit $status" >&2
    status_checked=0
    continue
  fi
  [[ -z $command ]] && continue
  case $line in
    ''|'...'|*' s') continue ;;
  esac
  trimmed=$(normalize <<<"$line")
  grep -qxF -- "$trimmed" normalized.txt || {
    cat output.txt >&2
    problem "\`$command\` did not print: $trimmed"
  }
done <"$doc"

[[ $commands -gt 0 ]] || { echo "$doc has no console examples" >&2; exit 1; }
[[ $failures -eq 0 ]] || { echo "FAIL: $failures problem(s) in $doc" >&2; exit 1; }
echo "PASS: $commands examples of $doc" >&2
