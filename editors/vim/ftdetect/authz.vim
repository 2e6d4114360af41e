" authzc policy and test files
autocmd BufRead,BufNewFile *.authz setfiletype authz
