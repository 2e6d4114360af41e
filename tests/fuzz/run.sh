#!/bin/sh
# Run the libFuzzer targets: make fuzz / make fuzz-smoke.
#
#   FUZZ=build/fuzz AUTHZC=build/authzc sh tests/fuzz/run.sh SECONDS [TARGET...]
#
# For each target (policy schema request bundle serve lsp): build its seed corpus
# (corpus.sh) into $FUZZ/corpus/TARGET, replay every seed and every input
# in tests/fuzz/regress/TARGET/ (past findings, kept forever), then fuzz for
# SECONDS seconds on one core with ASan+UBSan+LSan, a 5 s per-input timeout
# and a 2 GiB memory limit.  New interesting inputs are kept in the corpus;
# a crash is written to $FUZZ/crash-TARGET-* and fails the run.
# The last line sums up executions and CPU seconds per target.
set -u
: "${FUZZ:?set FUZZ to the fuzz build folder}"
: "${AUTHZC:?set AUTHZC to the authzc binary}"
secs=${1:?usage: run.sh SECONDS [TARGET...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
targets=${*:-policy schema request bundle serve lsp}
sh "$here/corpus.sh" "$FUZZ/corpus" >/dev/null || { echo "fuzz: cannot build the seed corpus"; exit 2; }
status=0
summary=""
for t in $targets; do
  bin="$FUZZ/fuzz_$t"
  corpus="$FUZZ/corpus/$t"
  regress="$here/regress/$t"
  mkdir -p "$corpus"
  [ -d "$regress" ] || regress=""
  dict=""
  [ -f "$here/$t.dict" ] && dict="-dict=$here/$t.dict"
  log="$FUZZ/fuzz-$t.log"
  start=$(date +%s)
  # shellcheck disable=SC2086
  "$bin" $dict -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$FUZZ/crash-$t-" "$corpus" $regress >"$log" 2>&1
  rc=$?
  end=$(date +%s)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  if [ $rc != 0 ]; then
    status=1
    echo "fuzz: $t: FAILED (exit $rc), see $log"
    grep -m1 -A30 'ERROR\|==ERROR\|runtime error\|deadly signal\|timeout' "$log"
  fi
  summary="$summary $t: ${runs:-0} runs/$((end - start))s cov ${cov:-?};"
done
echo "fuzz:$summary $( [ $status = 0 ] && echo 0 findings || echo FINDINGS)"
exit $status
