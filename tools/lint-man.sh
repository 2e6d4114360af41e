#!/bin/sh
# Lint every man page with mandoc: any warning (or worse) fails.
#
#   sh tools/lint-man.sh [PAGE...]     default: man/*.[0-9]
#
# Without mandoc installed the lint is skipped (exit 0) with a message.
# The last line is "man: N passed, N failed"; the exit status is 1 on failure.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
# The opcode table of authzc-bundle(5) is generated: it must match opcodes.def.
opcodes=0
sh "$root/tools/opcodes-man.sh" --check >/dev/null || { echo "FAIL man/authzc-bundle.5 opcode table"; opcodes=1; }
if ! command -v mandoc >/dev/null 2>&1; then
	echo "man: mandoc not installed, lint skipped (apt-get install mandoc)"
	exit $opcodes
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
[ $fail = 0 ] && [ $opcodes = 0 ]
