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

const char *const cli_text_json[] = { "text", "json", NULL };

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
	fprintf(stderr, cmd ? "authzc %s: " : "authzc: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd)
		fprintf(stderr, "try 'authzc %s --help'\n", cmd);
	return EXIT_TROUBLE;
}

/* "text, json or sarif": o's choices (cut short past `size`). */
static const char *choices_text(const struct opt *o, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = 0;
	for (size_t k = 0; o->choices[k] && n < size; k++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", !k ? "" : o->choices[k + 1] ? ", " : " or ",
				      o->choices[k]);
	return buf;
}

int cli_parse_format(struct opt_result *out, int argc, char **argv, int max_operands,
		     void (*usage)(FILE *out), int *format)
{
	const char *dir = NULL;
	const struct opt opts[] = {
		OPT_CHOICE(0, "format", format, cli_text_json),
		OPT_END,
	};
	*format = CLI_TEXT;
	int code = cli_parse(out, argc, argv, opts, max_operands, usage, &dir);
	if (code != CLI_RUN)
		return code;
	return cli_chdir(dir) == EXIT_OK ? CLI_RUN : EXIT_TROUBLE;
}

int cli_option_error(const char *cmd, const struct opt_result *r)
{
	switch (r->status) {
	case OPT_OK:
	case OPT_STOPPED:
		break;
	case OPT_EUNKNOWN:
		return cli_usage_error(cmd, "unknown option '%s'", r->arg);
	case OPT_EMISSING:
		return cli_usage_error(cmd, "option '%s' needs a value", r->arg);
	case OPT_EUNWANTED:
		return cli_usage_error(cmd, "option '--%s' takes no value", r->opt->long_name);
	case OPT_ECHOICE: {
		char choices[256];
		return cli_usage_error(cmd, "unknown %s '%s' (%s)", r->opt->long_name, r->value,
				       choices_text(r->opt, choices, sizeof choices));
	}
	case OPT_EOPERAND:
		return cli_usage_error(cmd, "unexpected argument '%s'", r->arg);
	}
	return EXIT_TROUBLE;
}

int cli_parse(struct opt_result *out, int argc, char **argv, const struct opt *opts,
	      int max_operands, void (*usage)(FILE *out), const char **dir)
{
	const struct opt shared[] = {
		OPT_VALUE('C', NULL, dir),
		OPT_STOP('h', "help"),
		OPT_THEN(opts),
	};
	switch (opt_parse(out, argc, argv, dir ? shared : shared + 1, max_operands, 0)) {
	case OPT_OK:
		return CLI_RUN;
	case OPT_STOPPED:
		usage(stdout);
		return EXIT_OK;
	default:
		return cli_option_error(argv[0], out);
	}
}

int cli_chdirs(const struct opt_list *dirs)
{
	for (size_t i = 0; i < dirs->n && i < dirs->cap; i++)
		if (cli_chdir(dirs->v[i]) != EXIT_OK)
			return EXIT_TROUBLE;
	return EXIT_OK;
}

int cli_chdir(const char *dir)
{
	if (dir && chdir(dir) != 0)
		return cli_error("cannot change to '%s': %s", dir, strerror(errno));
	return EXIT_OK;
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
