#!/bin/sh
# opcodes-man.sh: the opcode table of authzc-bundle(5), generated from
# runtime/opcodes.def (the single list of VM instructions).
#
#   sh tools/opcodes-man.sh            rewrite the table in man/authzc-bundle.5
#   sh tools/opcodes-man.sh --check    exit 1, with a diff, when it is stale
#
# The table's rows sit between the marker comments
#   .\" BEGIN opcodes (tools/opcodes-man.sh)
#   .\" END opcodes
# in the page; everything else in the page is left alone.  Each
# OP(NAME, FMT, IN, OUT, "doc") line becomes
#   .It Dv NAME Ta FMT Ta IN Ta OUT Ta doc
# with the C string's escapes undone and backslashes escaped for mdoc.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
def=$root/runtime/opcodes.def
page=$root/man/authzc-bundle.5
begin='.\" BEGIN opcodes (tools/opcodes-man.sh)'
end='.\" END opcodes'

die() { echo "opcodes-man: $*" >&2; exit 2; }

check=no
case ${1:-} in
--check) check=yes ;;
'') ;;
*) die "unknown option '$1' (usage: opcodes-man.sh [--check])" ;;
esac
[ -r "$def" ] || die "cannot read '$def'"
[ -r "$page" ] || die "cannot read '$page'"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/opcodes-man.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# The rows, from the OP( lines of opcodes.def.
awk '
/^OP\(/ {
	line = $0
	if (!match(line, /^OP\( *[A-Z_0-9]+, *[A-Z]+, *[0-9]+, *[0-9]+, *"/)) {
		printf "opcodes-man: opcodes.def line %d: cannot read \"%s\"\n", NR, line > "/dev/stderr"
		bad = 1
		exit 2
	}
	head = substr(line, 4, RLENGTH - 4)
	rest = substr(line, RLENGTH + 1)
	if (!sub(/"\) *$/, "", rest)) {
		printf "opcodes-man: opcodes.def line %d: no closing \")\"\n", NR > "/dev/stderr"
		bad = 1
		exit 2
	}
	gsub(/ /, "", head)
	split(head, f, ",")
	# undo the C escapes (\\ and \"), then escape backslashes for mdoc
	doc = ""
	for (i = 1; i <= length(rest); i++) {
		c = substr(rest, i, 1)
		if (c == "\\") {
			i++
			c = substr(rest, i, 1)
		}
		doc = doc (c == "\\" ? "\\e" : c)
	}
	printf ".It Dv %s Ta %s Ta %s Ta %s Ta %s\n", f[1], f[2], f[3], f[4], doc
	n++
}
END {
	if (!bad && n == 0) {
		print "opcodes-man: no OP( lines in opcodes.def" > "/dev/stderr"
		exit 2
	}
}' "$def" >"$tmp/rows" || exit 2

# The page with the rows between the markers replaced.
# (the markers go through the environment: awk -v would eat their backslash)
BEGIN_MARK=$begin END_MARK=$end ROWS=$tmp/rows awk '
BEGIN { begin = ENVIRON["BEGIN_MARK"]; end = ENVIRON["END_MARK"]; rows = ENVIRON["ROWS"] }
$0 == begin {
	if (state != 0) { print "opcodes-man: second BEGIN marker" > "/dev/stderr"; exit 2 }
	print
	while ((getline r < rows) > 0)
		print r
	state = 1
	next
}
$0 == end {
	if (state != 1) { print "opcodes-man: END marker without BEGIN" > "/dev/stderr"; exit 2 }
	state = 2
}
state != 1 { print }
END {
	if (state != 2) {
		print "opcodes-man: authzc-bundle.5 lacks the marker comments" > "/dev/stderr"
		exit 2
	}
}' "$page" >"$tmp/page" || exit 2

if [ $check = yes ]; then
	if cmp -s "$page" "$tmp/page"; then
		echo "opcodes-man: man/authzc-bundle.5 matches runtime/opcodes.def"
		exit 0
	fi
	echo "opcodes-man: man/authzc-bundle.5 is stale; run sh tools/opcodes-man.sh" >&2
	diff -u "$page" "$tmp/page" | sed 's/^/    /' >&2 || true
	exit 1
fi
if cmp -s "$page" "$tmp/page"; then
	echo "opcodes-man: man/authzc-bundle.5 already up to date"
	exit 0
fi
cp "$tmp/page" "$page.tmp"
mv "$page.tmp" "$page"
echo "opcodes-man: updated man/authzc-bundle.5"
