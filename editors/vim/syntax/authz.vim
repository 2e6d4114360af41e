" Vim syntax file
" Language:    authz (authzc policy and test files, authzc-policy(5))
" The keyword lists are checked against grammar/lexer.l by
" tools/check-keywords.sh in make test.
if exists('b:current_syntax') | finish | endif

syn keyword authzDeclaration package const permit forbid test request
syn keyword authzControl     when unless given with without at expect by default assert
syn keyword authzOperator    is in has like and or not
syn keyword authzConstant    true false allow deny
syn keyword authzVariable    principal action resource context now

syn match   authzFunction    "\<\(time\|ip\)\ze\s*("
syn match   authzMethod      "\.\zs\(containsAll\|containsAny\|isEmpty\)\>"
syn match   authzAnnotation  "@[A-Za-z_][A-Za-z0-9_]*"
syn match   authzDuration    "\<[0-9]\+\(ms\|d\|h\|m\|s\)\([0-9]\+\(ms\|d\|h\|m\|s\)\)*\>"
syn match   authzNumber      "\<[0-9]\+\>"
syn match   authzEscape      contained "\\\(u{[0-9A-Fa-f]\{1,6}}\|.\)"
syn region  authzString      start=+"+ skip=+\\.+ end=+"\|$+ contains=authzEscape
syn match   authzComment     "//.*$" contains=@Spell
syn region  authzComment     start="/\*" end="\*/" contains=@Spell

hi def link authzDeclaration Keyword
hi def link authzControl     Conditional
hi def link authzOperator    Operator
hi def link authzConstant    Boolean
hi def link authzVariable    Identifier
hi def link authzFunction    Function
hi def link authzMethod      Function
hi def link authzAnnotation  PreProc
hi def link authzDuration    Number
hi def link authzNumber      Number
hi def link authzEscape      SpecialChar
hi def link authzString      String
hi def link authzComment     Comment

let b:current_syntax = 'authz'
