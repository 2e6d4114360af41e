#!/bin/sh
# A tour of authzc on the example project (examples/): each step prints a
# header with the command it runs and what that shows, runs it, shows its
# output and says whether it succeeded.  Steps whose command this build of
# authzc does not have yet (not listed by `authzc help`) are skipped with a
# note.  Nothing is written into examples/.
#
#   AUTHZC=build/authzc sh tools/demo.sh      (or: make demo)
#
# Adding a step is one `step` line at the bottom.  Exit status: 1 when a step
# that ran failed, else 0.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
: "${AUTHZC:?set AUTHZC to the authzc binary}"
case $AUTHZC in /*) ;; *) AUTHZC=$(pwd)/$AUTHZC ;; esac
cd "$root" || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authzc-demo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
commands=$("$AUTHZC" help 2>/dev/null | awk '/^commands:/ { on = 1; next } on && NF { print $1 }')
failed=0

# step COMMAND "what it shows" ARGS...: run `authzc -C examples COMMAND ARGS...`.
step() {
	cmd=$1
	what=$2
	shift 2
	echo
	echo "== authzc -C examples $cmd${*:+ $*}"
	echo "   $what"
	if ! printf '%s\n' "$commands" | grep -qx "$cmd"; then
		echo "   (skipped: this authzc has no '$cmd' command yet)"
		return 0
	fi
	"$AUTHZC" -C examples "$cmd" "$@" >"$tmp/out" 2>&1
	code=$?
	sed 's/^/   | /' "$tmp/out"
	if [ $code = 0 ]; then
		echo "   ok"
	else
		echo "   FAILED (exit $code)"
		failed=1
	fi
}

echo "authzc demo: the example project in examples/"
echo "  schema.json            entity types, actions and the request context"
echo "  policies/*.authz       the rules, in four packages"
echo "  tests/*_test.authz     requests and the decisions expected for them"

step check "parse and type-check every policy and test against the schema"
step fmt "are the sources in the canonical layout? (changes nothing)" --check
step compile "compile the policies into one verified bundle" -o "$tmp/policy.authzb"
step test "run the tests; measure rules fired, deny paths and guards" --coverage

echo
if [ $failed = 0 ]; then echo "demo: every step succeeded"; else echo "demo: a step failed"; fi
exit $failed
