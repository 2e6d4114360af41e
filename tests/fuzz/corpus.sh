#!/bin/sh
# Build the fuzz seed corpora from the examples and the tests:
#
#   AUTHZC=build/authzc sh tests/fuzz/corpus.sh OUT
#
# OUT/policy   every .authz file of examples/ and tests/cli/cases/
# OUT/schema   every schema.json and authzc.json there
# OUT/request  tests/fuzz/seeds/request/ (for the examples/ schema), every
#              request .json of the CLI cases and each line of their .jsonl
# OUT/bundle   the examples/ bundle and the bundle of every CLI case project
#              that compiles; the examples signed, and its signature stripped
# OUT/serve    tests/fuzz/seeds/serve/: HTTP requests to authzc serve
# OUT/lsp      tests/fuzz/seeds/lsp/: JSON-RPC messages to authzc lsp, NUL
#              between them (the tests/lsp/ sessions), $ROOT made examples/
# Seeds are named by their content's checksum, so re-running adds nothing
# twice.  Inputs libFuzzer saves while fuzzing land in the same folders.
set -eu
: "${AUTHZC:?set AUTHZC to the authzc binary}"
out=${1:?usage: corpus.sh OUT}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$out/policy" "$out/schema" "$out/request" "$out/bundle" "$out/serve" "$out/lsp"

put() { # put DIR FILE: copy FILE under its checksum
  sum=$(cksum <"$2" | cut -d' ' -f1)
  cp "$2" "$1/seed-$sum"
}

find "$root/examples" "$root/tests/cli/cases" "$root/tests/fuzz/seeds/policy" -name '*.authz' 2>/dev/null |
  while read -r f; do put "$out/policy" "$f"; done
find "$root/examples" "$root/tests/cli/cases" "$root/tests/fuzz/seeds/schema" \
  \( -name schema.json -o -name authzc.json -o -name '*.schema.json' \) 2>/dev/null |
  while read -r f; do put "$out/schema" "$f"; done
for f in "$root"/tests/fuzz/seeds/request/*.json; do put "$out/request" "$f"; done
find "$root/tests/cli/cases" -name '*.json' ! -name schema.json ! -name authzc.json |
  while read -r f; do put "$out/request" "$f"; done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authzc-corpus.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
find "$root/tests/cli/cases" -name '*.jsonl' | while read -r f; do
  i=0
  while IFS= read -r line; do
    i=$((i + 1))
    printf '%s' "$line" >"$tmp/line"
    put "$out/request" "$tmp/line"
  done <"$f"
done

# Bundles: examples/, then every case folder that is a project of its own.
n=0
for dir in "$root/examples" "$root"/tests/cli/cases/*; do
  [ -f "$dir/schema.json" ] || continue
  n=$((n + 1))
  rm -rf "$tmp/p" && cp -R "$dir" "$tmp/p"
  if "$AUTHZC" compile -C "$tmp/p" -o "$tmp/b.authzb" >/dev/null 2>&1; then
    put "$out/bundle" "$tmp/b.authzb"
  fi
done
# Signed: the examples signed, and the same with its signature section
# stripped (authzc-bundle(5), "Signature").
if "$AUTHZC" keygen -o "$tmp" fuzz >/dev/null 2>&1 &&
   "$AUTHZC" compile -C "$root/examples" --sign "$tmp/fuzz.key" -o "$tmp/s.authzb" >/dev/null 2>&1; then
  put "$out/bundle" "$tmp/s.authzb"
  head -c $(($(wc -c <"$tmp/s.authzb") - 108)) "$tmp/s.authzb" >"$tmp/stripped.authzb"
  put "$out/bundle" "$tmp/stripped.authzb"
fi
find "$root/tests/fuzz/seeds/bundle" -type f 2>/dev/null | while read -r f; do put "$out/bundle" "$f"; done
for f in "$root"/tests/fuzz/seeds/serve/*; do put "$out/serve" "$f"; done
for f in "$root"/tests/fuzz/seeds/lsp/*; do
  sed "s|\$ROOT|file://$root/examples|g" "$f" >"$tmp/lsp" && put "$out/lsp" "$tmp/lsp"
done
for t in policy schema request bundle serve lsp; do
  printf 'corpus: %s: %s seeds\n' "$t" "$(ls "$out/$t" | wc -l)"
done
