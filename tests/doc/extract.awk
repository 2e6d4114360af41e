# extract.awk: pull the runnable examples out of one document.
#
#   awk -v out=DIR -v doc=PATH -f extract.awk PATH
#
# writes, for the Nth example found, DIR/N.kind (one line: "<what> [args]"),
# DIR/N.body (the example's text) and DIR/N.where ("PATH:LINE").  N counts
# up from 1 across every document written to the same DIR (DIR/count holds
# the last N).  Which examples run, and how, is documented in run.sh.
#
# Man pages (PATH ends in a digit): a comment line `.\" test: <what> [args]`
# immediately followed by `.Bd -literal`; the block's lines up to `.Ed` are
# the example, with the roff escapes \e \& \- \(aq \(dq undone.
# Markdown: a fenced block tagged ```authz, ```authz-test, ```json schema or
# ```sh; words after the tag are args (```authz E0305).
function start(kind, line) {
	n++
	body = out "/" n ".body"
	printf "" > body
	print kind > (out "/" n ".kind")
	close(out "/" n ".kind")
	print doc ":" line > (out "/" n ".where")
	close(out "/" n ".where")
	inblock = 1
}
function finish() {
	close(body)
	inblock = 0
}
function unroff(s,    p) {
	gsub(/\\e/, "\001", s)
	gsub(/\\&/, "", s)
	gsub(/\\-/, "-", s)
	gsub(/\\\(aq/, "'", s)
	gsub(/\\\(dq/, "\"", s)
	gsub(/\001/, "\\", s)
	return s
}
BEGIN {
	n = 0
	if ((getline prev < (out "/count")) > 0)
		n = prev + 0
	close(out "/count")
	man = doc ~ /\.[0-9]$/
	pending = ""
}
man && !inblock {
	if ($0 ~ /^\.\\" test:/) {
		pending = $0
		sub(/^\.\\" test:[ \t]*/, "", pending)
		pending_line = NR
		next
	}
	if (pending != "") {
		if ($0 ~ /^\.Bd -literal/) {
			start(pending, NR + 1)
		} else {
			n++
			print "error test comment not followed by .Bd -literal" > (out "/" n ".kind")
			close(out "/" n ".kind")
			printf "" > (out "/" n ".body")
			close(out "/" n ".body")
			print doc ":" pending_line > (out "/" n ".where")
			close(out "/" n ".where")
		}
		pending = ""
	}
	next
}
man && inblock {
	if ($0 ~ /^\.Ed/) {
		finish()
		next
	}
	print unroff($0) > body
	next
}
!man && !inblock && !skipping && /^```/ {
	tag = substr($0, 4)
	split(tag, w, /[ \t]+/)
	rest = tag
	sub(/^[^ \t]*[ \t]*/, "", rest)
	if (w[1] == "authz")
		start(rest == "" ? "policy" : "policy " rest, NR + 1)
	else if (w[1] == "authz-test")
		start(rest == "" ? "tests" : "tests " rest, NR + 1)
	else if (w[1] == "json" && w[2] == "schema") {
		sub(/^schema[ \t]*/, "", rest)
		start(rest == "" ? "schema" : "schema " rest, NR + 1)
	} else if (w[1] == "sh")
		start("sh", NR + 1)
	else
		skipping = 1
	next
}
!man && inblock && /^```[ \t]*$/ { finish(); next }
!man && skipping && /^```[ \t]*$/ { skipping = 0; next }
!man && inblock { print > body; next }
END {
	if (inblock) {
		finish()
		print "error example block not closed" > (out "/" n ".kind")
	}
	if (pending != "") {
		n++
		print "error test comment at end of file" > (out "/" n ".kind")
		printf "" > (out "/" n ".body")
		print doc ":" pending_line > (out "/" n ".where")
	}
	print n > (out "/count")
}
