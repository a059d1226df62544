#!/usr/bin/env bash
# check_rooms.sh SOURCE_DIR — holds the code to docs/architecture.md:
#  1. every #include "logoffcheck/X.h" in a room names a header of that room
#     or of a room it may depend on;
#  2. no source file of the project is longer than the limit.
# Prints each breach and exits 1 if there is one.
set -euo pipefail
cd "$1"
max_lines=${MAX_LINES:-500}

# room folder -> the rooms (folders) whose headers it may include
declare -A allowed=(
  [model]="model"
  [properties]="model properties"
  [harness/adapter]="model harness/adapter"
  [harness/run]="model properties harness/adapter harness/run"
  [harness/search]="model properties harness/adapter harness/run harness/search"
  [harness/report]="model properties harness/adapter harness/run harness/search harness/report"
  [harness/conformance]="model properties harness/adapter harness/run harness/search harness/report harness/conformance"
  [providers]="model properties harness/adapter providers"
  [harness/cli]="model properties harness/adapter harness/run harness/search harness/report providers"
)

# room folder -> its public header folders, when not just ROOM/include
declare -A header_folders=(
  [harness/adapter]="harness/adapter/include harness/adapter/windows/include"
)

# header name -> owning room
declare -A owner=()
for room in "${!allowed[@]}"; do
  for folder in ${header_folders[$room]:-$room/include}; do
    [[ -d $folder/logoffcheck ]] || continue
    for header in "$folder"/logoffcheck/*.h; do
      name=$(basename "$header")
      if [[ -n ${owner[$name]:-} ]]; then
        echo "header logoffcheck/$name is in two rooms: ${owner[$name]} and $room"
        exit 1
      fi
      owner[$name]=$room
    done
  done
done

breaches=0
for room in "${!allowed[@]}"; do
  while IFS= read -r file; do
    while IFS= read -r name; do
      home=${owner[$name]:-}
      if [[ -z $home ]]; then
        echo "$file includes logoffcheck/$name, which no room declares"
        breaches=$((breaches + 1))
      elif [[ " ${allowed[$room]} " != *" $home "* ]]; then
        echo "$file ($room) includes logoffcheck/$name of $home, which $room may not use"
        breaches=$((breaches + 1))
      fi
    done < <(sed -n 's/^#include "logoffcheck\/\([^"]*\)".*/\1/p' "$file")
  done < <(find "$room" -name '*.h' -o -name '*.cpp' | grep -v '^harness/cli/.*/' | sort)
done

while IFS= read -r file; do
  lines=$(wc -l <"$file")
  if ((lines > max_lines)); then
    echo "$file has $lines lines; the limit is $max_lines (split it by job)"
    breaches=$((breaches + 1))
  fi
done < <(git ls-files '*.cpp' '*.h' 2>/dev/null || find . -name '*.cpp' -o -name '*.h')

if ((breaches > 0)); then
  echo "check_rooms: $breaches breaches of docs/architecture.md"
  exit 1
fi
echo "check_rooms: every include respects the rooms; no source file over $max_lines lines"
