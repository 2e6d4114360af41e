#!/bin/sh
# The editors' keyword lists against the lexer's, so they cannot drift:
#
#   sh tools/check-keywords.sh
#
# The keywords are the words grammar/lexer.l returns a token for
# ("when" { return lex_token(...) }).  The TextMate grammar
# (editors/vscode/syntaxes/authz.tmLanguage.json) lists them in
# \\b(?:a|b|c)\\b alternations, the Vim syntax file (editors/vim/syntax/
# authz.vim) in `syn keyword` lines; each must hold every keyword and no
# other word.  Prints the differences and exits 1 when there are any.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authzc-kw.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

sed -n 's/^"\([a-z][a-zA-Z]*\)"[[:space:]]*{ return lex_token(.*/\1/p' "$root/grammar/lexer.l" |
  sort -u >"$tmp/lexer"
grep -o '\\\\b(?:[a-zA-Z|]*)\\\\b' "$root/editors/vscode/syntaxes/authz.tmLanguage.json" |
  sed 's/^\\\\b(?://; s/)\\\\b$//' | tr '|' '\n' | sort -u >"$tmp/textmate"
sed -n 's/^syn keyword[[:space:]]*[A-Za-z]*[[:space:]]*//p' "$root/editors/vim/syntax/authz.vim" |
  tr -s ' \t' '\n\n' | grep . | sort -u >"$tmp/vim"

status=0
if [ "$(wc -l <"$tmp/lexer")" -lt 20 ]; then
  echo "check-keywords: found only $(wc -l <"$tmp/lexer") keywords in grammar/lexer.l; has its form changed?"
  status=1
fi
for f in textmate vim; do
  if ! cmp -s "$tmp/lexer" "$tmp/$f"; then
    echo "check-keywords: the $f keyword list differs from grammar/lexer.l (< lexer, > $f):"
    diff "$tmp/lexer" "$tmp/$f" | grep '^[<>]'
    status=1
  fi
done
[ $status = 0 ] && echo "check-keywords: $(wc -l <"$tmp/lexer") keywords, the same in lexer.l, the TextMate grammar and the Vim syntax"
exit $status
