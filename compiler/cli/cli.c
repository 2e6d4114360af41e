/*
 * cli.c: helpers shared by the subcommands (see cli.h).
 */
#include "cli.h"

#include <cJSON.h>

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool cli_color(FILE *f)
{
	const char *no = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	if (no && *no)
		return false;
	if (term && !strcmp(term, "dumb"))
		return false;
	return isatty(fileno(f));
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "authzc %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry 'authzc %s --help'\n", cmd);
	return EXIT_TROUBLE;
}

int cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("authzc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_TROUBLE;
}

int cli_finish(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "authzc: cannot write output: %s\n", strerror(errno));
		return EXIT_TROUBLE;
	}
	return code;
}

int cli_print_json(struct cJSON *json)
{
	char *text = json ? cJSON_Print(json) : NULL;
	cJSON_Delete(json);
	if (!text)
		return cli_error("out of memory");
	printf("%s\n", text);
	cJSON_free(text);
	return EXIT_OK;
}
