/*
 * cmd_eval.c: `authzc eval`: decide requests against a bundle, one JSON
 * decision per line on stdout (authzc-eval(1)).
 *
 * Requests come one per file argument, or as JSON Lines on stdin ("-" or
 * no file).  One request, decision and scratch buffer serve the whole
 * stream, and stdout is fully buffered unless it is a terminal, so a stream
 * of small requests costs no allocation and no system call per line.
 * A bad request is a deny with a request error and the stream goes on; a
 * file that cannot be read is reported, skipped, and makes the exit status
 * 2 once everything else has been decided (as git does with bad paths).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "authz.h"
#include "cli.h"
#include "cli_trust.h"
#include "eval_io.h"
#include "fileio.h"
#include "logchain.h"
#include "project.h"

struct eval {
	authz_bundle *b;
	authz_request *req;
	authz_decision *d;
	unsigned flags;
	bool has_now;           /* --now or $AUTHZC_NOW */
	int64_t now;
	int log_fd;             /* -1 without --log */
	const char *log_path;
	struct logchain chain;  /* the log's hash chain (logchain.h) */
	struct ev_sec key;      /* --log-key: signs checkpoints */
	bool has_key;
	struct buf deny, file, ann, line;
	bool trouble;           /* exit 2 at the end */
	bool stop;              /* output or log lost: decide nothing more */
	bool tty;
};

static void eval_usage(FILE *out)
{
	fputs("usage: authzc eval [-b BUNDLE [--trust PUBFILE]...] [-C DIR] [--explain] [--now TIME]\n"
	      "                   [--log FILE [--log-key KEYFILE] [--log-checkpoint-every N]\n"
	      "                   [--log-checkpoint-interval SECONDS]] [REQUEST.json...]\n"
	      "\n"
	      "Decide requests: one JSON request per file, or JSON Lines on stdin (no file,\n"
	      "or '-'); one JSON decision per line on stdout, in input order.  Without -b\n"
	      "the project is compiled first.\n"
	      "\n"
	      "options:\n"
	      "  -b, --bundle FILE  decide against this compiled bundle\n"
	      "  --trust PUBFILE    refuse the bundle unless it is signed by this key\n"
	      "                     (NAME.pub of authzc keygen; repeatable: any of them)\n"
	      "  --explain          add each matching rule's trace, the values of the guards\n"
	      "                     that held rules back and the deciding rules' annotations\n"
	      "  --log FILE         append a decision record per request to FILE (with the\n"
	      "                     deciding rules' annotations), hash-chained\n"
	      "  --log-key KEYFILE  sign a checkpoint of the chain with this `log` key\n"
	      "  --log-checkpoint-every N\n"
	      "                     a checkpoint after N records (default 1000)\n"
	      "  --log-checkpoint-interval SECONDS\n"
	      "                     ... or SECONDS after the last one (default 60)\n"
	      "  --now TIME         RFC 3339 time for requests without \"time\"\n"
	      "                     (default: $AUTHZC_NOW, else the clock)\n"
	      "  -C DIR             run as if started in DIR\n"
	      "  -h, --help         show this help\n"
	      "\n"
	      "exit status: 0 every request decided (allowed or denied), 1 the project\n"
	      "does not compile, 2 usage, bundle, file or output trouble\n", out);
}

static int64_t clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void out_of_memory(struct eval *e)
{
	cli_error("out of memory");
	e->trouble = e->stop = true;
}

/* Write e->line, whole lines of the log, with one write. */
static void write_log(struct eval *e)
{
	if (e->line.n && fileio_write_all(e->log_fd, e->line.p, e->line.n) < 0) {
		cli_error("cannot write to '%s': %s", e->log_path, strerror(errno));
		e->trouble = e->stop = true;
	}
}

/* Print one decision and log it.  `json` NULL: a request over the size
 * limit, denied before the runtime saw it (`decided` false: e->d is not
 * its decision). */
static void emit(struct eval *e, const char *json, size_t len, const char *decision, size_t dlen, bool decided)
{
	fwrite(decision, 1, dlen, stdout);
	putchar('\n');
	if (e->tty)
		fflush(stdout);
	if (ferror(stdout)) {
		e->stop = true;     /* cli_finish reports it */
		return;
	}
	if (e->log_fd < 0)
		return;
	buf_reset(&e->ann);
	buf_reset(&e->line);
	/* The record is built in place behind its chain head: no copy. */
	logchain_head(&e->chain, &e->line);
	if ((decided && eval_annotations_json(&e->ann, e->b, e->d) < 0) ||
	    eval_log_members(&e->line, json, len, decision, dlen, authz_bundle_digest(e->b),
			     authz_bundle_source_revision(e->b), decided ? buf_cstr(&e->ann) : NULL) < 0) {
		out_of_memory(e);
		return;
	}
	buf_putc(&e->line, '}');
	int64_t now = e->has_now ? e->now : clock_ms();
	if (logchain_seal(&e->chain, &e->line, 0) < 0 ||
	    (logchain_due(&e->chain, now) && logchain_checkpoint(&e->chain, now, false, &e->line) < 0)) {
		out_of_memory(e);
		return;
	}
	write_log(e);
}

/* Decide the request json[0..len) and print its decision. */
static void decide(struct eval *e, const char *json, size_t len)
{
	const struct eval_decide_opts o = { e->flags, e->has_now, e->now };
	const char *dec;
	size_t dlen;
	if (eval_decide_json(e->d, e->b, e->req, &o, json, len, &dec, &dlen) < 0) {
		out_of_memory(e);
		return;
	}
	emit(e, json, len, dec, dlen, true);
}

/* A request never handed to the runtime: too long to keep. */
static void deny_too_long(struct eval *e)
{
	char msg[64];
	snprintf(msg, sizeof msg, "request is longer than the %u MiB limit", EVAL_MAX_REQUEST >> 20);
	buf_reset(&e->deny);
	if (eval_deny_json(&e->deny, msg, e->has_now ? e->now : clock_ms(), authz_bundle_digest(e->b),
			   e->flags & AUTHZ_DECIDE_TRACE) < 0) {
		out_of_memory(e);
		return;
	}
	emit(e, NULL, 0, e->deny.p, e->deny.n, false);
}

/* Decide each line of `fd` (JSON Lines); blank lines are skipped. */
static void eval_stream(struct eval *e, int fd, const char *name)
{
	struct eval_lines l;
	eval_lines_init(&l, fd, EVAL_MAX_REQUEST);
	const char *line;
	size_t len;
	int rc;
	while (!e->stop && (rc = eval_lines_next(&l, &line, &len)) != EVAL_LINE_EOF) {
		if (rc == EVAL_LINE_ERROR) {
			cli_error("cannot read '%s': %s", name, strerror(errno));
			e->trouble = true;
			break;
		}
		if (rc == EVAL_LINE_TOO_LONG)
			deny_too_long(e);
		else if (!eval_blank(line, len))
			decide(e, line, len);
	}
	eval_lines_release(&l);
}

/* Decide the one request in file `path`. */
static void eval_file(struct eval *e, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cli_error("cannot read '%s': %s", path, errno == ENOENT ? "no such file" : strerror(errno));
		e->trouble = true;
		return;
	}
	buf_reset(&e->file);
	bool too_long = false;
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_error("cannot read '%s': %s", path,
				  errno == EISDIR ? "it is a folder" : strerror(errno));
			e->trouble = true;
			close(fd);
			return;
		}
		if (n == 0)
			break;
		if (e->file.n + (size_t)n > EVAL_MAX_REQUEST) {
			too_long = true;
			break;
		}
		buf_put(&e->file, chunk, (size_t)n);
		if (e->file.oom) {
			close(fd);
			out_of_memory(e);
			return;
		}
	}
	close(fd);
	if (too_long)
		deny_too_long(e);
	else
		decide(e, buf_cstr(&e->file), e->file.n);
}

/* Compile the project found from the current folder into *out, as
 * `compile` does but without writing the bundle.  Prints the diagnostics
 * (warnings too); returns EXIT_OK, EXIT_FAIL (errors) or EXIT_TROUBLE. */
static int compile_project(authz_bundle **out)
{
	struct compilation c;
	struct source_tree tree;
	int code = cli_open_project(&c, &tree, NULL);
	if (code != EXIT_OK)
		return code;
	code = cli_compile_load(out, &c, &tree);
	compilation_release(&c);
	return code;
}

/* Parse --now / $AUTHZC_NOW into e. */
static int set_now(struct eval *e, const char *text, const char *what)
{
	if (authz_parse_time(text, strlen(text), &e->now) < 0)
		return cli_usage_error("eval", "%s '%s' is not an RFC 3339 time", what, text);
	e->has_now = true;
	return EXIT_OK;
}

static void eval_release(struct eval *e)
{
	authz_decision_free(e->d);
	authz_request_free(e->req);
	authz_bundle_free(e->b);
	if (e->log_fd >= 0)
		close(e->log_fd);
	logchain_release(&e->chain);
	ev_sec_wipe(&e->key);
	buf_release(&e->line);
	buf_release(&e->deny);
	buf_release(&e->file);
	buf_release(&e->ann);
}

/* stdout's buffer when it is not a terminal: one write per 256 KiB. */
static char out_buf[256u << 10];

int cmd_eval(int argc, char **argv)
{
	struct eval e = { .log_fd = -1 };
	const char *bundle = NULL, *dir = NULL, *now = NULL;
	const char *log_key = NULL, *ckpt_every = NULL, *ckpt_interval = NULL;
	bool explain = false;
	const char *trust_v[CLI_MAX_TRUST];
	struct opt_list trust_files = { trust_v, 0, CLI_MAX_TRUST };
	const struct opt opts[] = {
		OPT_VALUE('b', "bundle", &bundle),
		OPT_LIST(0, "trust", &trust_files),
		OPT_FLAG(0, "explain", &explain),
		OPT_VALUE(0, "log", &e.log_path),
		OPT_VALUE(0, "log-key", &log_key),
		OPT_VALUE(0, "log-checkpoint-every", &ckpt_every),
		OPT_VALUE(0, "log-checkpoint-interval", &ckpt_interval),
		OPT_VALUE(0, "now", &now),
		OPT_END,
	};
	struct opt_result args;
	int code = cli_parse(&args, argc, argv, opts, -1, eval_usage, &dir);
	if (code != CLI_RUN)
		return code;
	if (explain)
		e.flags |= AUTHZ_DECIDE_EXPLAIN;
	const char *env_now = getenv("AUTHZC_NOW");
	if (now && set_now(&e, now, "--now") != EXIT_OK)
		return EXIT_TROUBLE;
	if (!now && env_now && *env_now && set_now(&e, env_now, "$AUTHZC_NOW") != EXIT_OK)
		return EXIT_TROUBLE;
	if (trust_files.n && !bundle)
		return cli_usage_error("eval", "--trust checks the signature of the bundle given with -b");
	struct logchain_opts lo = { 0 };
	if ((code = cli_log_chain_options("eval", e.log_path, log_key, ckpt_every, ckpt_interval, &lo)) != EXIT_OK)
		return code;
	if ((code = cli_chdir(dir)) != EXIT_OK)
		return code;
	if (log_key) {
		char err[512];
		if (ev_init(err, sizeof err) < 0 || ev_sec_load(log_key, &e.key, err, sizeof err) < 0)
			return cli_error("--log-key: %s", err);
		e.has_key = true;
		lo.key = &e.key;
	}
	logchain_init(&e.chain, &lo, e.has_now ? e.now : clock_ms());

	if (bundle) {
		struct cli_trust trust;
		if ((code = cli_trust_load(&trust, "eval", &trust_files)) != EXIT_OK) {
			cli_trust_release(&trust);
			return code;
		}
		authz_error err;
		int rc = authz_bundle_load_file_ex(&e.b, bundle, cli_trust_opts(&trust), &err);
		cli_trust_release(&trust);
		if (rc < 0)
			return cli_error("%s", err.message);
	} else if ((code = compile_project(&e.b)) != EXIT_OK) {
		return code;
	}
	if (e.log_path) {
		e.log_fd = open(e.log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (e.log_fd < 0) {
			cli_error("cannot open '%s': %s", e.log_path, strerror(errno));
			eval_release(&e);
			return EXIT_TROUBLE;
		}
		/* One writer at a time continues a chain: another eval on the same
		 * log waits here until this one is done. */
		char err[512];
		while (flock(e.log_fd, LOCK_EX) < 0 && errno == EINTR)
			;
		if (logchain_resume(&e.chain, e.log_path, e.has_now ? e.now : clock_ms(), &e.line, err,
				    sizeof err) < 0) {
			cli_error("%s", err);
			eval_release(&e);
			return EXIT_TROUBLE;
		}
		write_log(&e);
		if (e.stop) {
			eval_release(&e);
			return EXIT_TROUBLE;
		}
	}
	if (authz_request_new(&e.req, e.b) < 0 || authz_decision_new(&e.d) < 0) {
		eval_release(&e);
		return cli_error("out of memory");
	}
	e.tty = isatty(STDOUT_FILENO);
	if (!e.tty)
		setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);

	if (!args.noperands)
		eval_stream(&e, STDIN_FILENO, "stdin");
	for (int i = 0; i < args.noperands && !e.stop; i++) {
		if (!strcmp(args.operands[i], "-"))
			eval_stream(&e, STDIN_FILENO, "stdin");
		else
			eval_file(&e, args.operands[i]);
	}
	if (e.log_fd >= 0 && !e.stop) {
		/* The final checkpoint: the log was closed cleanly here. */
		buf_reset(&e.line);
		if (logchain_checkpoint(&e.chain, e.has_now ? e.now : clock_ms(), true, &e.line) < 0)
			out_of_memory(&e);
		else
			write_log(&e);
	}
	/* Flush here: out_buf must not be used after the command returns. */
	if (fflush(stdout) != 0 || ferror(stdout))
		code = cli_finish(EXIT_TROUBLE);
	else if (e.trouble)
		code = EXIT_TROUBLE;
	eval_release(&e);
	return code;
}
