/*
 * requests.c: print the request of every test of a project as JSON Lines
 * (test_request_json), for tests/serve/run.sh to send to `authzc serve`
 * and to `authzc eval`.
 *
 *   serve-requests DIR
 *
 * Exits 1 (with nothing printed) when the project does not check.
 */
#include <stdio.h>
#include <unistd.h>

#include "checker.h"
#include "project.h"
#include "test_request.h"

int main(int argc, char **argv)
{
	if (argc != 2 || chdir(argv[1]) < 0) {
		fprintf(stderr, "usage: serve-requests DIR\n");
		return 2;
	}
	struct compilation c;
	struct source_tree tree;
	if (project_open(&c, &tree) < 0)
		return 2;
	if (compilation_run(&c, &tree) || !c.checked) {
		fprintf(stderr, "serve-requests: the project does not check\n");
		compilation_release(&c);
		return 1;
	}
	for (size_t i = 0; i < c.checked->ntests; i++)
		if (c.checked->tests[i].ok)
			printf("%s\n", test_request_json(&c.arena, &c.checked->tests[i].request));
	compilation_release(&c);
	return 0;
}
