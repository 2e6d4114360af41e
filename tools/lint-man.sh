#!/bin/sh
# Lint every man page with mandoc: any warning (or worse) fails; and every
# .Xr to one of the project's pages must name a page of man/, and authz(3)'s
# SYNOPSIS must list every function the page calls.
#
#   sh tools/lint-man.sh [PAGE...]     default: man/*.[0-9]
#
# Without mandoc installed the lint is skipped (exit 0) with a message.
# The last line is "man: N passed, N failed"; the exit status is 1 on failure.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
# The opcode table of authzc-bundle(5) is generated: it must match opcodes.def.
checks=0
sh "$root/tools/opcodes-man.sh" --check >/dev/null || { echo "FAIL man/authzc-bundle.5 opcode table"; checks=1; }
# Every cross-reference to one of the project's pages (a name starting with
# authz or libauthz) names a page that exists: mandoc cannot know.
for page in "$root"/man/*.[0-9]; do
	for ref in $(sed -n 's/^\.Xr \(l*i*b*authz[^ ]*\) \([0-9]\).*/\1.\2/p' "$page"); do
		[ -f "$root/man/$ref" ] && continue
		echo "FAIL ${page#"$root"/}: .Xr names '$ref', which is not a page in man/"
		checks=1
	done
done
# Every function authz(3) calls in its text and examples is in its SYNOPSIS.
synopsis=$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /s/^\.Fn \([a-z_0-9]*\).*/\1/p' "$root/man/authz.3")
for fn in $(grep -o 'authz_[a-z_0-9]*(' "$root/man/authz.3" | sed 's/($//' | sort -u); do
	printf '%s\n' "$synopsis" | grep -qx "$fn" && continue
	echo "FAIL man/authz.3: calls $fn(), which its SYNOPSIS does not list"
	checks=1
done
if ! command -v mandoc >/dev/null 2>&1; then
	echo "man: mandoc not installed, lint skipped (apt-get install mandoc)"
	exit $checks
fi
if [ $# -gt 0 ]; then
	pages="$*"
else
	pages=$(ls "$root"/man/*.[0-9] 2>/dev/null)
fi
pass=0
fail=0
for page in $pages; do
	out=$(mandoc -Tlint -W warning "$page" 2>&1)
	code=$?
	if [ $code = 0 ] && [ -z "$out" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL ${page#"$root"/}"
		printf '%s\n' "$out" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done
echo "man: $pass passed, $fail failed"
[ $fail = 0 ] && [ $checks = 0 ]
