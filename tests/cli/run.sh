#!/bin/sh
# Golden CLI tests: run the built authzc binary and compare stdout, stderr
# and the exit code with what is recorded.
#
# Each case is a folder tests/cli/cases/NAME/ holding
#   cmd       a shell script run with sh, in a scratch copy of the folder,
#             with $AUTHZC set to the binary under test
#   stdout    expected standard output
#   stderr    expected standard error
#   exit      expected exit status (a number)
# and whatever files the command reads (a project, policies, requests).
# The scratch copy means commands may write (fmt, compile) freely.
#
#   sh tests/cli/run.sh [NAME...]     run all cases, or the named ones
#   UPDATE=1 sh tests/cli/run.sh NAME record what the binary does now
#
# The last line is "N passed, N failed"; the exit status is 1 on failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${AUTHZC:?set AUTHZC to the authzc binary}"
export AUTHZC NO_COLOR=1 TZ=UTC LC_ALL=C
# Tests see the examples through $EXAMPLES (a read-only source tree).
EXAMPLES=$(cd "$here/../../examples" 2>/dev/null && pwd || echo /nonexistent)
export EXAMPLES
# ... and files shared between cases through $FIXTURES (tests/fixtures/).
FIXTURES=$(cd "$here/../fixtures" && pwd)
export FIXTURES
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authzc-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
if [ $# -gt 0 ]; then cases="$*"; else cases=$(ls "$here/cases"); fi
for name in $cases; do
  dir="$here/cases/$name"
  [ -f "$dir/cmd" ] || { echo "FAIL $name: no cmd file"; fail=$((fail + 1)); continue; }
  work="$tmp/$name"
  rm -rf "$work"
  cp -R "$dir" "$work"
  (cd "$work" && sh ./cmd >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null)
  code=$?
  if [ "${UPDATE:-}" = 1 ]; then
    cp "$tmp/$name.out" "$dir/stdout"
    cp "$tmp/$name.err" "$dir/stderr"
    echo "$code" >"$dir/exit"
    echo "updated $name"
    pass=$((pass + 1))
    continue
  fi
  ok=1
  for f in stdout stderr exit; do
    [ -f "$dir/$f" ] || { echo "FAIL $name: missing expected '$f'"; ok=0; }
  done
  if [ $ok = 1 ]; then
    if [ "$(cat "$dir/exit")" != "$code" ]; then
      echo "FAIL $name: exit $code, expected $(cat "$dir/exit")"
      ok=0
    fi
    if ! cmp -s "$dir/stdout" "$tmp/$name.out"; then
      echo "FAIL $name: stdout differs"
      diff -u "$dir/stdout" "$tmp/$name.out" | head -40
      ok=0
    fi
    if ! cmp -s "$dir/stderr" "$tmp/$name.err"; then
      echo "FAIL $name: stderr differs"
      diff -u "$dir/stderr" "$tmp/$name.err" | head -40
      ok=0
    fi
  fi
  if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "cli: $pass passed, $fail failed"
[ $fail = 0 ]
