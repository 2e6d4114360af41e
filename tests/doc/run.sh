#!/bin/sh
# Doc tests: run every example in the documentation, so the docs cannot rot.
#
# Documents: README.md and man/*.[0-9].  In a man page an example that runs
# is a `.Bd -literal` block right after a comment line
#     .\" test: WHAT [EXPECT] [more] [nofmt]
# and in README.md a fenced block tagged ```authz (WHAT = policy),
# ```authz-test (tests), ```json schema (schema) or ```sh (sh); words after
# the tag are the other arguments (```authz E0305).
#
# WHAT
#   schema  a schema; it must load, and the document's later examples are
#           checked against it (until its next schema).  Before the first:
#           examples/schema.json.
#   policy  a policy file, checked on its own against the current schema
#           (`authzc check FILE...`, so without W0503 for the missing tests).
#           With `more`, checked together with the policy examples before
#           it (since the last one without `more`).  With `as=NAME`, the
#           policy examples so far and the schema are saved under NAME.
#   tests   a test file, checked together with those policy examples.
#   config  an authzc.json, checked in a project with the current schema
#           and those policy examples (under policies/).
#   output  exactly what the `authzc check` of the example before printed.
#   script  a shell script, run whole with sh -e in a scratch folder holding
#           a copy of examples/, `authzc` on PATH meaning $AUTHZC, HOME a
#           scratch folder whose git configuration names a user; it must
#           exit 0 (a script checks its own results: grep, test).
#   sh      commands: each line starting with `authzc` (or `$ authzc`) is
#           run with sh in a scratch folder holding a copy of examples/,
#           `authzc` on PATH meaning $AUTHZC, and must exit 0.  Other lines
#           (make targets, installs) are shown, not run; a README block
#           with no such line is skipped.
# EXPECT
#   (none)  `authzc check` exits 0.
#   E0305   `authzc check` exits 1 and reports E0305.
#   W0501   `authzc check` exits 0 and reports W0501.
# file=NAME.authz  the name of the policy file (default docN.authz), as
#           diagnostics show it: policies/NAME.authz.
# use=NAME  start from the policy examples and schema saved by as=NAME
#           (for a tests, config or `policy more` example far from them).
# nofmt     skip `authzc fmt --check`, which every policy and tests example
#           that is expected to check cleanly otherwise gets: examples are
#           written in the canonical layout.
#
# Also: the table of diagnostics in authzc(1) lists exactly the codes of
# compiler/lang/diag_codes.def, with their descriptions.
#
# Then examples/ itself: `authzc check -C examples` exits 0 and `authzc fmt
# --check` finds nothing to change.
#
#   AUTHZC=build/authzc sh tests/doc/run.sh [DOC...]
#
# The last line is "doc: N passed, N failed"; the exit status is 1 on failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${AUTHZC:?set AUTHZC to the authzc binary}"
case $AUTHZC in /*) ;; *) AUTHZC=$(pwd)/$AUTHZC ;; esac
# A fixed clock, so that @expires examples say the same thing every day.
AUTHZC_NOW=${AUTHZC_NOW:-2026-11-22T00:00:00Z}
export AUTHZC AUTHZC_NOW NO_COLOR=1 TZ=UTC LC_ALL=C
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authzc-doc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/cases" "$tmp/bin"
ln -s "$AUTHZC" "$tmp/bin/authzc"
pass=0
fail=0

if [ $# -gt 0 ]; then docs="$*"; else
	docs=$(cd "$root" && ls README.md man/*.[0-9] 2>/dev/null)
fi
for doc in $docs; do
	[ -f "$root/$doc" ] || { echo "FAIL $doc: no such document"; fail=$((fail + 1)); continue; }
	before=$(cat "$tmp/cases/count" 2>/dev/null || echo 0)
	(cd "$root" && awk -v out="$tmp/cases" -v doc="$doc" -f "$here/extract.awk" "$doc")
	after=$(cat "$tmp/cases/count")
	echo "$before $after $doc" >>"$tmp/docs"
done
[ -f "$tmp/docs" ] || : >"$tmp/docs"

# ok WHERE / bad WHERE MESSAGE [OUTPUT-FILE]
ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL $1: $2"
	[ $# -gt 2 ] && [ -s "$3" ] && sed 's/^/    /' "$3" | head -30
	fail=$((fail + 1))
}

# project DIR: a scratch project with the current schema, the kept policy
# examples and, given a second argument, one test file.
project() {
	rm -rf "$1"
	mkdir -p "$1/policies" "$1/tests"
	cp "$schema" "$1/schema.json"
	for p in $kept; do
		cp "$p" "$1/policies/${p##*/}"
	done
	[ $# -gt 1 ] && cp "$2" "$1/tests/doc_test.authz"
	return 0
}

# expect_check WHERE DIR EXPECT [FILE...]: run `authzc check [FILE...]` in DIR.
expect_check() {
	cwhere=$1 cdir=$2 cexpect=$3
	shift 3
	(cd "$cdir" && "$AUTHZC" check "$@") >"$tmp/out" 2>&1
	code=$?
	cp "$tmp/out" "$tmp/last"
	case $cexpect in
	"")
		[ $code = 0 ] || { bad "$cwhere" "check exited $code, expected 0" "$tmp/out"; return 1; } ;;
	E*)
		[ $code = 1 ] || { bad "$cwhere" "check exited $code, expected 1 (error $cexpect)" "$tmp/out"; return 1; }
		grep -qF "[$cexpect]" "$tmp/out" || { bad "$cwhere" "check did not report $cexpect" "$tmp/out"; return 1; } ;;
	W*)
		[ $code = 0 ] || { bad "$cwhere" "check exited $code, expected 0 (warning $cexpect)" "$tmp/out"; return 1; }
		grep -qF "[$cexpect]" "$tmp/out" || { bad "$cwhere" "check did not report $cexpect" "$tmp/out"; return 1; } ;;
	*)
		bad "$cwhere" "unknown expectation '$cexpect' (write E0305, W0501 or nothing)"; return 1 ;;
	esac
	return 0
}

# expect_fmt WHERE DIR FILE: FILE (relative to DIR) is canonically formatted.
expect_fmt() {
	(cd "$2" && "$AUTHZC" fmt --check "$3") >"$tmp/out" 2>&1
	code=$?
	if [ $code != 0 ]; then
		cp "$2/$3" "$tmp/fmt.authz"
		(cd "$tmp" && "$AUTHZC" fmt fmt.authz) >/dev/null 2>&1 &&
			diff -u "$2/$3" "$tmp/fmt.authz" >>"$tmp/out"
		bad "$1" "not in the canonical layout (fmt --check exited $code)" "$tmp/out"
		return 1
	fi
	return 0
}

d=0
while read -r first last doc; do
	d=$((d + 1))
	rm -f "$tmp/last"
	schema="$root/examples/schema.json"
	kept=""
	n=$first
	while [ "$n" -lt "$last" ]; do
		n=$((n + 1))
		where=$(cat "$tmp/cases/$n.where")
		body="$tmp/cases/$n.body"
		set -f
		# shellcheck disable=SC2046 # split into words on purpose
		set -- $(cat "$tmp/cases/$n.kind")
		set +f
		what=${1:-}
		[ $# -gt 0 ] && shift
		expect="" more=0 nofmt=0 badarg="" as="" use="" file=""
		if [ "$what" = error ]; then
			bad "$where" "$*"
			continue
		fi
		for a in "$@"; do
			case $a in
			more) more=1 ;;
			as=*) as=${a#as=} ;;
			use=*) use=${a#use=} ;;
			file=*.authz) file=${a#file=} ;;
			nofmt) nofmt=1 ;;
			[EW][0-9][0-9][0-9][0-9]) expect=$a ;;
			*) badarg=$a ;;
			esac
		done
		if [ -n "$badarg" ]; then
			bad "$where" "unknown test argument '$badarg'"
			continue
		fi
		case $as$use$file in
		*[!A-Za-z0-9_.]*) bad "$where" "as= and use= take a name of letters, digits and _"; continue ;;
		esac
		if [ -n "$use" ]; then
			if ! eval "[ -n \"\${named_schema_${d}_$use:-}\" ]"; then
				bad "$where" "use=$use: no earlier example of this document says as=$use"
				continue
			fi
			eval "kept=\$named_kept_${d}_$use schema=\$named_schema_${d}_$use"
		fi
		dir="$tmp/p$n"
		case $what in
		schema)
			cp "$body" "$tmp/schema$n.json"
			save=$schema
			schema="$tmp/schema$n.json"
			save_kept=$kept
			kept=""
			project "$dir"
			if expect_check "$where" "$dir" "$expect"; then
				ok
				# a schema that loads is the one later examples use
				[ -z "$expect" ] && save="$tmp/schema$n.json" save_kept=""
			fi
			schema=$save
			kept=$save_kept
			;;
		policy)
			mkdir -p "$tmp/k$n"
			pfile="$tmp/k$n/${file:-doc$n.authz}"
			cp "$body" "$pfile"
			if [ $more = 1 ]; then cand="$kept $pfile"; else cand=$pfile; fi
			save_kept=$kept
			kept=$cand
			project "$dir"
			# the policy files on their own: a project without tests
			# would add W0503 to what the example shows
			pfiles=$(cd "$dir" && ls policies/*.authz)
			# shellcheck disable=SC2086 # names of letters, digits, _ and .
			if expect_check "$where" "$dir" "$expect" $pfiles; then
				if [ -z "$expect" ] || [ "${expect#W}" != "$expect" ]; then
					if [ $nofmt = 1 ] || expect_fmt "$where" "$dir" "policies/${pfile##*/}"; then ok; fi
				else
					ok
				fi
			fi
			# only examples that check cleanly are kept for what follows
			if [ -n "$expect" ] && [ "${expect#E}" != "$expect" ]; then kept=$save_kept; fi
			if [ -n "$as" ]; then eval "named_kept_${d}_$as=\$kept named_schema_${d}_$as=\$schema"; fi
			;;
		tests)
			project "$dir" "$body"
			if expect_check "$where" "$dir" "$expect"; then
				if [ -n "$expect" ] && [ "${expect#E}" != "$expect" ]; then ok
				elif [ $nofmt = 1 ] || expect_fmt "$where" "$dir" tests/doc_test.authz; then ok; fi
			fi
			;;
		config)
			project "$dir"
			cp "$body" "$dir/authzc.json"
			expect_check "$where" "$dir" "$expect" && ok
			;;
		sh)
			rm -rf "$dir"
			mkdir -p "$dir"
			cp -R "$root/examples" "$dir/examples"
			okay=1
			grep -E '^(\$ )?authzc( |$)' "$body" | sed 's/^\$ //' >"$tmp/cmds"
			if [ ! -s "$tmp/cmds" ]; then
				# A README block of make targets only is shown, not run; a
				# man page asked for a test, so there must be one.
				case $where in
				*.md:*) ;;
				*) bad "$where" "an sh example with no authzc command to run" ;;
				esac
				continue
			fi
			while IFS= read -r cmd; do
				(cd "$dir" && PATH="$tmp/bin:$PATH" sh -c "$cmd") >"$tmp/out" 2>&1 </dev/null
				code=$?
				if [ $code != 0 ]; then
					bad "$where" "'$cmd' exited $code" "$tmp/out"
					okay=0
					break
				fi
			done <"$tmp/cmds"
			[ $okay = 1 ] && ok
			;;
		script)
			rm -rf "$dir"
			mkdir -p "$dir/home"
			cp -R "$root/examples" "$dir/examples"
			printf '[user]\n\tname = Doc Example\n\temail = doc@example.com\n[init]\n\tdefaultBranch = main\n' \
				>"$dir/home/.gitconfig"
			(cd "$dir" && HOME="$dir/home" XDG_CONFIG_HOME="$dir/home/.config" GIT_CONFIG_NOSYSTEM=1 \
				PATH="$tmp/bin:$PATH" sh -e "$body") >"$tmp/out" 2>&1 </dev/null
			code=$?
			if [ $code = 0 ]; then ok; else bad "$where" "the script exited $code" "$tmp/out"; fi
			;;
		output)
			# what the last check printed, exactly (diagnostics, summary)
			if [ ! -f "$tmp/last" ]; then
				bad "$where" "an output example with no check example before it"
			elif cmp -s "$body" "$tmp/last"; then
				ok
			else
				diff -u "$body" "$tmp/last" >"$tmp/out"
				bad "$where" "the output shown is not what check prints" "$tmp/out"
			fi
			continue
			;;
		*)
			bad "$where" "unknown kind of example '$what' (schema, policy, tests, config, sh, script, output)"
			;;
		esac
	done
done <"$tmp/docs"

# The example project is documentation too.
if [ -d "$root/examples" ]; then
	rm -rf "$tmp/examples"
	cp -R "$root/examples" "$tmp/examples"
	(cd "$tmp" && "$AUTHZC" -C examples check) >"$tmp/out" 2>&1
	code=$?
	if [ $code = 0 ]; then ok; else bad examples "authzc -C examples check exited $code" "$tmp/out"; fi
	(cd "$tmp/examples" && "$AUTHZC" fmt --check) >"$tmp/out" 2>&1
	code=$?
	if [ $code = 0 ]; then ok; else bad examples "authzc fmt --check in examples exited $code" "$tmp/out"; fi
fi

# The table of diagnostics in authzc(1) is compiler/lang/diag_codes.def (a
# missing file is a failure, never a skipped check).
def="$root/compiler/lang/diag_codes.def"
page="$root/man/authzc.1"
if ! [ -f "$def" ] || ! [ -f "$page" ]; then
	echo "no $def or $page" >"$tmp/out"
	bad man/authzc.1 "cannot compare DIAGNOSTICS with diag_codes.def" "$tmp/out"
else
	sed -n 's/^DIAG([A-Z_0-9]*, *"\([EW][0-9]*\)", *\([A-Z]*\), *"\(.*\)")$/.It \1 Ta \2 Ta \3/p' "$def" |
		sed 's/ Ta ERROR Ta / Ta error Ta /; s/ Ta WARNING Ta / Ta warning Ta /' >"$tmp/codes.want"
	grep -E '^\.It [EW][0-9]{4} Ta ' "$page" >"$tmp/codes.have"
	if diff -u "$tmp/codes.want" "$tmp/codes.have" >"$tmp/out"; then ok; else
		bad man/authzc.1 "DIAGNOSTICS differs from compiler/lang/diag_codes.def (- def, + page)" "$tmp/out"
	fi
fi

echo "doc: $pass passed, $fail failed"
[ $fail = 0 ]
