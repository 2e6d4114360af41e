#!/bin/sh
# serve.sh: authzc serve under load (`make bench-serve`; never part of
# `make test`): for each generated policy set (tests/bench/gen.c; sizes
# BENCH_SIZES, default "10 1000 10000"), start `authzc serve` with that
# bundle on a loopback port and drive POST /v1/decide with wrk (Debian
# `wrk`, installed by `make bench-serve`), keep-alive, the set's first
# request, for BENCH_SECONDS (5) with BENCH_CONNECTIONS (64) connections
# on 2 wrk threads (throughput; its latency is that of a saturated server),
# then with 4 connections (the latency of a light load: wrk cannot pace a
# fixed rate).
#
# Prints a markdown table: rules, decisions/s, p50 and p99 latency.  Both
# wrk and the server share the machine's cores, so the numbers are a floor.
set -eu
: "${AUTHZC:?set AUTHZC to the authzc binary}"
: "${BENCH:?set BENCH to the folder of the benchmark programs}"
SIZES=${BENCH_SIZES:-10 1000 10000}
SECONDS_=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-64}
SEED=${BENCH_SEED:-42}
command -v wrk >/dev/null 2>&1 || { echo "bench-serve: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authzc-bench-serve.XXXXXX")
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
cat >"$tmp/post.lua" <<'LUA'
local f = assert(io.open(os.getenv("REQUEST_FILE"), "r"))
wrk.method = "POST"
wrk.body = f:read("*l")
f:close()
wrk.headers["Content-Type"] = "application/json"
function done(summary, latency, requests)
  io.write(string.format("rps=%.0f p50_us=%d p99_us=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
end
LUA
echo "| rules | connections | decisions/s | p50 | p99 | errors |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
for n in $SIZES; do
	"$BENCH/gen" "$n" "$tmp/set$n" "$SEED" 100 2>/dev/null
	"$AUTHZC" -C "$tmp/set$n" compile -o "$tmp/$n.authzb" >/dev/null 2>&1
	head -1 "$tmp/set$n/requests.jsonl" >"$tmp/req$n.json"
	"$AUTHZC" serve -b "$tmp/$n.authzb" --listen 127.0.0.1:0 2>"$tmp/serve$n.log" &
	pid=$!
	i=0
	until grep -q 'listening on' "$tmp/serve$n.log" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 200 ] || { cat "$tmp/serve$n.log"; exit 1; }; sleep 0.05
	done
	url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$tmp/serve$n.log")
	for c in "$CONNS" 4; do
		out=$(REQUEST_FILE="$tmp/req$n.json" wrk -t2 -c"$c" -d"${SECONDS_}s" -s "$tmp/post.lua" "$url/v1/decide" | grep '^rps=')
		rps=$(echo "$out" | sed 's/.*rps=\([0-9]*\).*/\1/')
		p50=$(echo "$out" | sed 's/.*p50_us=\([0-9]*\).*/\1/')
		p99=$(echo "$out" | sed 's/.*p99_us=\([0-9]*\).*/\1/')
		errs=$(echo "$out" | sed 's/.*errors=\([0-9]*\).*/\1/')
		echo "| $n | $c | $rps | ${p50} µs | ${p99} µs | $errs |"
	done
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=""
done
