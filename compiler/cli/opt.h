/*
 * opt.h: the one option parser of every authzc command, driven by a table
 * of the command's options (authzc(1), OPTIONS AND OPERANDS).
 *
 *     bool dry_run = false;
 *     const char *dir = NULL;
 *     const struct opt opts[] = {
 *         OPT_FLAG('n', "dry-run", &dry_run),
 *         OPT_VALUE('C', NULL, &dir),
 *         OPT_STOP('h', "help"),
 *         OPT_END,
 *     };
 *     struct opt_result r;
 *     switch (opt_parse(&r, argc, argv, opts, 1, 0)) { ... }
 *
 * What it accepts:
 *   --name  --name=VALUE  --name VALUE   a long option, or a prefix of just
 *                                        one long option's name
 *   -x  -xy  -oVALUE  -o VALUE           short options, grouped or not
 *   --                                   ends the options: every argument
 *                                        after it is an operand
 *   -                                    an operand (standard input)
 * Options and operands may come in any order, unless OPT_IN_ORDER: then the
 * first operand ends the options (the global options before a command).
 * A VALUE is the next argument as it is, even when it starts with '-'.
 *
 * Nothing is printed and nothing global is used: the result says what went
 * wrong, and the command reports it (cli_parse in cli.c).
 */
#ifndef AUTHZC_OPT_H
#define AUTHZC_OPT_H

#include <stdbool.h>
#include <stddef.h>

/* Every value of a repeatable option, in order.  `n` counts them all, also
 * past `cap` (those are not kept): n > cap tells the command it got too many. */
struct opt_list {
	const char **v;
	size_t n, cap;
};

enum opt_kind {
	OPT_KIND_END = 0,       /* ends the table, or goes on in table `more` */
	OPT_KIND_FLAG,          /* sets *flag */
	OPT_KIND_VALUE,         /* takes a value; the last one given wins */
	OPT_KIND_LIST,          /* takes a value; every one is kept */
	OPT_KIND_CHOICE,        /* takes one of `choices`; *choice is its index */
	OPT_KIND_STOP,          /* ends the parse at once (--help, --version) */
};

struct opt {
	char short_name;        /* 0: none */
	const char *long_name;  /* without "--"; NULL: none */
	enum opt_kind kind;
	bool *flag;
	const char **value;
	struct opt_list *list;
	int *choice;
	const char *const *choices;     /* NULL-terminated */
	const struct opt *more;         /* OPT_KIND_END: the table to go on in */
};

#define OPT_FLAG(s, l, p) { .short_name = (s), .long_name = (l), .kind = OPT_KIND_FLAG, .flag = (p) }
#define OPT_VALUE(s, l, p) { .short_name = (s), .long_name = (l), .kind = OPT_KIND_VALUE, .value = (p) }
#define OPT_LIST(s, l, p) { .short_name = (s), .long_name = (l), .kind = OPT_KIND_LIST, .list = (p) }
#define OPT_CHOICE(s, l, p, c) { .short_name = (s), .long_name = (l), .kind = OPT_KIND_CHOICE, \
				 .choice = (p), .choices = (c) }
#define OPT_STOP(s, l) { .short_name = (s), .long_name = (l), .kind = OPT_KIND_STOP }
#define OPT_END { .kind = OPT_KIND_END }
#define OPT_THEN(t) { .kind = OPT_KIND_END, .more = (t) }     /* ends, going on in table t */

/* opt_parse's flags. */
#define OPT_IN_ORDER 1u         /* the first operand ends the options */

enum opt_status {
	OPT_OK = 0,             /* operands in out->operands */
	OPT_STOPPED,            /* out->opt, an OPT_STOP option, was given */
	OPT_EUNKNOWN,           /* out->arg is no option of the table (or a
				 * prefix of several long ones) */
	OPT_EMISSING,           /* out->arg, option out->opt, needs a value */
	OPT_EUNWANTED,          /* out->arg gives a value to a flag */
	OPT_ECHOICE,            /* out->value is none of out->opt's choices */
	OPT_EOPERAND,           /* out->arg is one operand too many */
};

struct opt_result {
	enum opt_status status;
	char **operands;        /* argv + 1: the operands, in order */
	int noperands;
	const struct opt *opt;  /* the option concerned, when there is one */
	const char *arg;        /* the argument at fault, as written ("-x" for
				 * one of a group of short options) */
	const char *value;      /* OPT_ECHOICE: the value */
	char short_arg[3];      /* where a short option's "-x" is kept */
};

/*
 * Parse argv[1..argc) (argv[0] is the command's name) against `opts`,
 * storing each option's value where its entry says, in the order given.
 * At most `max_operands` operands are accepted (-1: any number).
 *
 * argv is reordered: the operands end up, in their order, in
 * argv[1..1+out->noperands), which out->operands points at; the values
 * stored point into the arguments, not into argv's slots.  Stops at the
 * first error or OPT_STOP option and returns its status (also in
 * out->status); out must not be copied, out->arg may point into it.
 */
enum opt_status opt_parse(struct opt_result *out, int argc, char **argv, const struct opt *opts,
			  int max_operands, unsigned flags);

#endif
