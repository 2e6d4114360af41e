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
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "authz.h"
#include "cli.h"
#include "cli_trust.h"
#include "listen.h"
#include "project.h"
#include "server.h"

/* Longest wait for requests in flight at SIGTERM. */
#define DRAIN_S 10

static void serve_usage(FILE *out)
{
	fputs("usage: authzc serve [-b BUNDLE | --bundle-url URL [--bundle-cache FILE]\n"
	      "                    [--url-poll MS] [--url-jitter PERCENT]] [--trust PUBFILE]...\n"
	      "                    [--listen ADDR:PORT | --socket PATH] [-C DIR]\n"
	      "                    [--poll MS] [--max-body BYTES] [--max-connections N]\n"
	      "                    [--timeout SECONDS] [--threads N] [--now TIME]\n"
	      "                    [--log FILE [--log-max-bytes N] [--log-queue N] [--log-block]\n"
	      "                     [--log-key KEYFILE] [--log-checkpoint-every N]\n"
	      "                     [--log-checkpoint-interval SECONDS]]\n"
	      "                    [--shadow FILE|URL --shadow-log FILE]\n"
	      "\n"
	      "Answer decision requests over HTTP: POST /v1/decide, POST /v1/decide/batch,\n"
	      "/v1/gateway (serve.gateway in authzc.json), GET /health, GET /metrics.  The\n"
	      "bundle file is watched and reloaded when it changes, and on SIGHUP; SIGTERM\n"
	      "and SIGINT finish the requests in flight and exit.\n"
	      "\n"
	      "options:\n"
	      "  -b, --bundle FILE      decide against this bundle (without one, or while it\n"
	      "                         cannot be loaded, every decision is a deny)\n"
	      "  --trust PUBFILE        load only bundles signed by this key (NAME.pub of\n"
	      "                         authzc keygen; repeatable: any of them), at start\n"
	      "                         and on every reload\n"
	      "  --bundle-url URL       poll this http(s) URL for the bundle instead, with\n"
	      "                         If-None-Match and the last ETag\n"
	      "  --bundle-cache FILE    keep the last good bundle of the URL here, and serve\n"
	      "                         it at start while the URL cannot be reached\n"
	      "  --url-poll MS          how often to poll the URL (default 30000)\n"
	      "  --url-jitter PERCENT   vary each wait by up to this much (default 10)\n"
	      "  --listen ADDR:PORT     where to listen (default 127.0.0.1:8181; port 0: any)\n"
	      "  --socket PATH          listen on a Unix socket instead\n"
	      "  --poll MS              how often to look at the bundle file (default 1000)\n"
	      "  --max-body BYTES       largest request body (default 1048576)\n"
	      "  --max-connections N    connections at once (default 1024)\n"
	      "  --timeout SECONDS      close a connection idle this long (default 30)\n"
	      "  --threads N            threads answering requests (default 2)\n"
	      "  --log FILE             append a decision record per decision to FILE ('-':\n"
	      "                         standard output), as eval --log writes them\n"
	      "  --log-max-bytes N      start a new log file past N bytes (the full one is\n"
	      "                         renamed FILE.1, FILE.2, ...)\n"
	      "  --log-queue N          records waiting to be written at most (default 8192);\n"
	      "                         more are dropped and counted in /metrics\n"
	      "  --log-block            wait for room in the queue instead of dropping\n"
	      "  --log-key KEYFILE      sign checkpoints of the log's hash chain with this\n"
	      "                         `log` key (authzc-audit(1))\n"
	      "  --log-checkpoint-every N  a checkpoint after N records (default 1000)\n"
	      "  --log-checkpoint-interval SECONDS\n"
	      "                         ... or SECONDS after the last one (default 60)\n"
	      "  --shadow FILE|URL      also decide every request against this candidate\n"
	      "                         bundle (a file watched as -b is, or an http(s) URL\n"
	      "                         polled as --bundle-url is); the answer stays the\n"
	      "                         active bundle's\n"
	      "  --shadow-log FILE      write each request the two bundles decide differently\n"
	      "                         here ('-': standard output), as records\n"
	      "                         `authzc diff --replay` reads\n"
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
	const char *log, *log_max, *log_queue;
	const char *log_key, *log_every, *log_interval;
	bool log_block;
	const char *url, *cache, *url_poll, *url_jitter;
	const char *shadow, *shadow_log;
};

/* When and how to poll --bundle-url. */
struct url_poll {
	bool on;
	unsigned long every_ms, jitter_pct;
	struct timespec next;
};

/* The decision log's options into *l (and o->log): EXIT_OK or the exit code. */
static int read_log_options(const struct serve_args *a, struct serve_opts *o, struct declog_opts *l)
{
	unsigned long v;
	if (cli_log_chain_options("serve", a->log, a->log_key, a->log_every, a->log_interval, &l->chain) !=
	    EXIT_OK)
		return EXIT_TROUBLE;
	if (!a->log) {
		if (a->log_block)
			return cli_usage_error("serve", "--log-block needs --log");
		if ((a->log_max || a->log_queue) && !a->shadow_log)
			return cli_usage_error("serve", "--log-max-bytes and --log-queue need --log or --shadow-log");
	}
	l->path = a->log;
	if (a->log_max) {
		if (number(a->log_max, "--log-max-bytes", 1ul << 40, &v) != EXIT_OK)
			return EXIT_TROUBLE;
		l->max_bytes = v;
	}
	if (a->log_queue) {
		if (number(a->log_queue, "--log-queue", 1ul << 24, &v) != EXIT_OK)
			return EXIT_TROUBLE;
		l->queue = v;
	}
	l->block = a->log_block;
	if (a->log)
		o->log = l;
	return EXIT_OK;
}

/* --shadow and --shadow-log into o (with the rotation and queue of the
 * decision log, never blocking): EXIT_OK or the exit code. */
static int read_shadow_options(const struct serve_args *a, struct serve_opts *o, const struct declog_opts *l,
			       struct declog_opts *sl, struct url_poll *u)
{
	if (!a->shadow && !a->shadow_log)
		return EXIT_OK;
	if (!a->shadow || !a->shadow_log)
		return cli_usage_error("serve", "--shadow and --shadow-log go together");
	if (a->log && !strcmp(a->log, a->shadow_log) && strcmp(a->log, "-"))
		return cli_usage_error("serve", "--shadow-log and --log must be different files");
	*sl = *l;
	sl->path = a->shadow_log;
	sl->block = false;
	o->shadow = a->shadow;
	o->shadow_log = sl;
	if (serve_is_url(a->shadow) && !u->on) {
		u->on = true;
		u->every_ms = 30000;
		u->jitter_pct = 10;
	}
	return EXIT_OK;
}

/* --bundle-url's options into o and *u: EXIT_OK or the exit code. */
static int read_url_options(const struct serve_args *a, struct serve_opts *o, struct url_poll *u)
{
	if (!a->url) {
		if (a->cache)
			return cli_usage_error("serve", "--bundle-cache needs --bundle-url");
		if ((a->url_poll || a->url_jitter) && !serve_is_url(a->shadow))
			return cli_usage_error("serve", "--url-poll and --url-jitter need --bundle-url or a --shadow URL");
		if (!serve_is_url(a->shadow))
			return EXIT_OK;
	}
	if (a->url && a->bundle)
		return cli_usage_error("serve", "-b and --bundle-url cannot be given together");
	o->bundle_url = a->url;
	o->bundle_cache = a->cache;
	u->on = true;
	u->every_ms = 30000;
	u->jitter_pct = 10;
	if (a->url_poll && number(a->url_poll, "--url-poll", 86400000, &u->every_ms) != EXIT_OK)
		return EXIT_TROUBLE;
	if (a->url_jitter) {
		if (!strcmp(a->url_jitter, "0"))
			u->jitter_pct = 0;
		else if (number(a->url_jitter, "--url-jitter", 100, &u->jitter_pct) != EXIT_OK)
			return EXIT_TROUBLE;
	}
	return EXIT_OK;
}

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

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The next poll of the URL: every_ms, give or take jitter_pct percent. */
static int64_t next_url_poll(const struct url_poll *u, unsigned *seed)
{
	int64_t wait = (int64_t)u->every_ms;
	if (u->jitter_pct) {
		int64_t span = wait * (int64_t)u->jitter_pct / 100;
		wait += span ? (int64_t)(rand_r(seed) % (2 * span + 1)) - span : 0;
	}
	return mono_ms() + (wait > 0 ? wait : 1);
}

/* Wait for signals until SIGTERM or SIGINT, polling the bundle file (or
 * URL) between. */
static void run(struct server *s, const sigset_t *set, unsigned long poll_ms, const struct url_poll *u)
{
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	int64_t url_at = u->on ? next_url_poll(u, &seed) : 0;
	for (;;) {
		int64_t wait = (int64_t)poll_ms;
		if (u->on && url_at - mono_ms() < wait)
			wait = url_at - mono_ms();
		if (wait < 0)
			wait = 0;
		const struct timespec ts = { (time_t)(wait / 1000), (long)(wait % 1000) * 1000000 };
		int sig = sigtimedwait(set, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT) {
			note(NULL, sig == SIGTERM ? "SIGTERM: draining" : "SIGINT: draining");
			return;
		}
		if (sig == SIGHUP) {
			server_check_bundle(s, true);
			if (u->on) {
				server_check_url(s);
				url_at = next_url_poll(u, &seed);
			}
		} else if (sig < 0 && errno == EAGAIN) {
			server_check_bundle(s, false);
		}
		if (u->on && mono_ms() >= url_at) {
			server_check_url(s);
			url_at = next_url_poll(u, &seed);
		}
	}
}

/*
 * Keep the memory a bundle frees for the next one: with glibc's defaults a
 * large bundle's arrays come from mmap(2) and go back to the kernel when
 * the old bundle is freed, so every reload touches megabytes of fresh
 * pages (about 1,000 page faults, 1.8 ms of a 6.2 ms load at 10,000 rules
 * on the README's machine).  Served from the heap and never trimmed, a
 * reload reuses what the bundle before last held: the process keeps at
 * most the two bundles a reload needs anyway.
 */
static void keep_bundle_memory(void)
{
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 32 << 20);    /* glibc's largest */
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

int cmd_serve(int argc, char **argv)
{
	struct serve_args a = { 0 };
	const char *trust_v[CLI_MAX_TRUST];
	struct opt_list trust_files = { trust_v, 0, CLI_MAX_TRUST };
	const struct opt opts[] = {
		OPT_VALUE('b', "bundle", &a.bundle),
		OPT_LIST(0, "trust", &trust_files),
		OPT_VALUE(0, "listen", &a.listen),
		OPT_VALUE(0, "socket", &a.socket),
		OPT_VALUE(0, "poll", &a.poll),
		OPT_VALUE(0, "max-body", &a.max_body),
		OPT_VALUE(0, "max-connections", &a.max_conn),
		OPT_VALUE(0, "timeout", &a.timeout),
		OPT_VALUE(0, "threads", &a.threads),
		OPT_VALUE(0, "now", &a.now),
		OPT_VALUE(0, "log", &a.log),
		OPT_VALUE(0, "log-max-bytes", &a.log_max),
		OPT_VALUE(0, "log-queue", &a.log_queue),
		OPT_FLAG(0, "log-block", &a.log_block),
		OPT_VALUE(0, "log-key", &a.log_key),
		OPT_VALUE(0, "log-checkpoint-every", &a.log_every),
		OPT_VALUE(0, "log-checkpoint-interval", &a.log_interval),
		OPT_VALUE(0, "bundle-url", &a.url),
		OPT_VALUE(0, "bundle-cache", &a.cache),
		OPT_VALUE(0, "url-poll", &a.url_poll),
		OPT_VALUE(0, "url-jitter", &a.url_jitter),
		OPT_VALUE(0, "shadow", &a.shadow),
		OPT_VALUE(0, "shadow-log", &a.shadow_log),
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
	struct declog_opts log = { 0 }, shadow_log = { 0 };
	struct url_poll u = { 0 };
	if ((code = read_options(&a, &o, &poll_ms)) != EXIT_OK ||
	    (code = read_log_options(&a, &o, &log)) != EXIT_OK ||
	    (code = read_url_options(&a, &o, &u)) != EXIT_OK ||
	    (code = read_shadow_options(&a, &o, &log, &shadow_log, &u)) != EXIT_OK)
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
	struct cli_trust trust;
	if (trust_files.n && !a.bundle && !a.url) {
		compilation_release(&c);
		return cli_usage_error("serve", "--trust checks the bundle of -b or --bundle-url; neither was given");
	}
	if ((code = cli_trust_load(&trust, "serve", &trust_files)) != EXIT_OK) {
		cli_trust_release(&trust);
		compilation_release(&c);
		return code;
	}
	o.load = cli_trust_opts(&trust);
	/* The checkpoint key, read where the log is opened (after -C). */
	static struct ev_sec log_key;
	if (a.log_key) {
		char err[512];
		if (ev_init(err, sizeof err) < 0 || ev_sec_load(a.log_key, &log_key, err, sizeof err) < 0) {
			cli_trust_release(&trust);
			compilation_release(&c);
			return cli_error("--log-key: %s", err);
		}
		log.chain.key = &log_key;
	}

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	keep_bundle_memory();

	struct server *s;
	char err[256];
	if (server_start(&s, &o, err, sizeof err) < 0) {
		cli_trust_release(&trust);
		compilation_release(&c);
		ev_sec_wipe(&log_key);
		return cli_error("%s", err);
	}
	char msg[256];
	snprintf(msg, sizeof msg, "listening on %s%s", strncmp(server_address(s), "unix:", 5) ? "http://" : "",
		 server_address(s));
	note(NULL, msg);
	if (!o.bundle_path && !o.bundle_url)
		note(NULL, "no --bundle: every decision is a deny");
	run(s, &set, poll_ms, &u);
	server_stop(s, DRAIN_S);
	note(NULL, "stopped");
	cli_trust_release(&trust);
	compilation_release(&c);
	ev_sec_wipe(&log_key);
	return EXIT_OK;
}
