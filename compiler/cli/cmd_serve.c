/*
 * cmd_serve.c: `authzc serve`: the decision point as an HTTP service
 * (authzc-serve(1)).
 *
 * The server (compiler/serve/server.h) answers on its own threads; this
 * thread owns the process: it waits for signals with the bundle file's poll
 * interval as timeout, polls the file when the wait times out, reloads it
 * on SIGHUP, and drains and stops on SIGTERM or SIGINT.  Every thread
 * starts with those signals blocked, so only sigtimedwait here sees them.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authz.h"
#include "cli.h"
#include "listen.h"
#include "project.h"
#include "server.h"

/* Longest wait for requests in flight at SIGTERM. */
#define DRAIN_S 10

static void serve_usage(FILE *out)
{
	fputs("usage: authzc serve [-b BUNDLE] [--listen ADDR:PORT | --socket PATH] [-C DIR]\n"
	      "                    [--poll MS] [--max-body BYTES] [--max-connections N]\n"
	      "                    [--timeout SECONDS] [--threads N] [--now TIME]\n"
	      "\n"
	      "Answer decision requests over HTTP: POST /v1/decide, POST /v1/decide/batch,\n"
	      "/v1/gateway (serve.gateway in authzc.json), GET /health, GET /metrics.  The\n"
	      "bundle file is watched and reloaded when it changes, and on SIGHUP; SIGTERM\n"
	      "and SIGINT finish the requests in flight and exit.\n"
	      "\n"
	      "options:\n"
	      "  -b, --bundle FILE      decide against this bundle (without one, or while it\n"
	      "                         cannot be loaded, every decision is a deny)\n"
	      "  --listen ADDR:PORT     where to listen (default 127.0.0.1:8181; port 0: any)\n"
	      "  --socket PATH          listen on a Unix socket instead\n"
	      "  --poll MS              how often to look at the bundle file (default 1000)\n"
	      "  --max-body BYTES       largest request body (default 1048576)\n"
	      "  --max-connections N    connections at once (default 1024)\n"
	      "  --timeout SECONDS      close a connection idle this long (default 30)\n"
	      "  --threads N            threads answering requests (default 2)\n"
	      "  --now TIME             RFC 3339 time for requests without \"time\"\n"
	      "                         (default: $AUTHZC_NOW, else the clock)\n"
	      "  -C DIR                 run as if started in DIR (authzc.json is read there)\n"
	      "  -h, --help             show this help\n"
	      "\n"
	      "exit status: 0 stopped by SIGTERM or SIGINT, 1 authzc.json has errors,\n"
	      "2 usage trouble or the server cannot start\n", out);
}

/* Print a note of the server with the time, as one line. */
static void note(void *payload, const char *msg)
{
	(void)payload;
	char t[32];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	authz_format_time((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, t);
	fprintf(stderr, "authzc serve: %s %s\n", t, msg);
}

/* A whole number from 1 to `max` in `text`, into *out. */
static int number(const char *text, const char *what, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (!*text || *end || errno || v < 1 || v > max || *text == '-' || *text == '+')
		return cli_usage_error("serve", "%s '%s' is not a number from 1 to %lu", what, text, max);
	*out = v;
	return EXIT_OK;
}

struct serve_args {
	const char *bundle, *listen, *socket, *poll, *max_body, *max_conn, *timeout, *threads, *now, *dir;
};

/* The options into o and *poll_ms: EXIT_OK or the exit code. */
static int read_options(const struct serve_args *a, struct serve_opts *o, unsigned long *poll_ms)
{
	unsigned long v;
	o->bundle_path = a->bundle;
	if (a->listen && a->socket)
		return cli_usage_error("serve", "--listen and --socket cannot be given together");
	if (a->listen) {
		char host[256], port[8], err[320];
		if (listen_split(a->listen, host, sizeof host, port, sizeof port, err, sizeof err) < 0)
			return cli_usage_error("serve", "--listen %s", err);
		o->listen = a->listen;
	}
	o->socket_path = a->socket;
	if (a->poll && number(a->poll, "--poll", 3600000, poll_ms) != EXIT_OK)
		return EXIT_TROUBLE;
	if (a->max_body) {
		if (number(a->max_body, "--max-body", 1ul << 30, &v) != EXIT_OK)
			return EXIT_TROUBLE;
		o->max_body = v;
	}
	if (a->max_conn) {
		if (number(a->max_conn, "--max-connections", 65536, &v) != EXIT_OK)
			return EXIT_TROUBLE;
		o->max_connections = (unsigned)v;
	}
	if (a->timeout) {
		if (number(a->timeout, "--timeout", 86400, &v) != EXIT_OK)
			return EXIT_TROUBLE;
		o->timeout_s = (unsigned)v;
	}
	if (a->threads) {
		if (number(a->threads, "--threads", 256, &v) != EXIT_OK)
			return EXIT_TROUBLE;
		o->threads = (unsigned)v;
	}
	const char *now = a->now ? a->now : getenv("AUTHZC_NOW");
	if (now && *now) {
		if (authz_parse_time(now, strlen(now), &o->decide.now) < 0)
			return cli_usage_error("serve", "%s '%s' is not an RFC 3339 time",
					       a->now ? "--now" : "$AUTHZC_NOW", now);
		o->decide.has_now = true;
	}
	return EXIT_OK;
}

/* Wait for signals until SIGTERM or SIGINT, polling the bundle between. */
static void run(struct server *s, const sigset_t *set, unsigned long poll_ms)
{
	const struct timespec wait = { (time_t)(poll_ms / 1000), (long)(poll_ms % 1000) * 1000000 };
	for (;;) {
		int sig = sigtimedwait(set, NULL, &wait);
		if (sig == SIGTERM || sig == SIGINT) {
			note(NULL, sig == SIGTERM ? "SIGTERM: draining" : "SIGINT: draining");
			return;
		}
		if (sig == SIGHUP)
			server_check_bundle(s, true);
		else if (sig < 0 && errno == EAGAIN)
			server_check_bundle(s, false);
	}
}

int cmd_serve(int argc, char **argv)
{
	struct serve_args a = { 0 };
	const struct opt opts[] = {
		OPT_VALUE('b', "bundle", &a.bundle),
		OPT_VALUE(0, "listen", &a.listen),
		OPT_VALUE(0, "socket", &a.socket),
		OPT_VALUE(0, "poll", &a.poll),
		OPT_VALUE(0, "max-body", &a.max_body),
		OPT_VALUE(0, "max-connections", &a.max_conn),
		OPT_VALUE(0, "timeout", &a.timeout),
		OPT_VALUE(0, "threads", &a.threads),
		OPT_VALUE(0, "now", &a.now),
		OPT_END,
	};
	struct opt_result args;
	int code = cli_parse(&args, argc, argv, opts, 0, serve_usage, &a.dir);
	if (code != CLI_RUN)
		return code;
	struct serve_opts o;
	serve_opts_init(&o);
	o.note = note;
	unsigned long poll_ms = 1000;
	if ((code = read_options(&a, &o, &poll_ms)) != EXIT_OK)
		return code;

	/* authzc.json (for serve.gateway), when there is one. */
	struct compilation c;
	struct source_tree tree;
	if ((code = cli_open_project(&c, &tree, a.dir)) != EXIT_OK)
		return code;
	if (project_load_config(&c, &tree)) {
		code = check_report_text(&c, true);
		compilation_release(&c);
		return code == EXIT_OK ? EXIT_FAIL : code;
	}
	o.gateway = c.config.gateway;

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct server *s;
	char err[256];
	if (server_start(&s, &o, err, sizeof err) < 0) {
		compilation_release(&c);
		return cli_error("%s", err);
	}
	char msg[256];
	snprintf(msg, sizeof msg, "listening on %s%s", strncmp(server_address(s), "unix:", 5) ? "http://" : "",
		 server_address(s));
	note(NULL, msg);
	if (!o.bundle_path)
		note(NULL, "no --bundle: every decision is a deny");
	run(s, &set, poll_ms);
	server_stop(s, DRAIN_S);
	note(NULL, "stopped");
	compilation_release(&c);
	return EXIT_OK;
}
