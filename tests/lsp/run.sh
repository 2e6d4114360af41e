#!/bin/sh
# authzc lsp, driven by the scripted client (lsp_client.c) through whole
# sessions on a copy of examples/, and the editors' keyword lists checked
# against the lexer's:
#
#   AUTHZC=build/authzc CLIENT=build/lsp-client sh tests/lsp/run.sh
#
# session.script     initialize, open, a change with an error, completion,
#                    hover, definition, references, formatting, symbols,
#                    code actions, shutdown and exit
# protocol.script    broken frames, bad JSON, unknown methods, requests
#                    before initialize and after shutdown: errors, never a
#                    crash; exit without shutdown is status 1
# keywords           every keyword of grammar/lexer.l is in the TextMate
#                    grammar and the Vim syntax file, and they name no other
#                    (tools/check-keywords.sh)
# vim                editors/vim detects and highlights a policy file
#
# Nothing is timed.  The last line is "lsp: N passed, N failed".
set -u
: "${AUTHZC:?set AUTHZC to the authzc binary}"
: "${CLIENT:?set CLIENT to the lsp-client binary}"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export AUTHZC_NOW=2026-11-22T10:00:00Z NO_COLOR=1 LC_ALL=C
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authzc-lsp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM
pass=0
fail=0

for script in "$here"/*.script; do
  name=$(basename "$script" .script)
  rm -rf "$tmp/p" && cp -R "$root/examples" "$tmp/p"
  proj=$(cd "$tmp/p" && pwd -P)
  # From inside the project: a client that names no root folder gets it.
  if (cd "$proj" && "$CLIENT" -D "ROOT=file://$proj" -F "$proj" "$script" -- "$AUTHZC" lsp --stdio --no-lint) \
      >"$tmp/out" 2>&1; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL lsp $name:"
    cat "$tmp/out"
  fi
  # The server writes nothing to the project.
  if ! diff -r "$root/examples" "$tmp/p" >/dev/null; then
    fail=$((fail + 1))
    echo "FAIL lsp $name: the server changed files of the project"
  fi
done

if sh "$root/tools/check-keywords.sh"; then
  pass=$((pass + 1))
else
  fail=$((fail + 1))
  echo "FAIL lsp keywords: the editors' keyword lists differ from grammar/lexer.l (above)"
fi

# The Vim files load: *.authz is detected, and `permit` is a declaration
# keyword, a string a string (skipped without vim).
if command -v vim >/dev/null 2>&1; then
  if vim -Nu NONE -i NONE -es -c "set rtp^=$root/editors/vim" -c 'filetype plugin on' -c 'syntax on' \
      -c "e $root/examples/policies/datasets.authz" \
      -c 'if &ft !=# "authz" || &commentstring !=# "// %s" || synIDattr(synID(9, 1, 1), "name") !=# "authzDeclaration" || synIDattr(synID(11, 14, 1), "name") !=# "authzString" | cquit | endif' \
      -c 'qa!' </dev/null >/dev/null 2>&1; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL lsp vim: editors/vim does not detect or highlight examples/policies/datasets.authz"
  fi
fi

echo "lsp: $pass passed, $fail failed"
[ "$fail" = 0 ]
