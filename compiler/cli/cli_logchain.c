/*
 * cli_logchain.c: the options of a chained decision log, shared by eval and
 * serve (--log-key, --log-checkpoint-every, --log-checkpoint-interval; cli.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "logchain.h"

/* A whole number from 1 to `max` in `text`, into *out. */
static int count(const char *cmd, const char *text, const char *what, unsigned long max,
		 unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (!*text || *end || errno || v < 1 || v > max || *text == '-' || *text == '+')
		return cli_usage_error(cmd, "%s '%s' is not a number from 1 to %lu", what, text, max);
	*out = v;
	return EXIT_OK;
}

int cli_log_chain_options(const char *cmd, const char *log, const char *key, const char *every,
			  const char *interval, struct logchain_opts *o)
{
	unsigned long v;
	memset(o, 0, sizeof *o);
	if (!log && (key || every || interval))
		return cli_usage_error(cmd, "--log-key and --log-checkpoint-* need --log");
	if (!key && (every || interval))
		return cli_usage_error(cmd, "--log-checkpoint-every and --log-checkpoint-interval need "
				       "--log-key (checkpoints are signed)");
	if (every) {
		if (count(cmd, every, "--log-checkpoint-every", 1ul << 30, &v) != EXIT_OK)
			return EXIT_TROUBLE;
		o->every = v;
	}
	if (interval) {
		if (count(cmd, interval, "--log-checkpoint-interval", 86400ul * 366, &v) != EXIT_OK)
			return EXIT_TROUBLE;
		o->interval_ms = (int64_t)v * 1000;
	}
	return EXIT_OK;
}
