#!/bin/sh
# serve.sh: authzc serve and Cerbos's PDP side by side under load (`make
# bench-serve`; never part of `make test`).
#
# For each size in BENCH_SIZES (default "10 1000 10000"), gen_pair
# (tests/bench/gen_pair.c) writes one policy set twice, as an authzc
# project and as a Cerbos resource policy, with the same requests in both
# forms.  authzc serve (the bundle, 2 threads) and Cerbos (`cerbos server`,
# disk store, audit off) are started on loopback ports; then
#
#   1. equivalence: a sample of the requests (the first BENCH_CHECK, 1000,
#      or 200,000 / rules if fewer: Cerbos takes seconds per check at
#      10,000 rules) is decided by both (authzc through /v1/decide/batch,
#      Cerbos through POST /api/check/resources, one request each); any
#      difference fails the bench loudly;
#   2. throughput: wrk (Debian `wrk`), keep-alive, 2 threads and
#      BENCH_CONNECTIONS (64) connections for BENCH_SECONDS (5), cycling
#      through the first 100 requests, against each (Cerbos past 1,000
#      rules: 4 connections for 4 x BENCH_SECONDS, so that some requests
#      finish within wrk's timeout);
#      the server's CPU time over that run (utime + stime of
#      /proc/PID/stat) gives its decisions per second of one core: wrk
#      runs on the same two cores, so the wall-clock rate is a floor;
#   3. latency at half load: wrk again, each connection waiting 1 ms after
#      each answer (wrk's delay()), with as many connections as make half
#      the measured saturating rate (at least one); p50 and p99 as wrk
#      measures them, and for authzc the server's own p99 (the bucket of
#      authzc_decision_duration_seconds, from arrival to answer, that holds
#      99% of the run's decisions: /metrics before and after).  For
#      authzc also with 10 ms waits (ten times the
#      connections, the same rate): wrk's 2 threads then juggle hundreds of
#      connections on the cores the server runs on, and the p99 shows the
#      scheduler more than the server.
#   4. one core each: authzc serve's threads moved to core 0 (taskset -a -p)
#      and wrk, one thread, 16 connections, on core 1: the rate of one
#      core of the server, with its CPU time;
#   5. reloads: BENCH_RELOADS (10) SIGHUPs to authzc serve, one at a time,
#      each waited for through /metrics (authzc_bundle_reloads_total); the
#      medians of authzc_bundle_load_duration_seconds and
#      authzc_bundle_prepare_duration_seconds of the reloaded bundles.
#
# Each server is measured while the other is stopped (SIGSTOP), so that
# neither's background work (Cerbos's garbage collector at 10,000 rules)
# takes from the other.  Prints a markdown table.  wrk, both servers and anything else running
# share the machine's cores, so the numbers are a floor for both.
set -eu
: "${AUTHZC:?set AUTHZC to the authzc binary}"
: "${BENCH:?set BENCH to the folder of the benchmark programs}"
: "${CERBOS:?set CERBOS to the cerbos binary (make bench-serve installs it from npm)}"
SIZES=${BENCH_SIZES:-10 1000 10000}
SECONDS_=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-64}
SEED=${BENCH_SEED:-42}
CHECK=${BENCH_CHECK:-1000}
RELOADS=${BENCH_RELOADS:-10}
command -v wrk >/dev/null 2>&1 || { echo "bench-serve: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[ -x "$CERBOS" ] || { echo "bench-serve: no cerbos binary at $CERBOS" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authzc-bench-serve.XXXXXX")
apid=""
cpid=""
trap '[ -n "$apid" ] && kill "$apid" 2>/dev/null; [ -n "$cpid" ] && kill "$cpid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cat >"$tmp/post.lua" <<'LUA'
local bodies = {}
for line in io.lines(os.getenv("REQUEST_FILE")) do bodies[#bodies + 1] = line end
local path = os.getenv("REQUEST_PATH")
local headers = { ["Content-Type"] = "application/json" }
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", path, headers, bodies[i])
end
local pause = tonumber(os.getenv("DELAY_MS") or "0")
if pause > 0 then
  delay = function() return pause end
end
function done(summary, latency, requests)
  io.write(string.format("rps=%.1f p50_us=%d p99_us=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
end
LUA
# run_wrk URL PATH FILE CONNECTIONS DELAY_MS [SECONDS]: "rps p50_us p99_us errors"
run_wrk() {
	th=2; [ "$4" -ge 2 ] || th=1
	out=$(REQUEST_FILE=$3 REQUEST_PATH=$2 DELAY_MS=$5 wrk -t$th -c"$4" -d"${6:-$SECONDS_}s" --timeout 60s -s "$tmp/post.lua" "$1" | grep '^rps=')
	echo "$out" | sed 's/rps=\([0-9.]*\) p50_us=\([0-9]*\) p99_us=\([0-9]*\) errors=\([0-9]*\)/\1 \2 \3 \4/'
}
# wait_up URL LOG PID TRIES: poll every 50 ms
wait_up() {
	i=0
	until curl -sf -o /dev/null "$1"; do
		i=$((i + 1))
		if [ $i -gt "$4" ] || ! kill -0 "$3" 2>/dev/null; then cat "$2" >&2; echo "bench-serve: a server did not start" >&2; exit 1; fi
		sleep 0.05
	done
}
# per_core RATE TICKS: decisions per CPU second of the server, RATE over
# SECONDS_ during which it used TICKS clock ticks; "N (C cores)".
per_core() {
	awk -v r="$1" -v s="$SECONDS_" -v t="$2" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf("%.0f (%.2f cores)", (t > 0 ? r * s * hz / t : 0), t / hz / s) }'
}
# cpu_ticks PID: the process's user + system time, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
ms() { awk -v us="$1" 'BEGIN { printf "%.2f ms", us / 1000 }'; }
rate() { awk -v r="$1" 'BEGIN { printf(r >= 100 ? "%.0f" : "%.1f", r) }'; }

# buckets URL: the cumulative decision-duration buckets of /metrics, "le count" lines
buckets() { curl -s "$1/metrics" | sed -n 's/^authzc_decision_duration_seconds_bucket{le="\([^"]*\)"} \([0-9]*\)$/\1 \2/p'; }
# server_p99 BEFORE AFTER: the bound of the first bucket holding 99% of the
# decisions between two buckets() snapshots, in ms ("> 2500" past the last)
server_p99() {
	printf '%s\n' "$1" >"$tmp/b0"
	printf '%s\n' "$2" | paste -d' ' "$tmp/b0" - | awk '
		{ le[NR] = $1; n[NR] = $4 - $2 }
		END { for (i = 1; i <= NR; i++) if (n[i] >= 0.99 * n[NR]) {
			if (le[i] == "+Inf") print "> 2500"; else printf "%g", le[i] * 1000; exit } }'
}
# reloads URL PID: "load_ms prepare_ms", medians over RELOADS SIGHUPs
reloads() {
	loads="" preps=""
	k=0
	while [ $k -lt "$RELOADS" ]; do
		before=$(curl -s "$1/metrics" | sed -n 's/^authzc_bundle_reloads_total //p')
		kill -HUP "$2"
		i=0
		until [ "$(curl -s "$1/metrics" | sed -n 's/^authzc_bundle_reloads_total //p')" -gt "$before" ]; do
			i=$((i + 1)); [ $i -lt 600 ] || { echo "bench-serve: SIGHUP did not reload" >&2; exit 1; }; sleep 0.01
		done
		m=$(curl -s "$1/metrics")
		loads="$loads $(echo "$m" | sed -n 's/^authzc_bundle_load_duration_seconds //p')"
		preps="$preps $(echo "$m" | sed -n 's/^authzc_bundle_prepare_duration_seconds //p')"
		k=$((k + 1))
	done
	med() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] * 1000 }'; }
	echo "$(echo "$loads" | med) $(echo "$preps" | med)"
}

echo "| rules | authzc decisions/s | authzc per core (server CPU) | authzc on one core, wrk on the other: per core | Cerbos decisions/s | ratio | authzc p50 / p99 at half load (server's p99 ≤) | authzc p50 / p99, 10 ms waits | Cerbos p50 / p99 at half load | decisions checked equal | authzc reload: load / prepare ms |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for n in $SIZES; do
	set_=$tmp/set$n
	sample=$(( 200000 / n )); [ "$sample" -le "$CHECK" ] || sample=$CHECK
	"$BENCH/gen_pair" "$n" "$set_" "$SEED" "$sample"
	"$AUTHZC" -C "$set_/authzc" compile -o "$set_/policy.authzb" >/dev/null 2>&1 ||
		{ "$AUTHZC" -C "$set_/authzc" compile -o "$set_/policy.authzb"; exit 1; }
	head -100 "$set_/requests.jsonl" >"$set_/a100.jsonl"
	head -100 "$set_/cerbos.jsonl" >"$set_/c100.jsonl"

	"$AUTHZC" serve -b "$set_/policy.authzb" --listen 127.0.0.1:0 2>"$set_/serve.log" &
	apid=$!
	i=0
	until grep -q 'listening on' "$set_/serve.log" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 600 ] || { cat "$set_/serve.log"; exit 1; }; sleep 0.05
	done
	aurl=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$set_/serve.log")
	hp=$(free_port)
	gp=$(free_port)
	cat >"$set_/cerbos.yaml" <<EOF
server:
  httpListenAddr: "127.0.0.1:$hp"
  grpcListenAddr: "127.0.0.1:$gp"
storage:
  driver: disk
  disk:
    directory: "$set_/cerbos"
    watchForChanges: false
audit:
  enabled: false
telemetry:
  disabled: true
EOF
	CERBOS_NO_TELEMETRY=1 "$CERBOS" server --config="$set_/cerbos.yaml" --log-level=error >"$set_/cerbos.log" 2>&1 &
	cpid=$!
	curl_=http://127.0.0.1:$hp
	# Cerbos compiles its policies before it answers: minutes at 10,000 rules.
	wait_up "$curl_/_cerbos/health" "$set_/cerbos.log" "$cpid" 12000

	# 1. The same decisions.
	curl -s --data-binary @"$set_/requests.jsonl" "$aurl/v1/decide/batch" >"$set_/authzc.out"
	python3 - "$set_/authzc.out" "$set_/cerbos.jsonl" "127.0.0.1" "$hp" >"$set_/equal" <<'PY' || {
import http.client, json, sys
authzc = [d["decision"] for d in json.load(open(sys.argv[1]))]
conn = http.client.HTTPConnection(sys.argv[3], int(sys.argv[4]), timeout=300)
cerbos = []
for line in open(sys.argv[2]):
    conn.request("POST", "/api/check/resources", body=line, headers={"Content-Type": "application/json"})
    r = json.loads(conn.getresponse().read())
    (effect,) = r["results"][0]["actions"].values()
    cerbos.append({"EFFECT_ALLOW": "allow", "EFFECT_DENY": "deny"}[effect])
bad = [i for i, (a, c) in enumerate(zip(authzc, cerbos)) if a != c]
if len(authzc) != len(cerbos) or bad:
    print("bench-serve: authzc and Cerbos decide %d of %d requests differently, first at line %d"
          % (len(bad), len(cerbos), (bad or [0])[0] + 1), file=sys.stderr)
    sys.exit(1)
print("%d (%d allowed)" % (len(authzc), authzc.count("allow")))
PY
		echo "bench-serve: FAILED: the decisions differ at $n rules; nothing measured" >&2
		exit 1
	}

	# Each server is measured alone: the other is stopped (SIGSTOP) meanwhile.
	kill -STOP "$cpid"
	# 2. Throughput.
	t0=$(cpu_ticks "$apid")
	set -- $(run_wrk "$aurl" /v1/decide "$set_/a100.jsonl" "$CONNS" 0)
	arps=$1 aerr=$4
	t1=$(cpu_ticks "$apid")
	# decisions per CPU second of the server: rate x seconds / (ticks / HZ)
	acore=$(per_core "$arps" $((t1 - t0)))
	# 3. Latency at half the saturating rate: each connection makes
	# 1000/(W ms + latency) requests a second, so half the rate takes
	# rate/2 x (W + latency)/1000 connections (latency taken as 0.2 ms).
	half() { awk -v r="$1" -v w="$2" 'BEGIN { c = int(r / 2 * (w + 0.2) / 1000); print c < 1 ? 1 : c }'; }
	b0=$(buckets "$aurl")
	set -- $(run_wrk "$aurl" /v1/decide "$set_/a100.jsonl" "$(half "$arps" 1)" 1)
	ahalf=$1 ap50=$2 ap99=$3 aerr=$((aerr + $4))
	asrv=$(server_p99 "$b0" "$(buckets "$aurl")")
	set -- $(run_wrk "$aurl" /v1/decide "$set_/a100.jsonl" "$(half "$arps" 10)" 10)
	a10=$1 a10p50=$2 a10p99=$3 aerr=$((aerr + $4))
	# 4. One core each: the server's threads on core 0, wrk (one thread)
	# on core 1, so the server's rate is that of one core.
	apin="-"
	if [ "$(nproc)" -ge 2 ] && taskset -a -p -c 0 "$apid" >/dev/null 2>&1; then
		t0=$(cpu_ticks "$apid")
		out=$(REQUEST_FILE=$set_/a100.jsonl REQUEST_PATH=/v1/decide DELAY_MS=0 taskset -c 1 \
		      wrk -t1 -c16 -d"${SECONDS_}s" --timeout 60s -s "$tmp/post.lua" "$aurl" | grep '^rps=')
		t1=$(cpu_ticks "$apid")
		set -- $(echo "$out" | sed 's/rps=\([0-9.]*\) p50_us=\([0-9]*\) p99_us=\([0-9]*\) errors=\([0-9]*\)/\1 \2 \3 \4/')
		apin="$(rate "$1")/s: $(per_core "$1" $((t1 - t0)))"
		aerr=$((aerr + $4))
		taskset -a -p -c "0-$(($(nproc) - 1))" "$apid" >/dev/null
	fi
	set -- $(reloads "$aurl" "$apid")
	reload="$1 / $2"
	kill -CONT "$cpid"
	kill -STOP "$apid"
	if [ "$n" -gt 1000 ]; then
		set -- $(run_wrk "$curl_" /api/check/resources "$set_/c100.jsonl" 4 0 $((4 * SECONDS_)))
	else
		set -- $(run_wrk "$curl_" /api/check/resources "$set_/c100.jsonl" "$CONNS" 0)
	fi
	crps=$1 cerr=$4
	cs=$SECONDS_; [ "$n" -le 1000 ] || cs=$((4 * SECONDS_))
	set -- $(run_wrk "$curl_" /api/check/resources "$set_/c100.jsonl" "$(half "$crps" 1)" 1 "$cs")
	chalf=$1 cp50=$2 cp99=$3 cerr=$((cerr + $4))
	kill -CONT "$apid"
	awk -v r="$crps" 'BEGIN { exit !(r > 0) }' || { echo "bench-serve: FAILED: no Cerbos request finished at $n rules" >&2; exit 1; }
	if [ "$aerr" != 0 ] || [ "$cerr" != 0 ]; then
		echo "bench-serve: FAILED: wrk counted errors at $n rules (authzc $aerr, Cerbos $cerr)" >&2
		exit 1
	fi
	ratio=$(awk -v a="$arps" -v c="$crps" 'BEGIN { printf "%.0f×", a / c }')
	echo "| $n | $(rate "$arps") | $acore | $apin | $(rate "$crps") | $ratio | $(ms "$ap50") / $(ms "$ap99") ($(rate "$ahalf")/s; ≤ $asrv ms) | $(ms "$a10p50") / $(ms "$a10p99") ($(rate "$a10")/s) | $(ms "$cp50") / $(ms "$cp99") ($(rate "$chalf")/s) | $(cat "$set_/equal") | $reload |"
	kill "$apid" "$cpid"
	wait "$apid" 2>/dev/null || true
	wait "$cpid" 2>/dev/null || true
	apid=""
	cpid=""
done
