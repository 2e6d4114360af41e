#!/bin/sh
# authzc serve end to end, on loopback ports the kernel picks:
#
#   AUTHZC=build/authzc REQUESTS=build/serve-requests sh tests/serve/run.sh
#
# - every request of the examples' tests is answered by POST /v1/decide
#   with the bytes `authzc eval -b` prints for it (and with ?explain=1 as
#   `eval --explain`), and by /v1/decide/batch as JSON Lines and as an array;
# - /health, /metrics, 400 for a body that is not JSON, 404, 405, 413;
# - no bundle: /health 503 and every decision a deny;
# - a corrupt bundle is refused and the old one keeps serving;
# - serve --trust: only bundles signed by a trusted key, from the file or
#   the URL; a refused one keeps the old one serving;
# - reload under load: clients send requests while the bundle file is
#   replaced 50 times; no request fails, every decision names one of the
#   two bundles, and both are seen;
# - SIGTERM exits 0; a Unix socket;
# - --shadow: a tightening and a loosening candidate; the answers stay the
#   active bundle's, each disagreement is logged (both decisions, bundles
#   and rules) and counted, and `authzc diff --replay` reads the log back;
# - NGINX (auth_request) in front of /v1/gateway, with the configuration of
#   README.md: allowed requests reach the application, denied ones get 403;
# - Envoy's HTTP ext_authz, emulated (no Envoy binary is available): the
#   requests README.md's Envoy block makes the filter send.
#
# Nothing is timed: waits poll for a condition, at most a bounded number of
# times.  The last line is "serve: N passed, N failed".
set -u
: "${AUTHZC:?set AUTHZC to the authzc binary}"
: "${REQUESTS:?set REQUESTS to the serve-requests binary}"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export AUTHZC_NOW=2026-11-22T10:00:00Z NO_COLOR=1 LC_ALL=C
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authzc-serve.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	[ -f "$tmp/nginx/nginx.pid" ] && kill "$(cat "$tmp/nginx/nginx.pid" 2>/dev/null)" 2>/dev/null
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
check() { # check NAME COMMAND...: COMMAND must succeed
	name=$1
	shift
	if "$@"; then ok; else bad "$name"; fi
}

# start NAME ARGS...: start authzc serve on a free port, its stderr in
# $tmp/NAME.log; sets $url (or fails the run when it does not start).
start() {
	name=$1
	shift
	"$AUTHZC" serve "$@" 2>"$tmp/$name.log" &
	pid=$!
	pids="$pids $pid"
	i=0
	while ! grep -q 'listening on' "$tmp/$name.log" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 $pid 2>/dev/null; then
			echo "FAIL $name: the server did not start"
			cat "$tmp/$name.log"
			exit 1
		fi
		sleep 0.05
	done
	url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$tmp/$name.log" | head -1)
}

# wait_for WHAT COMMAND...: poll until COMMAND succeeds (at most 400 times).
wait_for() {
	what=$1
	shift
	i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -gt 400 ] && { bad "$what: never happened"; return 1; }
		sleep 0.05
	done
	ok
}

status() { # status URL [CURL ARGS...]: print the HTTP status
	u=$1
	shift
	curl -s -o "$tmp/body" -w '%{http_code}' "$@" "$u"
}

digest() { "$AUTHZC" inspect "$1" | sed -n 's/.*\(sha256:[0-9a-f]*\).*/\1/p' | head -1; }

# ---- bundles ------------------------------------------------------------------
"$AUTHZC" -C "$root/examples" compile -o "$tmp/a.authzb" >/dev/null 2>&1 || { echo "FAIL compile examples"; exit 1; }
cp -R "$root/examples" "$tmp/b"
cat >"$tmp/b/policies/extra.authz" <<'POLICY'
// A second version of the examples, which decides every test alike.
package extra;

@owner("tests")
forbid nobody_special {
  principal is User
  when principal.department == "no-such-department-xyz"
}
POLICY
"$AUTHZC" -C "$tmp/b" compile -o "$tmp/b.authzb" >/dev/null 2>&1 || { echo "FAIL compile b"; exit 1; }
da=$(digest "$tmp/a.authzb")
db=$(digest "$tmp/b.authzb")
check "two bundles with two digests" test -n "$da" -a -n "$db" -a "$da" != "$db"
cp "$tmp/a.authzb" "$tmp/live.authzb"

"$REQUESTS" "$root/examples" >"$tmp/requests.jsonl" || { echo "FAIL serve-requests"; exit 1; }
n=$(wc -l <"$tmp/requests.jsonl")
check "the examples have test requests" test "$n" -gt 10

start main -b "$tmp/live.authzb" --listen 127.0.0.1:0 --poll 20

# ---- /v1/decide: eval's bytes ---------------------------------------------------
"$AUTHZC" eval -b "$tmp/a.authzb" <"$tmp/requests.jsonl" >"$tmp/eval.out"
"$AUTHZC" eval --explain -b "$tmp/a.authzb" <"$tmp/requests.jsonl" >"$tmp/eval-explain.out"
: >"$tmp/serve.out"
: >"$tmp/serve-explain.out"
i=0
while IFS= read -r line; do
	i=$((i + 1))
	printf '%s' "$line" >"$tmp/req.json"
	curl -s --data-binary @"$tmp/req.json" "$url/v1/decide" >>"$tmp/serve.out"
	curl -s --data-binary @"$tmp/req.json" "$url/v1/decide?explain=1" >>"$tmp/serve-explain.out"
done <"$tmp/requests.jsonl"
check "every test request decided as eval decides it ($n requests)" cmp -s "$tmp/eval.out" "$tmp/serve.out"
check "?explain=1 as eval --explain" cmp -s "$tmp/eval-explain.out" "$tmp/serve-explain.out"
check "some allowed, some denied" sh -c "grep -q '\"decision\":\"allow\"' '$tmp/serve.out' && grep -q '\"decision\":\"deny\"' '$tmp/serve.out'"

# A request file laid out over several lines: eval's file form.
cp "$root/tests/fuzz/seeds/request/ci_read.json" "$tmp/pretty.json"
python3 -m json.tool "$tmp/pretty.json" >"$tmp/pretty2.json"
"$AUTHZC" eval -b "$tmp/a.authzb" "$tmp/pretty2.json" >"$tmp/e1"
curl -s --data-binary @"$tmp/pretty2.json" "$url/v1/decide" >"$tmp/s1"
check "an indented request file as eval decides it" cmp -s "$tmp/e1" "$tmp/s1"

# ---- batch -------------------------------------------------------------------------
curl -s --data-binary @"$tmp/requests.jsonl" "$url/v1/decide/batch" >"$tmp/batch.out"
check "batch of JSON Lines: eval's decisions, in order" python3 -c '
import json, sys
got = json.load(open(sys.argv[1]))
want = [json.loads(l) for l in open(sys.argv[2])]
sys.exit(got != want)' "$tmp/batch.out" "$tmp/eval.out"
python3 -c 'import sys, json; print(json.dumps([json.loads(l) for l in open(sys.argv[1])]))' \
	"$tmp/requests.jsonl" >"$tmp/requests.array"
curl -s --data-binary @"$tmp/requests.array" "$url/v1/decide/batch" >"$tmp/batch2.out"
check "batch of a JSON array: the same" cmp -s "$tmp/batch.out" "$tmp/batch2.out"
check "a batch that is not an array: 400" test "$(status "$url/v1/decide/batch" --data-binary '[{"a":1},')" = 400

# ---- health, metrics, errors --------------------------------------------------------
check "/health 200" test "$(status "$url/health")" = 200
check "/health names the bundle" grep -q "\"status\":\"ok\",\"bundle\":\"$da\"" "$tmp/body"
check "/health has loaded_at" grep -q '"loaded_at":"20' "$tmp/body"
check "not JSON: 400" test "$(status "$url/v1/decide" --data-binary '{"principal":')" = 400
check "not JSON: a JSON error, no decision" sh -c "grep -q '^{\"error\":' '$tmp/body' && ! grep -q decision '$tmp/body'"
check "empty body: 400" test "$(status "$url/v1/decide" -X POST)" = 400
check "unknown path: 404" test "$(status "$url/v2/nothing")" = 404
check "GET /v1/decide: 405" test "$(status "$url/v1/decide")" = 405
check "no gateway mapping: 404" test "$(status "$url/v1/gateway/a/b")" = 404
head -c 1100000 /dev/zero | tr '\0' ' ' >"$tmp/big"
check "a body over 1 MiB: 413" test "$(status "$url/v1/decide" --data-binary @"$tmp/big")" = 413
check "a chunked body over 1 MiB: 413" test "$(status "$url/v1/decide" -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/big")" = 413
curl -s "$url/metrics" >"$tmp/metrics"
check "/metrics: decisions by outcome" grep -q '^authzc_decisions_total{decision="allow"} [1-9]' "$tmp/metrics"
check "/metrics: bad JSON counted" grep -q '^authzc_request_errors_total{reason="bad_json"} [1-9]' "$tmp/metrics"
check "/metrics: latency histogram" grep -q '^authzc_decision_duration_seconds_bucket{le="+Inf"} [1-9]' "$tmp/metrics"
check "/metrics: the bundle's digest" grep -q "^authzc_bundle_info{digest=\"$da\"" "$tmp/metrics"
check "/metrics: reloads" grep -q '^authzc_bundle_reloads_total 0' "$tmp/metrics"
check "/metrics: the load's duration" grep -q '^authzc_bundle_load_duration_seconds 0\.[0-9]\{9\}$' "$tmp/metrics"
check "/metrics: the prepare's duration" grep -q '^authzc_bundle_prepare_duration_seconds [0-9]*\.[0-9]\{9\}$' "$tmp/metrics"

# ---- a corrupt bundle keeps the old one ------------------------------------------------
head -c 300 "$tmp/b.authzb" >"$tmp/corrupt"
mv "$tmp/corrupt" "$tmp/live.authzb"
health_refused() { curl -s "$url/health" | grep -q '"reload_failures":1,"last_refusal":{"message":'; }
wait_for "a corrupt bundle is refused" health_refused
check "the old bundle keeps serving" sh -c "curl -s --data-binary @'$tmp/req.json' '$url/v1/decide' | grep -q '\"bundle\":\"$da\"'"
curl -s "$url/metrics" >"$tmp/metrics"
check "/metrics: the refusal counted" grep -q '^authzc_bundle_reload_failures_total 1' "$tmp/metrics"
check "the refusal is logged" grep -q "refused" "$tmp/main.log"

# ---- reload under load ---------------------------------------------------------------
# Four clients each send requests (kept alive, 20 per curl) until the swaps
# are over; meanwhile the file is replaced 50 times, by rename, alternately
# by b and a, each followed by SIGHUP or left to the poll.
serve_pid=$(echo $pids | awk '{print $1}')
for k in 1 2 3 4; do
	(
		j=0
		while [ ! -f "$tmp/stop" ] && [ $j -lt 500 ]; do
			j=$((j + 1))
			set -- -s -w '%{http_code}\n' --data-binary @"$tmp/req.json" "$url/v1/decide"
			for r in 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
				set -- "$@" --next -s -w '%{http_code}\n' --data-binary @"$tmp/req.json" "$url/v1/decide"
			done
			curl "$@" >>"$tmp/load.$k" 2>>"$tmp/load.err"
		done
	) &
	pids="$pids $!"
done
s=0
while [ $s -lt 50 ]; do
	s=$((s + 1))
	if [ $((s % 2)) = 1 ]; then cp "$tmp/b.authzb" "$tmp/next"; else cp "$tmp/a.authzb" "$tmp/next"; fi
	mv "$tmp/next" "$tmp/live.authzb"
	if [ $((s % 3)) = 0 ]; then
		kill -HUP "$serve_pid"
	fi
	want=$(( s + 1 ))
	reloaded() { curl -s "$url/health" | grep -q "\"reloads\":$1,"; }
	# Each swap is seen (SIGHUP may add one more reload of the same file).
	i=0
	until [ "$(curl -s "$url/health" | sed -n 's/.*"reloads":\([0-9]*\).*/\1/p')" -ge "$s" ]; do
		i=$((i + 1))
		[ $i -gt 400 ] && break
		sleep 0.02
	done
done
touch "$tmp/stop"
for p in $(echo $pids | cut -d' ' -f2-); do wait "$p" 2>/dev/null; done
pids=$serve_pid
cat "$tmp"/load.? >"$tmp/load"
total=$(grep -c '^{' "$tmp/load")
codes_bad=$(grep -v '^{' "$tmp/load" | grep -v '^$' | grep -vc '^200$')
check "reload under load: requests were sent ($total)" test "$total" -gt 100
check "reload under load: 0 failed requests" test "$codes_bad" = 0 -a ! -s "$tmp/load.err"
check "reload under load: every decision from bundle a or b" sh -c \
	"! grep '^{' '$tmp/load' | grep -v '\"bundle\":\"$da\"' | grep -qv '\"bundle\":\"$db\"'"
check "reload under load: both bundles seen" sh -c "grep -q '$da' '$tmp/load' && grep -q '$db' '$tmp/load'"
check "reload under load: every decision alike" sh -c \
	"test \$(grep '^{' '$tmp/load' | sed 's/\"bundle\":\"[^\"]*\"//' | sort -u | wc -l) = 1"
reloads=$(curl -s "$url/health" | sed -n 's/.*"reloads":\([0-9]*\).*/\1/p')
check "reload under load: 50 swaps seen ($reloads reloads)" test "$reloads" -ge 50
echo "serve: reload under load: $total requests from 4 clients, $reloads reloads, $codes_bad failed"

# ---- SIGTERM ----------------------------------------------------------------------------
kill -TERM "$serve_pid"
wait "$serve_pid"
check "SIGTERM: exit 0" test $? = 0
check "SIGTERM: logged" grep -q 'SIGTERM' "$tmp/main.log"
pids=""

# ---- no bundle ----------------------------------------------------------------------------
start nobundle -b "$tmp/missing.authzb" --listen 127.0.0.1:0
check "no bundle: /health 503" test "$(status "$url/health")" = 503
check "no bundle: /health says so" grep -q '"status":"no bundle"' "$tmp/body"
check "no bundle: /v1/decide 503" test "$(status "$url/v1/decide" --data-binary @"$tmp/req.json")" = 503
check "no bundle: a deny with an error" grep -q '^{"decision":"deny","rules":\[\],"errors":\[{"kind":"request","message":"no bundle is loaded"}\]' "$tmp/body"
cp "$tmp/a.authzb" "$tmp/missing.authzb"
health_ok() { test "$(status "$url/health")" = 200; }
wait_for "a bundle that appears is loaded" health_ok

# ---- signed bundles: serve --trust -----------------------------------------------------------
# Only bundles signed by a --trust key are loaded, at start and on every
# reload; a refused one (unsigned, another key's) keeps the old one serving,
# counted and shown in /health.
"$AUTHZC" keygen -o "$tmp" release >/dev/null 2>&1 && "$AUTHZC" keygen -o "$tmp" stranger >/dev/null 2>&1 ||
	{ echo "FAIL keygen"; exit 1; }
"$AUTHZC" -C "$root/examples" compile --sign "$tmp/release.key" -o "$tmp/sa.authzb" >/dev/null 2>&1 &&
"$AUTHZC" -C "$tmp/b" compile --sign "$tmp/release.key" -o "$tmp/sb.authzb" >/dev/null 2>&1 &&
"$AUTHZC" -C "$tmp/b" compile --sign "$tmp/stranger.key" -o "$tmp/xb.authzb" >/dev/null 2>&1 ||
	{ echo "FAIL compile --sign"; exit 1; }
dsa=$(digest "$tmp/sa.authzb")
dsb=$(digest "$tmp/sb.authzb")
rid=$(cut -d' ' -f2 "$tmp/release.pub")
cp "$tmp/sa.authzb" "$tmp/signed.authzb"
start signed -b "$tmp/signed.authzb" --trust "$tmp/release.pub" --listen 127.0.0.1:0 --poll 20
check "serve --trust: a signed bundle is served" test "$(status "$url/health")" = 200
check "serve --trust: /health names the signer, verified" \
	grep -q "\"bundle\":\"$dsa\".*\"signer\":\"$rid\",\"signature_verified\":true" "$tmp/body"
cp "$tmp/b.authzb" "$tmp/next" && mv "$tmp/next" "$tmp/signed.authzb"
unsigned_refused() { curl -s "$url/health" | grep -q '"reload_failures":1,"last_refusal":{"message":"[^"]*it is not signed'; }
wait_for "serve --trust: an unsigned replacement is refused" unsigned_refused
check "serve --trust: the signed bundle keeps serving" \
	sh -c "curl -s --data-binary @'$tmp/req.json' '$url/v1/decide' | grep -q '\"bundle\":\"$dsa\"'"
cp "$tmp/xb.authzb" "$tmp/next" && mv "$tmp/next" "$tmp/signed.authzb"
stranger_refused() { curl -s "$url/health" | grep -q '"reload_failures":2,"last_refusal":{"message":"[^"]*not one of the 1 trusted key'; }
wait_for "serve --trust: a bundle signed by another key is refused" stranger_refused
check "serve --trust: still the signed bundle" \
	sh -c "curl -s --data-binary @'$tmp/req.json' '$url/v1/decide' | grep -q '\"bundle\":\"$dsa\"'"
cp "$tmp/sb.authzb" "$tmp/next" && mv "$tmp/next" "$tmp/signed.authzb"
on_sb() { curl -s "$url/health" | grep -q "\"bundle\":\"$dsb\""; }
wait_for "serve --trust: a signed replacement is loaded" on_sb
check "serve --trust: the refusals are logged" grep -q "refused: .*not signed" "$tmp/signed.log"
start signed_unsigned -b "$tmp/a.authzb" --trust "$tmp/release.pub" --listen 127.0.0.1:0
check "serve --trust: an unsigned bundle at start: 503, deny" \
	test "$(status "$url/v1/decide" --data-binary @"$tmp/req.json")" = 503
start signed_notrust -b "$tmp/sa.authzb" --listen 127.0.0.1:0
check "serve without --trust: a signed bundle loads, its signer shown, not verified" sh -c \
	"test \"\$(curl -s -o '$tmp/body' -w '%{http_code}' '$url/health')\" = 200 &&
	 grep -q '\"signer\":\"$rid\",\"signature_verified\":false' '$tmp/body'"

# ---- decision logs, rotated and chained -------------------------------------------------------
"$AUTHZC" keygen -o "$tmp" logk >/dev/null || { echo "FAIL keygen"; exit 1; }
start logged -b "$tmp/a.authzb" --listen 127.0.0.1:0 --log "$tmp/decisions.jsonl" --log-max-bytes 40000 --log-block \
	--log-key "$tmp/logk.key" --log-checkpoint-every 50
log_pid=$(echo $pids | awk '{print $NF}')
curl -s --data-binary @"$tmp/requests.jsonl" "$url/v1/decide/batch" >/dev/null
curl -s --data-binary @"$tmp/requests.jsonl" "$url/v1/decide/batch" >/dev/null
curl -s --data-binary @"$tmp/req.json" "$url/v1/decide" >/dev/null
kill -TERM "$log_pid"
wait "$log_pid"
pids=$(echo $pids | sed "s/ *$log_pid\$//")
logged=$(cat "$tmp"/decisions.jsonl* | grep -vc '^{"seq":[0-9]*,"prev":[^,]*,"log":')
check "decision log: one record per decision ($logged, $((2 * n + 1)) decided)" test "$logged" = $((2 * n + 1))
check "decision log: rotated past 40000 bytes" test -f "$tmp/decisions.jsonl.1" -a -f "$tmp/decisions.jsonl.2"
check "decision log: every record whole, eval --log's form with seq and prev" python3 -c '
import json, sys
for f in sys.argv[1:]:
    data = open(f).read()
    assert data.endswith("\n"), f
    for line in data.splitlines():
        r = json.loads(line)
        if "log" not in r:
            assert list(r) == ["seq", "prev", "request", "decision", "bundle", "revision", "annotations"], r.keys()
' "$tmp"/decisions.jsonl*
# The oldest file first: the batch's records in order, as eval decided them.
for f in $(ls "$tmp"/decisions.jsonl.* | sort -t. -k3 -n) "$tmp/decisions.jsonl"; do cat "$f"; done |
	grep -v '^{"seq":[0-9]*,"prev":[^,]*,"log":' | head -n "$n" | python3 -c '
import json, sys
for line in sys.stdin:
    print(json.dumps(json.loads(line)["decision"], separators=(",", ":"), ensure_ascii=False))' >"$tmp/logged-decisions"
check "decision log: the decisions in order" sh -c "python3 -c '
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
sys.exit(a != b)' '$tmp/logged-decisions' '$tmp/eval.out'"
check "decision log: the full files end with a checkpoint" sh -c \
	"tail -n 1 '$tmp/decisions.jsonl.1' | grep -q '\"log\":\"checkpoint\"'"
check "decision log: SIGTERM wrote a final checkpoint" sh -c \
	"tail -n 1 '$tmp/decisions.jsonl' | grep -q '\"final\":true'"
# A restart goes on with the chain; audit verify takes the files in any order.
start logged2 -b "$tmp/a.authzb" --listen 127.0.0.1:0 --log "$tmp/decisions.jsonl" --log-max-bytes 40000 \
	--log-key "$tmp/logk.key"
log_pid=$(echo $pids | awk '{print $NF}')
curl -s --data-binary @"$tmp/req.json" "$url/v1/decide" >/dev/null
check "decision log: a second writer of the log is refused" sh -c \
	"'$AUTHZC' serve -b '$tmp/a.authzb' --listen 127.0.0.1:0 --log '$tmp/decisions.jsonl' 2>&1 | grep -q 'being written by another process'"
kill -TERM "$log_pid"
wait "$log_pid"
pids=$(echo $pids | sed "s/ *$log_pid\$//")
"$AUTHZC" audit verify --trust "$tmp/logk.pub" "$tmp"/decisions.jsonl* >"$tmp/verify.out" 2>&1
check "audit verify: the rotated, restarted log verifies" test $? = 0
check "audit verify: every decision counted" grep -q " $((2 * n + 2)) decision(s)" "$tmp/verify.out"
# flip line 2's decision and the first digit of its prev (a fixed replacement
# could leave a line that already held it unchanged, 1 run in 16)
python3 - "$tmp/decisions.jsonl.1" <<'PY'
import re, sys
p = sys.argv[1]
lines = open(p).read().split("\n")
l = lines[1]
l = re.sub(r'"decision":"(allow|deny)"', lambda m: '"decision":"%s"' % ("deny" if m.group(1) == "allow" else "allow"), l, count=1)
l = re.sub(r'"prev":"sha256:(.)', lambda m: '"prev":"sha256:' + ("1" if m.group(1) == "0" else "0"), l, count=1)
assert l != lines[1]
lines[1] = l
open(p, "w").write("\n".join(lines))
PY
"$AUTHZC" audit verify --trust "$tmp/logk.pub" "$tmp"/decisions.jsonl* >"$tmp/verify.out" 2>&1
check "audit verify: an edited line of a rotated file is found" test $? = 1
check "audit verify: ... by file and line" grep -q "decisions.jsonl.1:2: modified" "$tmp/verify.out"

# ---- shadow evaluation ------------------------------------------------------------------
# The examples in a git repository (HEAD: bundle a) and two candidates: one
# that tightens (users read no dataset), one that loosens (agents read every
# dataset).  The server answers with a and logs where the candidate differs;
# `authzc diff --replay` reads the log back and finds the same requests
# loosened or tightened.
sproj="$tmp/sproj"
cp -R "$root/examples" "$sproj"
(cd "$sproj" && git init -q && git add -A && git -c user.email=t@t -c user.name=t commit -qm base) ||
	bad "shadow: a git repository of the examples"
cat >"$tmp/tight.authz" <<'POLICY'
// A candidate that tightens: users read no dataset.
package tight;

@owner("tests")
forbid no_user_reads {
  principal is User
  action == "read"
  resource is Dataset
}
POLICY
cat >"$tmp/loose.authz" <<'POLICY'
// A candidate that loosens: agents read every dataset.
package loose;

@owner("tests")
permit agents_read_all {
  principal is Agent
  action == "read"
  resource is Dataset
}
POLICY
for k in tight loose; do
	cp "$tmp/$k.authz" "$sproj/policies/zz_$k.authz"
	"$AUTHZC" -C "$sproj" compile -o "$tmp/$k.authzb" >/dev/null 2>&1 || bad "shadow: compile $k"
	rm "$sproj/policies/zz_$k.authz"
	"$AUTHZC" eval -b "$tmp/$k.authzb" <"$tmp/requests.jsonl" >"$tmp/eval-$k.out"
done
dt=$(digest "$tmp/tight.authzb")
dl=$(digest "$tmp/loose.authzb")
# How many requests each candidate decides otherwise, by eval.
differ() { python3 -c '
import json, sys
a = [json.loads(l)["decision"] for l in open(sys.argv[1])]
b = [json.loads(l)["decision"] for l in open(sys.argv[2])]
print(sum(1 for x, y in zip(a, b) if x == sys.argv[3] and y != x))' "$tmp/eval.out" "$tmp/eval-$1.out" "$2"; }
n_tight=$(differ tight allow)
n_loose=$(differ loose deny)
check "shadow: the candidates differ from a ($n_tight tightened, $n_loose loosened)" \
	test "$n_tight" -gt 0 -a "$n_loose" -gt 0 -a "$(differ tight deny)" = 0 -a "$(differ loose allow)" = 0
cp "$tmp/tight.authzb" "$tmp/shadow.authzb"
start shadow -b "$tmp/a.authzb" --shadow "$tmp/shadow.authzb" --shadow-log "$tmp/disagree.jsonl" \
	--listen 127.0.0.1:0 --poll 20
shadow_pid=$(echo $pids | awk '{print $NF}')
check "shadow: /health names the shadow bundle" sh -c "curl -s '$url/health' | grep -q '\"shadow\":{\"bundle\":\"$dt\"'"
curl -s --data-binary @"$tmp/requests.jsonl" "$url/v1/decide/batch" >"$tmp/shadow-batch.out"
check "shadow: the answers are the active bundle's" cmp -s "$tmp/batch.out" "$tmp/shadow-batch.out"
: >"$tmp/shadow-one.out"
while IFS= read -r line; do
	printf '%s' "$line" | curl -s --data-binary @- "$url/v1/decide" >>"$tmp/shadow-one.out"
done <"$tmp/requests.jsonl"
check "shadow: /v1/decide answers eval's bytes for a" cmp -s "$tmp/eval.out" "$tmp/shadow-one.out"
# The shadow thread decides after the answers: wait until it has.
shadowed() { curl -s "$url/metrics" | grep -q "^authzc_shadow_decisions_total $1\$"; }
wait_for "shadow: every request shadowed by the first candidate" shadowed $((2 * n))
# The candidate is replaced by the loosening one, as a deploy would.
cp "$tmp/loose.authzb" "$tmp/next" && mv "$tmp/next" "$tmp/shadow.authzb"
on_loose() { curl -s "$url/health" | grep -q "\"shadow\":{\"bundle\":\"$dl\""; }
wait_for "shadow: a new candidate file is loaded" on_loose
curl -s --data-binary @"$tmp/requests.jsonl" "$url/v1/decide/batch" >"$tmp/shadow-batch2.out"
check "shadow: still the active bundle's answers" cmp -s "$tmp/batch.out" "$tmp/shadow-batch2.out"
wait_for "shadow: every request shadowed by the second candidate" shadowed $((3 * n))
head -c 300 "$tmp/tight.authzb" >"$tmp/next" && mv "$tmp/next" "$tmp/shadow.authzb"
shadow_refused() { curl -s "$url/health" | grep -q '"shadow":{[^}]*"reload_failures":1,"last_refusal":{"message":'; }
wait_for "shadow: a corrupt candidate is refused" shadow_refused
check "shadow: the refused candidate changes nothing" sh -c \
	"curl -s '$url/health' | grep -q '^{\"status\":\"ok\",\"bundle\":\"$da\".*\"shadow\":{\"bundle\":\"$dl\"'"
curl -s "$url/metrics" >"$tmp/metrics"
check "/metrics: no request skipped" grep -q '^authzc_shadow_skipped_total 0$' "$tmp/metrics"
check "/metrics: tightened disagreements" grep -q "^authzc_shadow_disagreements_total{kind=\"tightened\"} $((2 * n_tight))\$" "$tmp/metrics"
check "/metrics: loosened disagreements" grep -q "^authzc_shadow_disagreements_total{kind=\"loosened\"} $n_loose\$" "$tmp/metrics"
check "/metrics: the shadow bundle's digest" grep -q "^authzc_shadow_bundle_info{digest=\"$dl\"" "$tmp/metrics"
check "/metrics: the shadow refusal" grep -q '^authzc_shadow_bundle_reload_failures_total 1$' "$tmp/metrics"
kill -TERM "$shadow_pid"
wait "$shadow_pid"
pids=$(echo $pids | sed "s/ *$shadow_pid\$//")
check "shadow: one record per disagreement" test "$(grep -c '"disagreement":' "$tmp/disagree.jsonl")" = $((2 * n_tight + n_loose))
check "shadow: the disagreement log is chained, one start record" test "$(grep -c '"log":"start"' "$tmp/disagree.jsonl")" = 1
check "shadow: each record has both decisions, bundles and deciding rules" python3 - "$tmp/disagree.jsonl" "$da" "$dt" "$dl" <<'PY'
import json, sys
path, da, dt, dl = sys.argv[1:]
for line in open(path):
    r = json.loads(line)
    if "log" in r:  # the hash chain's start (and gap, checkpoint) records
        continue
    assert list(r) == ["seq", "prev", "request", "decision", "bundle", "revision", "annotations", "shadow",
                       "disagreement"], list(r)
    s = r["shadow"]
    assert r["bundle"] == da and r["decision"]["bundle"] == da, r
    kind = r["disagreement"]
    want = {"tightened": ("allow", "deny", dt), "loosened": ("deny", "allow", dl)}[kind]
    assert (r["decision"]["decision"], s["decision"]["decision"], s["bundle"]) == want, r
    assert s["decision"]["bundle"] == s["bundle"], r
    allowing = r["decision"] if kind == "tightened" else s["decision"]
    assert allowing["rules"], r
    assert set(s["annotations"]) == set(s["decision"]["rules"]), r
    assert set(r["annotations"]) == set(r["decision"]["rules"]), r
PY
# authzc diff --replay reads the log: each candidate in the working tree
# against HEAD finds exactly its disagreements, of the same kind.
replayed() { # replayed KIND CANDIDATE: the replay lines diff finds KIND, one per line
	cp "$tmp/$2.authz" "$sproj/policies/zz_$2.authz"
	"$AUTHZC" -C "$sproj" diff --no-behaviour --format json --replay "$tmp/disagree.jsonl" HEAD 2>"$tmp/diff.err" |
		python3 -c '
import json, sys
d = json.load(sys.stdin)["decisions"]
for c in d["changes"]:
    if c["source"].startswith(sys.argv[2] + ":"):
        assert c["impact"] == sys.argv[1], c
        print(c["source"].rsplit(":", 1)[1])' "$1" "$tmp/disagree.jsonl"
	rm "$sproj/policies/zz_$2.authz"
}
grep -n '"disagreement":"tightened"' "$tmp/disagree.jsonl" | cut -d: -f1 >"$tmp/want-tight"
grep -n '"disagreement":"loosened"' "$tmp/disagree.jsonl" | cut -d: -f1 >"$tmp/want-loose"
replayed tightened tight >"$tmp/got-tight"
check "shadow: diff --replay finds the tightened records tightened" sh -c \
	"test -s '$tmp/got-tight' && cmp -s '$tmp/want-tight' '$tmp/got-tight'"
replayed loosened loose >"$tmp/got-loose"
check "shadow: diff --replay finds the loosened records loosened" sh -c \
	"test -s '$tmp/got-loose' && cmp -s '$tmp/want-loose' '$tmp/got-loose'"
check "shadow: --shadow without --shadow-log is a usage error" sh -c \
	"'$AUTHZC' serve -b '$tmp/a.authzb' --shadow '$tmp/tight.authzb' 2>/dev/null; test \$? = 2"

# ---- hostile clients -------------------------------------------------------------------
# 50 clients that send half a request and stop neither stall a decision nor
# outlive --timeout; a header over 64 KiB is refused with 431.
start hostile -b "$tmp/a.authzb" --listen 127.0.0.1:0 --timeout 1
check "hostile: 50 slow clients stall no one; each is cut off" python3 - "${url##*:}" "$url" "$tmp/req.json" <<'PY'
import socket, subprocess, sys
port, url, req = int(sys.argv[1]), sys.argv[2], sys.argv[3]
slow = []
for i in range(50):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"princ")
    slow.append(s)
r = subprocess.run(["curl", "-s", "-m", "20", "--data-binary", "@" + req, url + "/v1/decide"],
                   capture_output=True, text=True)
assert r.returncode == 0 and '"decision":' in r.stdout, r
# Each is closed by the server (the 30 s wait bounds the test; it measures
# nothing): the read ends with no answer, or a reset.
for s in slow:
    s.settimeout(30)
    try:
        data = s.recv(100)
    except ConnectionResetError:
        data = b""
    assert data == b"", data
    s.close()
PY
python3 -c 'print("a" * 100000)' >"$tmp/bighdr"
check "hostile: a 100 KB header: 431" test "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $(cat "$tmp/bighdr")" "$url/health")" = 431
check "hostile: still serving" test "$(status "$url/health")" = 200

# ---- a Unix socket ------------------------------------------------------------------------
"$AUTHZC" serve -b "$tmp/a.authzb" --socket "$tmp/authz.sock" 2>"$tmp/unix.log" &
pids="$pids $!"
sock_up() { curl -s --unix-socket "$tmp/authz.sock" http://localhost/health | grep -q '"status":"ok"'; }
wait_for "a Unix socket answers" sock_up
check "a Unix socket decides" sh -c "curl -s --unix-socket '$tmp/authz.sock' --data-binary @'$tmp/req.json' http://localhost/v1/decide | grep -q '\"bundle\":\"$da\"'"

# ---- NGINX auth_request in front of /v1/gateway ---------------------------------------------
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
	bad "nginx: not installed (make deps installs it)"
else
	NGINX=$(command -v nginx || echo /usr/sbin/nginx)
	gw="$tmp/gw"
	cp -R "$here/gateway" "$gw"
	"$AUTHZC" -C "$gw" compile -o "$tmp/gw.authzb" >/dev/null 2>&1 || bad "compile the gateway project"
	start gateway -C "$gw" -b "$tmp/gw.authzb" --listen 127.0.0.1:0
	aport=${url##*:}
	gwurl=$url
	free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
	nport=$(free_port)
	bport=$(free_port)
	fport=$(free_port)
	mkdir -p "$tmp/nginx" "$tmp/www"
	cp "$tmp/a.authzb" "$tmp/www/policy.authzb"
	# The README's block, its ports changed; a prefix, logs and temp
	# folders of its own; one process in the foreground; the application
	# is a second server that says which path it got.
	{
		echo "daemon off; master_process off; pid $tmp/nginx/nginx.pid; error_log $tmp/nginx/error.log;"
		awk '/^```nginx$/ { on = 1; next } on && /^```$/ { exit } on' "$root/README.md" |
			sed -e "s/127.0.0.1:8080/127.0.0.1:$nport/" -e "s/127.0.0.1:9000/127.0.0.1:$bport/" \
			    -e "s/127.0.0.1:8181/127.0.0.1:$aport/" \
			    -e "s|^http {|http {\n  access_log off;\n  client_body_temp_path $tmp/nginx/body;\n  proxy_temp_path $tmp/nginx/proxy;\n  fastcgi_temp_path $tmp/nginx/fastcgi;\n  uwsgi_temp_path $tmp/nginx/uwsgi;\n  scgi_temp_path $tmp/nginx/scgi;\n  server { listen 127.0.0.1:$bport; location / { return 200 \"application: \$request_method \$request_uri\\\\n\"; } }\n  server { listen 127.0.0.1:$fport; root $tmp/www; }|"
	} >"$tmp/nginx/nginx.conf"
	check "README has the NGINX block" grep -q auth_request "$tmp/nginx/nginx.conf"
	"$NGINX" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" 2>"$tmp/nginx/stderr" &
	pids="$pids $!"
	ng="http://127.0.0.1:$nport"
	ng_up() { curl -s -o /dev/null "$ng/"; }
	if wait_for "nginx starts" ng_up; then
		code=$(curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' -H 'X-User: alice' -H 'X-Tenant: acme' "$ng/acme/plan")
		check "nginx: an allowed GET reaches the application" sh -c "test $code = 200 && grep -q 'application: GET /acme/plan' '$tmp/body'"
		check "nginx: the deciding rule in X-Authz-Rules" grep -qi '^X-Authz-Rules: docs.tenant_read' "$tmp/headers"
		check "nginx: another tenant's document: 403" test "$(curl -s -o "$tmp/body" -w '%{http_code}' -H 'X-User: alice' -H 'X-Tenant: acme' "$ng/globex/plan")" = 403
		check "nginx: no X-Tenant: 403" test "$(curl -s -o /dev/null -w '%{http_code}' -H 'X-User: alice' "$ng/acme/plan")" = 403
		check "nginx: no X-User: 403" test "$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Tenant: acme' "$ng/acme/plan")" = 403
		check "nginx: a write without a ticket: 403" test "$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary x -H 'X-User: alice' -H 'X-Tenant: acme' "$ng/acme/plan")" = 403
		code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X PUT --data-binary x -H 'X-User: alice' -H 'X-Tenant: acme' -H 'X-Ticket: CHG-1' "$ng/acme/plan")
		check "nginx: a write with a ticket reaches the application" sh -c "test $code = 200 && grep -q 'application: PUT /acme/plan' '$tmp/body'"
		check "nginx: a path without a document: 403" test "$(curl -s -o /dev/null -w '%{http_code}' -H 'X-User: alice' -H 'X-Tenant: acme' "$ng/acme")" = 403

		# --bundle-url: NGINX serves the bundle as a CDN does, with ETags.
		burl="http://127.0.0.1:$fport/policy.authzb"
		# --shadow URL: the candidate polled from the same server.
		start shadowurl -b "$tmp/b.authzb" --shadow "$burl" --shadow-log "$tmp/shadow-url.jsonl" --url-poll 50 \
			--listen 127.0.0.1:0
		shadowurl_pid=$(echo $pids | awk '{print $NF}')
		check "shadow URL: the candidate is fetched" sh -c \
			"curl -s '$url/health' | grep -q '^{\"status\":\"ok\",\"bundle\":\"$db\".*\"shadow\":{\"bundle\":\"$da\"'"
		curl -s --data-binary @"$tmp/requests.jsonl" "$url/v1/decide/batch" >/dev/null
		shadowed_url() { curl -s "$url/metrics" | grep -q "^authzc_shadow_decisions_total $n\$"; }
		wait_for "shadow URL: every request shadowed" shadowed_url
		kill -TERM "$shadowurl_pid"
		wait "$shadowurl_pid"
		pids=$(echo $pids | sed "s/ *$shadowurl_pid\$//")
		start fetched --bundle-url "$burl" --bundle-cache "$tmp/cache.authzb" --url-poll 50 --url-jitter 20 \
			--listen 127.0.0.1:0
		fetched_pid=$(echo $pids | awk '{print $NF}')
		check "bundle URL: the bundle is served" sh -c "curl -s '$url/health' | grep -q '\"bundle\":\"$da\"'"
		check "bundle URL: the last good bundle cached" cmp -s "$tmp/cache.authzb" "$tmp/a.authzb"
		not_modified() { curl -s "$url/metrics" | grep -q '^authzc_bundle_fetches_total{result="not_modified"} [1-9]'; }
		wait_for "bundle URL: polled with If-None-Match (304)" not_modified
		cp "$tmp/b.authzb" "$tmp/www/next" && mv "$tmp/www/next" "$tmp/www/policy.authzb"
		on_b() { curl -s "$url/health" | grep -q "\"bundle\":\"$db\""; }
		wait_for "bundle URL: a new bundle is taken" on_b
		# the cache is written once the new bundle serves, not before: wait for it
		cache_b() { cmp -s "$tmp/cache.authzb" "$tmp/b.authzb"; }
		wait_for "bundle URL: the cache follows" cache_b
		head -c 200 "$tmp/a.authzb" >"$tmp/www/next" && mv "$tmp/www/next" "$tmp/www/policy.authzb"
		url_refused() { curl -s "$url/health" | grep -q '"reload_failures":1,'; }
		wait_for "bundle URL: a corrupt download is refused" url_refused
		check "bundle URL: the good one keeps serving" on_b
		check "bundle URL: the cache keeps the good one" cmp -s "$tmp/cache.authzb" "$tmp/b.authzb"
		rm "$tmp/www/policy.authzb"
		url_gone() { curl -s "$url/metrics" | grep -q '^authzc_bundle_fetches_total{result="error"} [1-9]'; }
		wait_for "bundle URL: a 404 is an error" url_gone
		check "bundle URL: still serving after a 404" on_b
		kill -TERM "$fetched_pid"
		wait "$fetched_pid"
		pids=$(echo $pids | sed "s/ *$fetched_pid\$//")
		# A restart while the bundle server is down serves the cache.
		start cached --bundle-url "http://127.0.0.1:$(free_port)/policy.authzb" --bundle-cache "$tmp/cache.authzb" \
			--listen 127.0.0.1:0
		check "bundle URL unreachable at start: the cache serves" on_b
		check "bundle URL unreachable at start: counted" sh -c "curl -s '$url/metrics' | grep -q '^authzc_bundle_fetches_total{result=\"error\"} 1'"
		check "bundle URL unreachable at start: logged" grep -q "cannot fetch" "$tmp/cached.log"
		# --trust with --bundle-url: an unsigned download is refused (no
		# bundle yet: 503), a signed one is taken and cached.
		cp "$tmp/b.authzb" "$tmp/www/next" && mv "$tmp/www/next" "$tmp/www/policy.authzb"
		start trusted_url --bundle-url "$burl" --bundle-cache "$tmp/cache2.authzb" --trust "$tmp/release.pub" \
			--url-poll 50 --listen 127.0.0.1:0
		url_unsigned() { curl -s "$url/health" | grep -q '"status":"no bundle".*"last_refusal":{"message":"[^"]*it is not signed'; }
		wait_for "bundle URL --trust: an unsigned download is refused" url_unsigned
		check "bundle URL --trust: nothing cached" test ! -e "$tmp/cache2.authzb"
		cp "$tmp/sa.authzb" "$tmp/www/next" && mv "$tmp/www/next" "$tmp/www/policy.authzb"
		on_sa() { curl -s "$url/health" | grep -q "\"bundle\":\"$dsa\".*\"signature_verified\":true"; }
		wait_for "bundle URL --trust: a signed download is taken" on_sa
		check "bundle URL --trust: and cached" cmp -s "$tmp/cache2.authzb" "$tmp/sa.authzb"
	else
		cat "$tmp/nginx/error.log" "$tmp/nginx/stderr" 2>/dev/null
	fi
	# The gateway endpoint directly, as Envoy's ext_authz calls it.
	code=$(curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' -H 'X-User: bob' -H 'X-Tenant: acme' "$gwurl/v1/gateway/acme/plan")
	check "gateway without NGINX: 200 and the decision" sh -c "test $code = 200 && grep -q '\"rules\":\[\"docs.tenant_read\"\]' '$tmp/body'"
	check "gateway: a missing header is a request error" sh -c "curl -s -H 'X-Tenant: acme' '$gwurl/v1/gateway/acme/plan' | grep -q \"principal id: header 'X-User' is missing\""

	# Envoy's HTTP ext_authz filter, emulated: there is no Envoy binary in
	# Debian (nor in npm), so this sends what the filter of README.md's
	# Envoy block sends (its path_prefix and allowed_headers are read from
	# the README): the original method, path_prefix + the original path
	# and query, the original Host and Authorization, the allowed headers
	# in lower case as Envoy writes them, Envoy's own headers, an empty
	# body with Content-Length: 0, all over one kept-alive HTTP/1.1
	# connection as Envoy's connection pool does; 200 lets a request
	# through, anything else is the client's answer.
	check "envoy (emulated): ext_authz requests decided by the mapping" python3 - "$root/README.md" "${gwurl##*:}" <<'PY'
import http.client, re, sys
readme = open(sys.argv[1]).read()
(block,) = [b for b in re.findall(r"^```yaml\n(.*?)^```", readme, re.S | re.M) if "envoy.filters.http.ext_authz" in b]
prefix = re.search(r"^\s*path_prefix: (\S+)$", block, re.M).group(1)
allowed_part = re.search(r"^\s*allowed_headers:\n(.*?)^\s*http_service:", block, re.S | re.M).group(1)
allowed = re.findall(r"- exact: (\S+)", allowed_part)
upstream = re.findall(r"- exact: (\S+)", re.search(r"allowed_upstream_headers:\n(.*?)allowed_client_headers:", block, re.S).group(1))
assert prefix == "/v1/gateway" and allowed == ["x-user", "x-tenant", "x-ticket"], (prefix, allowed)
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[2]), timeout=10)

def check(method, path, client_headers, want_status, want_id=None, want_rules=None):
    # What the client sent, filtered as ext_authz filters it.
    h = {"host": "app.example:8080", "content-length": "0",
         "x-envoy-expected-rq-timeout-ms": "250", "x-forwarded-proto": "http",
         "x-request-id": "7f1a2b3c-0000-4000-8000-000000000001"}
    for k, v in client_headers.items():
        if k.lower() in allowed or k.lower() == "authorization":
            h[k.lower()] = v
    conn.putrequest(method, prefix + path, skip_host=True, skip_accept_encoding=True)
    for k, v in h.items():
        conn.putheader(k, v)
    conn.endheaders()
    r = conn.getresponse()
    body = r.read().decode()
    assert r.status == want_status, (method, path, r.status, body)
    assert r.getheader("x-authz-decision") == ("allow" if want_status == 200 else "deny"), r.getheaders()
    if want_status == 200:      # what allowed_upstream_headers passes on
        for name in upstream:
            assert r.getheader(name), (name, r.getheaders())
    if want_rules is not None:  # no deciding rule: no X-Authz-Rules
        assert r.getheader("x-authz-rules") == (want_rules or None), r.getheaders()
    if want_id is not None:
        assert '"decision":' in body, body

alice = {"X-User": "alice", "X-Tenant": "acme", "Authorization": "Bearer t", "Cookie": "s=1"}
check("GET", "/acme/plan", alice, 200, want_rules="docs.tenant_read")
check("GET", "/acme/plan?draft=1&x=%2F", alice, 200, want_rules="docs.tenant_read")
check("HEAD", "/acme/plan", alice, 200)
check("GET", "/globex/plan", alice, 403, want_rules="")
check("PUT", "/acme/plan", alice, 403)
check("PUT", "/acme/plan", dict(alice, **{"X-Ticket": "CHG-1"}), 200, want_rules="docs.tenant_write")
check("DELETE", "/acme/plan", dict(alice, **{"X-Ticket": "CHG-1"}), 200, want_rules="docs.tenant_write")
check("PATCH", "/acme/plan", alice, 403)
check("GET", "/ac%6De/plan", alice, 200)          # decoded once: acme
check("GET", "/ac%256De/plan", alice, 403)        # decoded once: ac%6De, not acme
check("GET", "/acme", alice, 403)                 # no document segment
check("GET", "/", alice, 403)
check("GET", "/acme/plan", {"X-Tenant": "acme"}, 403)   # no user
# A header the mapping reads but Envoy does not forward is missing: deny.
check("GET", "/acme/plan", {"X-Tenant": "acme", "X-Forwarded-User": "alice"}, 403)
conn.close()
PY
	rm -f "$tmp/gwlog.jsonl"
	start gwlogged -C "$gw" -b "$tmp/gw.authzb" --listen 127.0.0.1:0 --log "$tmp/gwlog.jsonl" --log-block
	gwlog_pid=$(echo $pids | awk '{print $NF}')
	curl -s -o /dev/null -H 'x-user: alice' -H 'x-tenant: acme' "$url/v1/gateway/acme/a%2Fb?q=1"
	kill -TERM "$gwlog_pid"
	wait "$gwlog_pid"
	pids=$(echo $pids | sed "s/ *$gwlog_pid\$//")
	check "gateway: %2F stays inside its segment" grep -q '"resource":{"type":"Document","id":"a/b","attrs":{"tenant":"acme"}}' "$tmp/gwlog.jsonl"
fi

# Every server stops cleanly on SIGTERM, and (under ASan) says nothing.
for p in $pids; do kill -TERM "$p" 2>/dev/null; done
for p in $pids; do wait "$p" 2>/dev/null; done
pids=""
check "no sanitizer report in any server's log" sh -c \
	"! grep -l 'Sanitizer\|runtime error:' '$tmp'/*.log"

echo "serve: $pass passed, $fail failed"
[ $fail = 0 ]
