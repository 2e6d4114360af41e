/*
 * shadow.c: the shadow thread of `authzc serve --shadow` (shadow.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "eval_json.h"
#include "json.h"
#include "shadow.h"

/* One answered request waiting to be shadowed. */
struct job {
	struct serve_bundle *sb;        /* the bundle that answered (a reference) */
	char *json, *dec;               /* the request and the answer, one allocation */
	size_t len, dlen;
	bool allowed;
	int64_t now_ms;
};

/* A request object and a decision made for one bundle. */
struct slot {
	struct serve_bundle *sb;        /* a reference */
	authz_request *req;
	authz_decision *d;
};

struct shadow {
	pthread_mutex_t mu;
	pthread_cond_t more;
	pthread_t thread;
	struct job *q;                  /* a ring of `cap` jobs */
	size_t cap, head, n;
	bool stop;
	struct holder *candidate;
	struct declog *log;
	struct shadow_counts counts;
	/* The thread's own. */
	struct slot active, cand;
	struct buf rec, ann;
};

static void slot_free(struct slot *t)
{
	authz_request_free(t->req);
	authz_decision_free(t->d);
	serve_bundle_release(t->sb);
	memset(t, 0, sizeof *t);
}

/* Make slot `t` ready for bundle `sb`: 0, or -1 out of memory. */
static int slot_for(struct slot *t, struct serve_bundle *sb)
{
	if (!t->d && authz_decision_new(&t->d) < 0)
		return -1;
	if (t->sb == sb)
		return 0;
	authz_request_free(t->req);
	t->req = NULL;
	serve_bundle_release(t->sb);
	atomic_fetch_add(&sb->refs, 1);
	t->sb = sb;
	return authz_request_new(&t->req, sb->b) < 0 ? -1 : 0;
}

/* Decide job `j` at its instant with slot `t`: 0 with the JSON in *out. */
static int decide(struct slot *t, const struct job *j, const char **out, size_t *outlen)
{
	struct eval_decide_opts o = { .flags = 0, .has_now = true, .now = j->now_ms };
	return eval_decide_json(t->d, t->sb->b, t->req, &o, j->json, j->len, out, outlen);
}

/* The record of a disagreement of job `j` with the candidate's decision
 * sdec[0..sdlen) in sh->cand.d, into sh->rec: 0, or -1. */
static int make_record(struct shadow *sh, const struct job *j, const char *sdec, size_t sdlen)
{
	const authz_bundle *b = j->sb->b, *cb = sh->cand.sb->b;
	const char *ad;
	size_t adlen;
	buf_reset(&sh->rec);
	buf_reset(&sh->ann);
	/* The answering bundle's deciding rules, for their annotations: the
	 * same request at the same instant decides the same. */
	if (eval_annotations_json(&sh->ann, cb, sh->cand.d) < 0 || slot_for(&sh->active, j->sb) < 0 ||
	    decide(&sh->active, j, &ad, &adlen) < 0)
		return -1;
	size_t cut = sh->ann.n;
	if (eval_annotations_json(&sh->ann, b, sh->active.d) < 0 ||
	    eval_log_record(&sh->rec, j->json, j->len, j->dec, j->dlen, authz_bundle_digest(b),
			    authz_bundle_source_revision(b), buf_cstr(&sh->ann) + cut) < 0)
		return -1;
	sh->rec.n -= 2; /* its "}\n" */
	const char *cd = authz_bundle_digest(cb), *cr = authz_bundle_source_revision(cb);
	buf_puts(&sh->rec, ",\"shadow\":{\"decision\":");
	buf_put(&sh->rec, sdec, sdlen);
	buf_puts(&sh->rec, ",\"bundle\":");
	json_put_str(&sh->rec, cd, strlen(cd));
	buf_puts(&sh->rec, ",\"revision\":");
	json_put_str(&sh->rec, cr, strlen(cr));
	buf_puts(&sh->rec, ",\"annotations\":");
	buf_put(&sh->rec, sh->ann.p, cut);
	buf_puts(&sh->rec, j->allowed ? "},\"disagreement\":\"tightened\"}\n" : "},\"disagreement\":\"loosened\"}\n");
	return sh->rec.oom ? -1 : 0;
}

/* Shadow job `j`: decide it against the candidate, count, log a
 * disagreement.  Without a candidate it is not shadowed (skipped). */
static void run_job(struct shadow *sh, const struct job *j, struct shadow_counts *c)
{
	struct serve_bundle *cand = holder_acquire(sh->candidate);
	const char *sdec;
	size_t sdlen;
	if (!cand || slot_for(&sh->cand, cand) < 0 || decide(&sh->cand, j, &sdec, &sdlen) < 0) {
		c->skipped++;
		serve_bundle_release(cand);
		return;
	}
	serve_bundle_release(cand);     /* the slot keeps its own reference */
	c->decided++;
	bool allowed = authz_decision_allowed(sh->cand.d) == 1;
	if (allowed == j->allowed)
		return;
	(*(allowed ? &c->loosened : &c->tightened))++;
	if (make_record(sh, j, sdec, sdlen) < 0)
		declog_drop(sh->log);
	else
		declog_push(sh->log, sh->rec.p, sh->rec.n);
	buf_reset(&sh->rec);
	buf_reset(&sh->ann);
}

static void *worker(void *arg)
{
	struct shadow *sh = arg;
#ifdef SYS_gettid
	/* Linux schedules threads alone: this one yields to the answering
	 * ones (a failure leaves it at the process's priority). */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
#endif
	pthread_mutex_lock(&sh->mu);
	for (;;) {
		while (!sh->n && !sh->stop)
			pthread_cond_wait(&sh->more, &sh->mu);
		if (!sh->n && sh->stop)
			break;
		struct job j = sh->q[sh->head];
		sh->head = (sh->head + 1) % sh->cap;
		sh->n--;
		pthread_mutex_unlock(&sh->mu);
		struct shadow_counts c = { 0 };
		run_job(sh, &j, &c);
		serve_bundle_release(j.sb);
		free(j.json);
		pthread_mutex_lock(&sh->mu);
		sh->counts.decided += c.decided;
		sh->counts.loosened += c.loosened;
		sh->counts.tightened += c.tightened;
		sh->counts.skipped += c.skipped;
	}
	pthread_mutex_unlock(&sh->mu);
	slot_free(&sh->active);
	slot_free(&sh->cand);
	buf_release(&sh->rec);
	buf_release(&sh->ann);
	return NULL;
}

int shadow_open(struct shadow **out, struct holder *candidate, struct declog *log, size_t queue, char *err,
		size_t size)
{
	struct shadow *sh = calloc(1, sizeof *sh);
	if (!sh || !(sh->q = calloc(queue ? queue : 1, sizeof *sh->q))) {
		free(sh);
		snprintf(err, size, "out of memory");
		return -1;
	}
	sh->cap = queue ? queue : 1;
	sh->candidate = candidate;
	sh->log = log;
	pthread_mutex_init(&sh->mu, NULL);
	pthread_cond_init(&sh->more, NULL);
	if (pthread_create(&sh->thread, NULL, worker, sh)) {
		pthread_mutex_destroy(&sh->mu);
		pthread_cond_destroy(&sh->more);
		free(sh->q);
		free(sh);
		snprintf(err, size, "cannot start the shadow thread");
		return -1;
	}
	*out = sh;
	return 0;
}

int shadow_push(struct shadow *sh, struct serve_bundle *sb, const char *json, size_t len, const char *dec,
		size_t dlen, bool allowed, int64_t now_ms)
{
	pthread_mutex_lock(&sh->mu);
	bool full = sh->n == sh->cap;
	pthread_mutex_unlock(&sh->mu);
	char *p = full ? NULL : malloc(len + dlen + 2);
	if (!p) {
		pthread_mutex_lock(&sh->mu);
		sh->counts.skipped++;
		pthread_mutex_unlock(&sh->mu);
		return 1;
	}
	memcpy(p, json, len);
	p[len] = '\0';
	memcpy(p + len + 1, dec, dlen);
	p[len + 1 + dlen] = '\0';
	struct job j = { sb, p, p + len + 1, len, dlen, allowed, now_ms };
	pthread_mutex_lock(&sh->mu);
	if (sh->n == sh->cap) {
		sh->counts.skipped++;
		pthread_mutex_unlock(&sh->mu);
		free(p);
		return 1;
	}
	atomic_fetch_add(&sb->refs, 1);
	sh->q[(sh->head + sh->n) % sh->cap] = j;
	sh->n++;
	pthread_cond_signal(&sh->more);
	pthread_mutex_unlock(&sh->mu);
	return 0;
}

void shadow_get_counts(struct shadow *sh, struct shadow_counts *out)
{
	pthread_mutex_lock(&sh->mu);
	*out = sh->counts;
	pthread_mutex_unlock(&sh->mu);
}

void shadow_close(struct shadow *sh)
{
	if (!sh)
		return;
	pthread_mutex_lock(&sh->mu);
	sh->stop = true;
	pthread_cond_signal(&sh->more);
	pthread_mutex_unlock(&sh->mu);
	pthread_join(sh->thread, NULL);
	pthread_mutex_destroy(&sh->mu);
	pthread_cond_destroy(&sh->more);
	free(sh->q);
	free(sh);
}
