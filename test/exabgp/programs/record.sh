#!/bin/sh
# An ExaBGP process as scripts write them: print each command given after the file (one a line), then
# append every line tsbgpd writes on our stdin (answers, JSON events) to the file, until stdin ends.
out="$1"
shift
: > "$out"
for command in "$@"; do
  echo "$command"
done
while IFS= read -r line; do
  printf '%s\n' "$line" >> "$out"
done
