#include <stdio.h>
#include <string.h>
#include "ast.h"
#include "diag.h"
int main(int argc, char **argv)
{
	struct arena a = ARENA_INIT;
	struct srcset src;
	struct diag_list d;
	srcset_init(&src, &a);
	diag_list_init(&d, &a);
	for (int i = 1; i < argc; i++) {
		uint32_t id;
		if (srcset_read(&src, argv[i], NULL, &id)) { perror(argv[i]); continue; }
		struct ast_file *f;
		ast_parse(&a, &src, id, &d, &f);
		printf("%s: %zu items %zu comments\n", argv[i], f->nitems, f->ncomments);
	}
	diag_render_text(stderr, &src, &d, false);
	arena_free(&a);
	return d.errors ? 1 : 0;
}
