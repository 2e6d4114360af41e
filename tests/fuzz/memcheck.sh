#!/bin/sh
# make memcheck: the unit suite and every golden CLI case under valgrind.
#
#   UNIT=build/unit-tests AUTHZC=build/authzc sh tests/fuzz/memcheck.sh
#
# Criterion runs each test in a child process and does not pass valgrind's
# exit status on, so every process writes its own log and the run fails
# when any log's ERROR SUMMARY counts an error.  Leaks: definite and
# indirect ones are errors, except criterion's own (criterion.supp).  The CLI cases run through a wrapper that puts valgrind
# in front of authzc; their golden outputs must still match.
set -u
: "${UNIT:?set UNIT to the unit-test binary}"
: "${AUTHZC:?set AUTHZC to the authzc binary}"
here=$(cd "$(dirname "$0")" && pwd)
logs=$(mktemp -d "${TMPDIR:-/tmp}/authzc-memcheck.XXXXXX")
trap 'rm -rf "$logs"' EXIT INT TERM
VG="valgrind --trace-children=yes --suppressions=$here/criterion.supp --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --track-origins=yes --log-file=$logs/vg.%p.log"
command -v valgrind >/dev/null 2>&1 || { echo "memcheck: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }

status=0
# the solver is slow under valgrind: a few random pairs for the symbolic
# differential test (its unknowns are allowed for)
export AUTHZC_SYM_POLICIES=${AUTHZC_SYM_POLICIES:-4}
echo "memcheck: unit tests under valgrind"
# shellcheck disable=SC2086
$VG "$UNIT" --jobs 1 ${UNIT_FILTER:+--filter "$UNIT_FILTER"} || status=1

echo "memcheck: CLI golden cases under valgrind"
wrapper="$logs/authzc"
cat >"$wrapper" <<WRAP
#!/bin/sh
exec $VG "$AUTHZC" "\$@"
WRAP
chmod +x "$wrapper"
AUTHZC="$wrapper" sh "$here/../cli/run.sh" ${CLI_CASES:-} || status=1

bad=0
for f in "$logs"/vg.*.log; do
  grep -q "ERROR SUMMARY: [1-9]" "$f" || continue
  bad=$((bad + 1))
  echo "---- $f" && head -60 "$f"
done
if [ $bad -gt 0 ]; then
  echo "memcheck: valgrind reported errors in $bad process(es)"
  status=1
fi
[ $status = 0 ] && echo "memcheck: clean"
exit $status
