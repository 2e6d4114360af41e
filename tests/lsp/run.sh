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
# lint.script        the solver's lint on save, gone at the next change
# protocol.script    broken frames, bad JSON, unknown methods, requests
#                    before initialize and after shutdown: errors, never a
#                    crash; exit without shutdown is status 1
# parity             the first diagnostics of broken projects (policies,
#                    schema, authzc.json) are those of `check --format json`
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
  # The solver's lint only where a script is about it: it takes time.
  lint=--no-lint
  case $name in lint*) lint=--stdio ;; esac
  # From inside the project: a client that names no root folder gets it.
  if (cd "$proj" && "$CLIENT" -D "ROOT=file://$proj" -F "$proj" "$script" -- "$AUTHZC" lsp --stdio $lint) \
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

# Parity with `authzc check`: broken copies of examples/ (policy and test
# errors with notes and help; schema errors at JSON paths; an authzc.json
# error), each checked by `authzc check --format json` and by the server.
break_project() { # break_project KIND: in $tmp/p
  case $1 in
  policies)
    sed -i 's/principal\.department ==/principal.departmnt ==/; s/^   and principal has window$/   and true/' \
      "$tmp/p/policies/datasets.authz"
    sed -i 's/by datasets\.ci_read_prod$/by datasets.ci_read_prd/' "$tmp/p/tests/datasets_test.authz"
    sed -i '0,/action == "write"/s//action == "wirte"/' "$tmp/p/policies/agents.authz"
    printf '\nconst UNUSED_LIMIT = 3;\nconst UNUSED_LIMIT = 4;\n' >>"$tmp/p/policies/security.authz" ;;
  schema)
    sed -i 's/"clearance": "int"/"clearance": "integer"/; s/"mfa": "bool"/"mfa": "bool", "mfa": "bool"/' \
      "$tmp/p/schema.json" ;;
  config)
    sed -i 's/"policies":/"polices":/' "$tmp/p/authzc.json" ;;
  esac
}
for kind in policies schema config; do
  rm -rf "$tmp/p" && cp -R "$root/examples" "$tmp/p"
  proj=$(cd "$tmp/p" && pwd -P)
  break_project $kind
  "$AUTHZC" -C "$proj" check --format json --no-lint >"$tmp/check.json" 2>/dev/null
  if ! grep -q '"errors":[1-9]' "$tmp/check.json"; then
    fail=$((fail + 1))
    echo "FAIL lsp parity $kind: the broken project has no errors"
  elif "$CLIENT" -D "ROOT=file://$proj" -D "CHECK=$tmp/check.json" "$here/parity.steps" -- \
      "$AUTHZC" lsp --no-lint >"$tmp/out" 2>&1; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL lsp parity $kind:"
    cat "$tmp/out"
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
