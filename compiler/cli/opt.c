/*
 * opt.c: the table-driven option parser of every command (opt.h).
 */
#include "opt.h"

#include <string.h>

static bool takes_value(const struct opt *o)
{
	return o->kind == OPT_KIND_VALUE || o->kind == OPT_KIND_LIST || o->kind == OPT_KIND_CHOICE;
}

/* Store `value` (NULL for a flag) where `o` says; OPT_OK, OPT_STOPPED, or
 * OPT_ECHOICE with out->value set. */
static enum opt_status take(struct opt_result *out, const struct opt *o, const char *value)
{
	out->opt = o;
	switch (o->kind) {
	case OPT_KIND_FLAG:
		*o->flag = true;
		return OPT_OK;
	case OPT_KIND_VALUE:
		*o->value = value;
		return OPT_OK;
	case OPT_KIND_LIST:
		if (o->list->n < o->list->cap)
			o->list->v[o->list->n] = value;
		o->list->n++;
		return OPT_OK;
	case OPT_KIND_CHOICE:
		for (int k = 0; o->choices[k]; k++) {
			if (!strcmp(o->choices[k], value)) {
				*o->choice = k;
				return OPT_OK;
			}
		}
		out->value = value;
		return OPT_ECHOICE;
	case OPT_KIND_STOP:
		return OPT_STOPPED;
	case OPT_KIND_END:
		break;
	}
	return OPT_EUNKNOWN;
}

/* The entry at o, or after the OPT_THEN links from it: an option, or the
 * table's true end. */
static const struct opt *follow(const struct opt *o)
{
	while (o->kind == OPT_KIND_END && o->more)
		o = o->more;
	return o;
}

/* The long option named name[0..len): the one of that name, else the only
 * one whose name starts with it; NULL when none is, or several are. */
static const struct opt *find_long(const struct opt *opts, const char *name, size_t len)
{
	const struct opt *prefix = NULL;
	size_t nprefix = 0;
	if (!len)
		return NULL;
	for (const struct opt *o = follow(opts); o->kind != OPT_KIND_END; o = follow(o + 1)) {
		if (!o->long_name || strncmp(o->long_name, name, len))
			continue;
		if (!o->long_name[len])
			return o;
		prefix = o;
		nprefix++;
	}
	return nprefix == 1 ? prefix : NULL;
}

static const struct opt *find_short(const struct opt *opts, char c)
{
	for (const struct opt *o = follow(opts); o->kind != OPT_KIND_END; o = follow(o + 1))
		if (o->short_name && o->short_name == c)
			return o;
	return NULL;
}

/* argv[*i] is "--name", "--name=value" or "--name" followed by its value
 * (then *i moves onto it). */
static enum opt_status parse_long(struct opt_result *out, const struct opt *opts, int argc,
				  char **argv, int *i)
{
	const char *arg = argv[*i], *name = arg + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct opt *o = find_long(opts, name, len);
	out->arg = arg;
	if (!o)
		return OPT_EUNKNOWN;
	out->opt = o;
	if (!takes_value(o))
		return eq ? OPT_EUNWANTED : take(out, o, NULL);
	if (eq)
		return take(out, o, eq + 1);
	if (*i + 1 >= argc)
		return OPT_EMISSING;
	return take(out, o, argv[++*i]);
}

/* argv[*i] is a group of short options, "-xy", the last of which may take
 * the rest of the group ("-ovalue") or the next argument as its value. */
static enum opt_status parse_short(struct opt_result *out, const struct opt *opts, int argc,
				   char **argv, int *i)
{
	for (const char *p = argv[*i] + 1; *p; p++) {
		out->short_arg[0] = '-';
		out->short_arg[1] = *p;
		out->short_arg[2] = 0;
		out->arg = out->short_arg;
		const struct opt *o = find_short(opts, *p);
		if (!o)
			return OPT_EUNKNOWN;
		out->opt = o;
		if (!takes_value(o)) {
			enum opt_status st = take(out, o, NULL);
			if (st != OPT_OK)
				return st;
			continue;
		}
		if (p[1])
			return take(out, o, p + 1);
		if (*i + 1 >= argc)
			return OPT_EMISSING;
		return take(out, o, argv[++*i]);
	}
	return OPT_OK;
}

enum opt_status opt_parse(struct opt_result *out, int argc, char **argv, const struct opt *opts,
			  int max_operands, unsigned flags)
{
	memset(out, 0, sizeof *out);
	out->operands = argv + (argc > 0);
	int n = 0;
	bool options = true;
	for (int i = 1; i < argc; i++) {
		char *arg = argv[i];
		if (!options || arg[0] != '-' || !arg[1]) {
			/* Operands move down over the options already read. */
			argv[1 + n++] = arg;
			if (flags & OPT_IN_ORDER)
				options = false;
			continue;
		}
		if (!strcmp(arg, "--")) {
			options = false;
			continue;
		}
		enum opt_status st = arg[1] == '-' ? parse_long(out, opts, argc, argv, &i)
						   : parse_short(out, opts, argc, argv, &i);
		if (st != OPT_OK)
			return out->status = st;
	}
	out->noperands = n;
	out->opt = NULL;
	out->arg = NULL;
	if (max_operands >= 0 && n > max_operands) {
		out->arg = out->operands[max_operands];
		return out->status = OPT_EOPERAND;
	}
	return out->status = OPT_OK;
}
