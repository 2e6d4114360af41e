#!/bin/sh
# run.sh: the authzc benchmarks (`make bench`; never part of `make test`).
#
# Generates projects of 10, 100, 1,000 and 10,000 rules (tests/bench/gen.c)
# into $BENCH/sets/ (kept between runs, regenerated when the generator
# changes), checks each with `authzc check`, and prints a markdown report,
# also written to $BENCH/report.md:
#
#   1. the machine (paste it with the numbers into the README);
#   2. front end: parse + check time and peak RSS (bench_front.c);
#   3. compile: bundle bytes vs source bytes and compile time, once
#      `authzc help` lists `compile`;
#   4. decisions: ns per decision through the C API with a prebuilt request
#      and from JSON, decisions/s (bench_decide.c), and `authzc eval` JSON
#      Lines throughput, once compile (and eval) exist.  Until then a
#      "harness" row runs bench_decide on a one-rule bundle written from the
#      schema (schema_bundle.c): it checks that every generated request
#      conforms to the schema and measures request handling alone;
#   4b. bundle load: authz_bundle_load from memory and from the file, and
#      authz_bundle_prepare (rule images, index), median of 21 in process
#      (bench_load.c), at every size;
#   5. the behaviour diff of `authzc diff` (bench_symdiff.c): each set of
#      100 rules or more against a copy with its first forbid narrowed;
#   6. tests: `authzc test --coverage` on a project of BENCH_TESTS (10,000)
#      tests (tests/bench/gen_tests.c), once `authzc help` lists `test`;
#   7. the lint of `authzc check` (budget out of the way) on examples/ and the
#      1,000-rule set (targets 1 s and 10 s);
#   8. the language server: time from a change to its diagnostics
#      (bench_lsp.c) on examples/ (target 50 ms) and on the 1,000-rule set
#      (target 500 ms).
#   8. proofs: the examples project's assertions (`authzc test`) and lint
#      (`authzc check`), each the difference with the command without it.
#
# Environment: AUTHZC and BENCH (set by the Makefile), CC (for the report),
# BENCH_SIZES (default "10 100 1000 10000"), BENCH_SEED (42),
# BENCH_REQUESTS (10000), BENCH_TESTS (10000), BENCH_LSP_CHANGES (40).
set -eu

: "${AUTHZC:?set AUTHZC to the authzc binary}"
: "${BENCH:?set BENCH to the folder of the benchmark programs}"
SIZES=${BENCH_SIZES:-10 100 1000 10000}
SEED=${BENCH_SEED:-42}
NREQ=${BENCH_REQUESTS:-10000}
SETS=$BENCH/sets
LSP_CHANGES=${BENCH_LSP_CHANGES:-40}
ROOT_DIR=$(cd "$(dirname "$0")/../.." && pwd)
REPORT=$BENCH/report.md
mkdir -p "$SETS"

die() { echo "bench: $*" >&2; exit 1; }

# One core, as the targets are stated (taskset is in util-linux; without
# it the runs are not pinned and the report says so).
PIN=""
PINNED="not pinned"
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
	PIN="taskset -c 0"
	PINNED="pinned to one core"
fi

# The value of key $2 in a line of key=value pairs $1.
kv() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

now_ns() { date +%s%N; }

# Median of the numbers on stdin.
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# 12345678 -> 12,345,678
commas() { printf '%s\n' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|[,.]\)/\1,\2\3/; ta'; }

# Has `authzc help` a command named $1?
has_command() { "$AUTHZC" help 2>/dev/null | grep -q "^  $1 "; }

# ---- generate ----------------------------------------------------------------

gen_sum=$(cksum < "$BENCH/gen" | cut -d' ' -f1)
for n in $SIZES; do
	dir=$SETS/$n
	stamp="$gen_sum $SEED $NREQ"
	if [ -f "$dir/.generated" ] && [ "$(cat "$dir/.generated")" = "$stamp" ]; then
		continue
	fi
	rm -rf "$dir" "$dir.tmp"
	"$BENCH/gen" "$n" "$dir.tmp" "$SEED" "$NREQ" 2>"$SETS/gen-$n.log" || { cat "$SETS/gen-$n.log" >&2; die "gen $n failed"; }
	"$AUTHZC" -C "$dir.tmp" check --no-lint 2>"$SETS/check-$n.log" || { cat "$SETS/check-$n.log" >&2; die "the $n-rule project does not check"; }
	echo "$stamp" > "$dir.tmp/.generated"
	mv "$SETS/gen-$n.log" "$dir.tmp/gen.log"
	mv "$dir.tmp" "$dir"
done

# Percentage of the requests of set $1 the generator built to be allowed
# (the rest violate a guard of a permit or trigger a forbid).
built_allowed() {
	awk '/requests:/ { printf "%.1f%%", 100 * $4 / $2 }' "$SETS/$1/gen.log" 2>/dev/null || true
}

# ---- report --------------------------------------------------------------------

report() {
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "## Benchmarks"
echo
echo "- machine: ${cpu:-unknown CPU}, $(nproc) cores, $(uname -sr)"
echo "- compiler: $(${CC:-cc} --version 2>/dev/null | head -n 1)"
echo "- authzc: $("$AUTHZC" --version), $(date -u +%Y-%m-%d)"
echo "- projects: tests/bench/gen.c, seed $SEED, $(commas "$NREQ") requests each; \`make bench\` to reproduce"
echo

# ---- front end ---------------------------------------------------------------------

echo "### Front end: load + parse + check (bench_front.c, median of the runs)"
echo
echo "| rules | files | source bytes | runs | load ms | parse ms | check ms | total ms | rules/s | peak RSS |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for n in $SIZES; do
	case $n in
	10|100) runs=30 ;;
	1000) runs=10 ;;
	*) runs=5 ;;
	esac
	out=$("$BENCH/bench_front" "$SETS/$n" "$runs") || die "bench_front failed on $n rules"
	rules=$(kv "$out" rules)
	total=$(kv "$out" total_ms)
	rate=$(awk -v r="$rules" -v t="$total" 'BEGIN { printf "%.0f", (t > 0 ? r / t * 1000 : 0) }')
	rss=$(awk -v k="$(kv "$out" maxrss_kb)" 'BEGIN { printf "%.1f MiB", k / 1024 }')
	echo "| $(commas "$rules") | $(kv "$out" files) | $(commas "$(kv "$out" policy_bytes)") | $runs" \
	     "| $(kv "$out" load_ms) | $(kv "$out" parse_ms) | $(kv "$out" check_ms) | $total" \
	     "| $(commas "$rate") | $rss |"
done
echo
echo "Source bytes count the .authz files (the schema is $(commas "$(wc -c < "$SETS/$(echo "$SIZES" | awk '{ print $1 }')/schema.json" | tr -d ' ')") bytes)."
echo "Peak RSS is the driver process's ru_maxrss: one compilation at its largest plus the program."
echo

# ---- compile (ready: switches on when `authzc compile` exists) ------------------------

echo "### Compile: bundle size and compile time"
echo
if has_command compile; then
	echo "| rules | source bytes | bundle bytes | bundle / source | compile ms (median of 3) |"
	echo "| ---: | ---: | ---: | ---: | ---: |"
	bigger=""
	for n in $SIZES; do
		bundle=$SETS/$n.authzb
		# sources as "authzc compile" counts them: the schema and the policies
		# (the bundle holds both)
		src=$(cat "$SETS/$n/schema.json" "$SETS/$n"/policies/*.authz "$SETS/$n"/policies/*/*.authz 2>/dev/null | wc -c | tr -d ' ')
		times=""
		for _ in 1 2 3; do
			t0=$(now_ns)
			"$AUTHZC" -C "$SETS/$n" compile -o "$bundle" >/dev/null 2>"$SETS/compile-$n.log" \
				|| { cat "$SETS/compile-$n.log" >&2; die "compile failed on $n rules"; }
			t1=$(now_ns)
			times="$times $(( (t1 - t0) / 1000 ))"
		done
		ms=$(echo "$times" | tr ' ' '\n' | grep . | median | awk '{ printf "%.1f", $1 / 1000 }')
		bytes=$(wc -c < "$bundle" | tr -d ' ')
		ratio=$(awk -v b="$bytes" -v s="$src" 'BEGIN { printf "%.2f", (s > 0 ? b / s : 0) }')
		echo "| $(commas "$n") | $(commas "$src") | $(commas "$bytes") | $ratio | $ms |"
		[ "$bytes" -lt "$src" ] || bigger="$bigger $n"
	done
	echo
	echo "Source bytes: schema.json and the .authz files, as \`authzc compile\` reports them."
	# the README's target: every bundle is smaller than its sources
	[ -z "$bigger" ] || die "bundle not smaller than its sources at:$bigger rules"
else
	echo "skipped: authzc compile not available"
fi
echo

# ---- decisions (ready: switch on with compile; eval column with eval) ---------------

echo "### Decisions (bench_decide.c, pinned to one core)"
echo
echo "Prebuilt: a request built once through the typed API, decided again and again;"
echo "JSON: authz_decide_json on the request's text (parse, check, decide)."
echo "ns are per decision: median and p99 over 1,000 requests, each timed over many repetitions."
echo
has_eval=no
eval_starts=""
has_command eval && has_eval=yes
decide_row() {   # $1 label, $2 bundle, $3 requests, $4 reps, $5 eval column
	out=$("$BENCH/bench_decide" "$2" "$3" -r "$4") || { printf '%s\n' "$out" >&2; die "bench_decide failed ($1)"; }
	case $out in skipped:*) echo "| $1 | $out ||||||||"; return ;; esac
	echo "| $1 | $(commas "$(kv "$out" prebuilt_median_ns)") | $(commas "$(kv "$out" prebuilt_p99_ns)")" \
	     "| $(commas "$(kv "$out" prebuilt_per_s)") | $(commas "$(kv "$out" json_median_ns)")" \
	     "| $(commas "$(kv "$out" json_p99_ns)") | $(commas "$(kv "$out" json_per_s)") | $5" \
	     "| $(kv "$out" allowed_pct)% | $6 |"
}
echo "| rules | API median ns | API p99 ns | API decisions/s | JSON median ns | JSON p99 ns | JSON decisions/s | eval lines/s | allowed | built to allow |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
if has_command compile; then
	for n in $SIZES; do
		case $n in 10000) reps=20 ;; 1000) reps=100 ;; *) reps=200 ;; esac
		evalcol="n/a"
		if [ $has_eval = yes ]; then
			# A stream of 10 copies of the requests, so the one-off start
			# (process, bundle load and index build) weighs little, as in a
			# long-running stream; the start alone is timed on an empty one.
			stream="$SETS/$n/stream.jsonl"
			[ -s "$stream" ] && [ "$stream" -nt "$SETS/$n/requests.jsonl" ] || {
				for _ in 1 2 3 4 5 6 7 8 9 10; do cat "$SETS/$n/requests.jsonl"; done > "$stream"
			}
			times=""
			starts=""
			for _ in 1 2 3 4 5; do
				t0=$(now_ns)
				$PIN "$AUTHZC" eval -b "$SETS/$n.authzb" < "$stream" > /dev/null \
					|| die "authzc eval failed on $n rules"
				t1=$(now_ns)
				$PIN "$AUTHZC" eval -b "$SETS/$n.authzb" < /dev/null > /dev/null \
					|| die "authzc eval failed on $n rules"
				t2=$(now_ns)
				times="$times $(( (t1 - t0) / 1000 ))"
				starts="$starts $(( (t2 - t1) / 1000 ))"
			done
			us=$(echo "$times" | tr ' ' '\n' | grep . | median)
			start_us=$(echo "$starts" | tr ' ' '\n' | grep . | median)
			eval_starts="$eval_starts $n:$start_us"
			lines=$(wc -l < "$stream" | tr -d ' ')
			evalcol=$(commas "$(awk -v l="$lines" -v u="$us" 'BEGIN { printf "%.0f", (u > 0 ? l / u * 1e6 : 0) }')")
		fi
		decide_row "$(commas "$n")" "$SETS/$n.authzb" "$SETS/$n/requests.jsonl" $reps "$evalcol" "$(built_allowed "$n")"
	done
else
	echo "| all | skipped: no bundle (authzc compile not available) ||||||||"
fi
# The harness row: request handling alone, and proof that the generated
# requests conform to the schema (bench_decide fails on a request error).
last=$(echo "$SIZES" | awk '{ print $NF }')
"$BENCH/schema_bundle" "$SETS/$last/schema.json" "$SETS/schema-only.authzb" || die "schema_bundle failed"
decide_row "harness: 1 rule, no condition" "$SETS/schema-only.authzb" "$SETS/$last/requests.jsonl" 200 "n/a" "n/a"
echo
echo "The harness row runs a one-rule bundle written from the schema (schema_bundle.c) on the"
echo "$(commas "$last")-rule project's requests: every request conforms, so every one is allowed."
echo "\"built to allow\": the share of requests the generator built to satisfy a permit and no forbid;"
echo "the rest violate one guard of a permit or trigger a forbid (another permit may still allow them)."
if [ -n "${eval_starts:-}" ]; then
	echo "\"eval lines/s\": \`authzc eval -b\` ($PINNED) on a stream of 10 copies of the requests (100,000 lines),"
	echo "median of 5 runs, start included; the start alone (process, bundle load, rule images, index build), median ms:$(
		for p in $eval_starts; do printf ' %s rules %s;' "$(commas "${p%%:*}")" \
			"$(awk -v u="${p#*:}" 'BEGIN { printf "%.1f", u / 1000 }')"; done | sed 's/;$//')."
fi
# The scaling target (largest set at most 2x the smallest) compares two
# rows measured seconds apart, and this machine's speed drifts: so the two
# sizes are also timed in back-to-back pairs, and the ratio taken per pair.
small=$(echo "$SIZES" | awk '{ print $1 }')
if has_command compile && [ "$small" != "$last" ] && [ -f "$SETS/$small.authzb" ] && [ -f "$SETS/$last.authzb" ]; then
	ratios=""
	for _ in 1 2 3 4 5 6 7 8 9; do
		a=$(kv "$("$BENCH/bench_decide" "$SETS/$small.authzb" "$SETS/$small/requests.jsonl" -r 100)" prebuilt_median_ns)
		z=$(kv "$("$BENCH/bench_decide" "$SETS/$last.authzb" "$SETS/$last/requests.jsonl" -r 100)" prebuilt_median_ns)
		ratios="$ratios $(awk -v a="$a" -v z="$z" 'BEGIN { printf "%.2f", (a > 0 ? z / a : 0) }')"
	done
	sorted=$(echo "$ratios" | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')
	echo "Scaling: API median at $(commas "$last") rules over the one at $(commas "$small"), in 9 back-to-back pairs:"
	echo "median $(echo "$ratios" | tr ' ' '\n' | grep . | median) (each pair: $(echo "$sorted" | sed 's/ $//'))."
fi
echo

# ---- decision logs: eval --log and its hash chain (logchain.h) -----------------------

if has_command eval && has_command audit && [ -f "$SETS/1000.authzb" ]; then
	echo "### Decision logs (eval --log at 1,000 rules, bench_logchain.c)"
	echo
	stream="$SETS/1000/stream.jsonl"
	lines=$(wc -l < "$stream" | tr -d ' ')
	"$AUTHZC" keygen -o "$SETS" bench-log >/dev/null 2>&1 || [ -f "$SETS/bench-log.key" ] || die "keygen failed"
	rate() {   # $1 label, then eval's log options: lines/s, median of 5
		label=$1
		shift
		times=""
		for _ in 1 2 3 4 5; do
			rm -f "$SETS/bench-log.jsonl"
			t0=$(now_ns)
			$PIN "$AUTHZC" eval -b "$SETS/1000.authzb" "$@" < "$stream" > /dev/null || die "eval $label failed"
			t1=$(now_ns)
			times="$times $(( (t1 - t0) / 1000 ))"
		done
		us=$(echo "$times" | tr ' ' '\n' | grep . | median)
		awk -v l="$lines" -v u="$us" 'BEGIN { printf "%.0f", (u > 0 ? l / u * 1e6 : 0) }'
	}
	r_none=$(rate "no log")
	r_chain=$(rate "--log" --log "$SETS/bench-log.jsonl")
	r_key=$(rate "--log --log-key" --log "$SETS/bench-log.jsonl" --log-key "$SETS/bench-log.key")
	"$AUTHZC" audit verify --trust "$SETS/bench-log.pub" "$SETS/bench-log.jsonl" >/dev/null || die "the bench log does not verify"
	out=$("$BENCH/bench_logchain" "$SETS/bench-log.jsonl") || die "bench_logchain failed"
	chain_ns=$(kv "$out" chain_ns)
	share=$(awk -v c="$chain_ns" -v r="$r_chain" 'BEGIN { printf "%.1f", c * r / 1e7 }')
	echo "| eval | lines/s |"
	echo "| --- | ---: |"
	echo "| no --log | $(commas "$r_none") |"
	echo "| --log (chained, no key) | $(commas "$r_chain") |"
	echo "| --log --log-key (a checkpoint every 1,000) | $(commas "$r_key") |"
	echo
	echo "The chain alone (bench_logchain: each record written with its \"seq\" and \"prev\" head and"
	echo "its SHA-256 hash, less the same line without them, best of 5 passes over the log's $(commas "$(kv "$out" records)") records): $(commas "$chain_ns") ns a record,"
	echo "$share% of the time of a record of eval --log; a checkpoint (Ed25519) $(commas "$(kv "$out" checkpoint_ns)") ns."
	echo
fi
# ---- bundle load (tests/bench/bench_load.c) --------------------------------------------

echo "### Bundle load (bench_load.c, median of 21 in process, on the machine's cores)"
echo
if has_command compile; then
	echo "| rules | bundle bytes | load from memory ms (min) | CPU ms | load from file ms (min) | prepare ms (min) |"
	echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
	for n in $SIZES; do
		out=$("$BENCH/bench_load" "$SETS/$n.authzb" 21) || die "bench_load failed on $n rules"
		ms() { awk -v u="$(kv "$out" "$1")" 'BEGIN { printf "%.2f", u / 1000 }'; }
		echo "| $(commas "$n") | $(commas "$(kv "$out" bytes)") | $(ms memory_median_us) ($(ms memory_min_us))" \
		     "| $(ms memory_cpu_median_us) | $(ms file_median_us) ($(ms file_min_us))" \
		     "| $(ms prepare_median_us) ($(ms prepare_min_us)) |"
	done
	echo
	echo "Load: read (from file), SHA-256 check, decoding and verifying every table and every rule's code;"
	echo "CPU: the median CPU time of the loads from memory, both threads (a bundle of 1 MiB or more is hashed on a second"
echo "thread while it is decoded), without the time other processes held the cores."
	echo "Prepare: the rule images and the index (authz_bundle_prepare), which the first decision builds otherwise."
else
	echo "skipped: authzc compile not available"
fi
echo

# ---- the behaviour diff (sym.h; tests/bench/bench_symdiff.c) ------------------------

echo "### Behaviour diff: every request, with Z3 (bench_symdiff.c)"
echo
echo 'Each set against two copies: one whose first forbid is narrowed to one'
echo 'tenant (`when resource.tenant == "t-1"` added, the loosening the issue'
echo 'describes), one whose first forbid has its `when A and B` written'
echo '`when B and A` (no behavioural change, other code: the solver must prove it).'
echo 'The whole behaviour section of `authzc diff`, from two loaded bundles.'
echo
echo "| rules | change | seconds | result |"
echo "| ---: | --- | ---: | --- |"
for n in $SIZES; do
	[ "$n" -ge 100 ] || continue
	src=$SETS/$n
	"$AUTHZC" -C "$src" compile -o "$SETS/sym-$n-old.authzb" >/dev/null 2>&1 || die "compile $n failed"
	for change in narrowed neutral; do
		dst=$SETS/sym-$n-$change
		rm -rf "$dst"
		cp -R "$src" "$dst"
		f=$(grep -rl '^forbid ' "$dst/policies" | sort | head -n 1)
		if [ "$change" = narrowed ]; then
			awk 'done == 0 && /^forbid / { f = 1 } f == 1 && /^  when / { print "  when resource.tenant == \"t-1\""; f = 0; done = 1 } { print }' \
				"$f" > "$f.new"
		else
			awk 'done == 0 && /^forbid / { f = 1 }
			     f == 2 && /^   and / { a = substr($0, 8); print "  when " a; print "   and " w; f = 0; done = 1; next }
			     f == 2 { print "  when " w; f = 0 }
			     f == 1 && /^  when / { w = substr($0, 8); f = 2; next }
			     { print }' "$f" > "$f.new"
		fi
		mv "$f.new" "$f"
		"$AUTHZC" -C "$dst" compile -o "$SETS/sym-$n-$change.authzb" >/dev/null 2>&1 || die "compile $change $n failed"
		out=$("$BENCH/bench_symdiff" "$SETS/sym-$n-old.authzb" "$SETS/sym-$n-$change.authzb" 2>&1) ||
			die "bench_symdiff $n failed: $out"
		echo "| $(commas "$n") | $change | ${out%% s,*} | ${out#* s, } |"
	done
done
echo

# ---- tests (switches on when `authzc test` exists) ----------------------------------

echo "### Tests: \`authzc test --coverage\` (tests/bench/gen_tests.c)"
echo
if has_command test; then
	ntests=${BENCH_TESTS:-10000}
	tdir=$SETS/tests-$ntests
	rm -rf "$tdir"
	"$BENCH/gen_tests" "$ntests" "$tdir" || die "gen_tests failed"
	times=""
	for _ in 1 2 3; do
		t0=$(now_ns)
		"$AUTHZC" -C "$tdir" test --coverage > "$SETS/test-$ntests.log" 2>&1 \
			|| { cat "$SETS/test-$ntests.log" >&2; die "authzc test --coverage failed"; }
		t1=$(now_ns)
		times="$times $(( (t1 - t0) / 1000 ))"
	done
	ms=$(echo "$times" | tr ' ' '\n' | grep . | median | awk '{ printf "%.1f", $1 / 1000 }')
	echo "| tests | rules | guards | compile + run + coverage ms (median of 3) | result |"
	echo "| ---: | ---: | ---: | ---: | --- |"
	echo "| $(commas "$ntests") | 51 | 200 | $ms | $(tail -n 1 "$SETS/test-$ntests.log") |"
	echo
	echo "The whole command: compile the project, build and decide every test's request with"
	echo "the trace on, and compute the three coverage measures (100% on this project)."
else
	echo "skipped: authzc test not available"
fi
echo

# ---- the lint of check (sym_lint.c) ------------------------------------------------

# `authzc check` with its solver lint, its budget out of the way
# (--lint-timeout 86400000), on examples/ and the 1,000-rule set: wall
# seconds (targets 1 s and 10 s), what it found, and whether it finished.
lint_row() {
	log=$SETS/lint-$3.log
	t0=$(now_ns)
	$PIN "$AUTHZC" -C "$1" check --lint-timeout 86400000 >"$log" 2>&1 || true
	t1=$(now_ns)
	stopped=$(grep -c 'I0605' "$log" || true)
	found=$(($(grep -cE '^[^ ]+: (warning|note)\[[WI]06' "$log" || true) - stopped))
	echo "| $2 | $(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.2f", d / 1e9 }') | $found | $([ "$stopped" = 0 ] && echo yes || echo no) |"
}
echo "### Lint: \`authzc check\` with the solver's lint, with its budget out of the way"
echo
echo "| project | seconds | findings | complete |"
echo "| --- | ---: | ---: | --- |"
lint_row "$ROOT_DIR/examples" examples examples
for n in $SIZES; do
	if [ "$n" = 1000 ]; then lint_row "$SETS/1000" "1,000 rules" 1000; fi
done
echo

# ---- language server ------------------------------------------------------------------

echo "### Language server: change to diagnostics (bench_lsp.c, $LSP_CHANGES changes)"
echo
echo "| project | rules | debounce ms | median ms | p95 ms | max ms | target |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
lsp_row() { # lsp_row NAME DIR TARGET-MS
	file=$(cd "$2" && find policies -name '*.authz' | sort | head -n 1)
	rules=$(find "$2/policies" -name '*.authz' -exec cat {} + | grep -c '^[[:space:]]*\(permit\|forbid\) ')
	for deb in 20 0; do
		out=$("$BENCH/bench_lsp" "$AUTHZC" "$2" "$file" "$LSP_CHANGES" --no-lint --debounce "$deb") \
			|| die "bench_lsp failed on $1"
		p95=$(kv "$out" p95_ms)
		verdict=$(awk -v p="$p95" -v t="$3" 'BEGIN { print (p <= t ? "met (p95 <= " t " ms)" : "MISSED (" t " ms)") }')
		echo "| $1 | $(commas "$rules") | $deb | $(kv "$out" median_ms) | $p95 | $(kv "$out" max_ms) | $verdict |"
	done
}
lsp_row examples/ "$ROOT_DIR/examples" 50
case " $SIZES " in *" 1000 "*) lsp_row "generated" "$SETS/1000" 500 ;; esac
echo
echo "From sending a change to receiving the file's diagnostics, through pipes: the"
echo "debounce (authzc-lsp(1)), then a check of the whole project with the buffer laid"
echo "over the disk.  Debounce 20 is the default; 0 shows the check alone."

# ---- proofs: the examples' assertions and lint ----------------------------------------

echo "### Proofs: the examples project's assertions and lint (target: under 1 s together)"
echo
ex=$(cd "$(dirname "$0")/../../examples" && pwd)
# the median of 5 runs of a command: "wall_ms cpu_ms" (cpu: user + system of
# the child, from /usr/bin/time when installed, else the wall time)
ms_of() {
	walls="" cpus=""
	for _ in 1 2 3 4 5; do
		t0=$(now_ns)
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f '%U %S' -o "$SETS/cpu.txt" "$@" >/dev/null 2>&1 || true
		else
			"$@" >/dev/null 2>&1 || true
		fi
		t1=$(now_ns)
		walls="$walls $(( (t1 - t0) / 1000 ))"
		if [ -x /usr/bin/time ]; then
			cpus="$cpus $(tail -n 1 "$SETS/cpu.txt" | awk '{ printf "%d", ($1 + $2) * 1000000 }')"
		else
			cpus="$cpus $(( (t1 - t0) / 1000 ))"
		fi
	done
	w=$(echo "$walls" | tr ' ' '\n' | grep . | median)
	c=$(echo "$cpus" | tr ' ' '\n' | grep . | median)
	echo "$w $c" | awk '{ printf "%.1f %.1f", $1 / 1000, $2 / 1000 }'
}
set -- $(ms_of "$AUTHZC" -C "$ex" test); test_all=$1 test_all_cpu=$2
set -- $(ms_of "$AUTHZC" -C "$ex" test --run '^$'); test_none=$1 test_none_cpu=$2
set -- $(ms_of "$AUTHZC" -C "$ex" check); check_all=$1 check_all_cpu=$2
set -- $(ms_of "$AUTHZC" -C "$ex" check --no-lint); check_none=$1 check_none_cpu=$2
nassert=$(grep -c '^assert ' "$ex"/tests/*_test.authz | awk -F: '{ s += $2 } END { print s }')
awk -v ta="$test_all" -v tn="$test_none" -v ca="$check_all" -v cn="$check_none" \
    -v tac="$test_all_cpu" -v tnc="$test_none_cpu" -v cac="$check_all_cpu" -v cnc="$check_none_cpu" -v n="$nassert" 'BEGIN {
	a = ta - tn; l = ca - cn; ac = tac - tnc; lc = cac - cnc
	if (a < 0) a = 0; if (l < 0) l = 0; if (ac < 0) ac = 0; if (lc < 0) lc = 0
	print "| part | with: wall / cpu ms | without: wall / cpu ms | its own: wall / cpu ms (medians of 5) |"
	print "| --- | ---: | ---: | ---: |"
	printf "| `authzc test`: tests + %d assertions vs none (`--run ^$`) | %.1f / %.1f | %.1f / %.1f | %.1f / %.1f |\n", n, ta, tac, tn, tnc, a, ac
	printf "| `authzc check`: lint vs `--no-lint` | %.1f / %.1f | %.1f / %.1f | %.1f / %.1f |\n", ca, cac, cn, cnc, l, lc
	printf "| assertions + lint | | | **%.1f / %.1f** (cpu %s 1,000) |\n", a + l, ac + lc, ac + lc < 1000 ? "under" : "OVER"
}'
echo
echo "Each whole command is timed; the part is the difference with the same command"
echo "without it (the tests' own run is in the first difference, and small).  The target"
echo "is read on the cpu time: on a shared machine the wall time counts other processes."
}

echo "bench: measuring..." >&2
report > "$REPORT.tmp" || { cat "$REPORT.tmp"; exit 1; }
mv "$REPORT.tmp" "$REPORT"
cat "$REPORT"
