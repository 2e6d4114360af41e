/*
 * declog.c: the decision log's queue and writer thread (declog.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "declog.h"
#include "fileio.h"

struct rec {
	char *p;
	size_t n;
	uint64_t drops;         /* records dropped before this one was queued */
};

/* What a line that could not be written must not have moved on. */
struct saved {
	uint64_t seq, uncovered;
	bool has_prev;
	char prev[LOGCHAIN_HASH_CHARS + 1];
};

struct declog {
	pthread_mutex_t mu;
	pthread_cond_t more, room;
	pthread_t thread;
	struct rec *q;          /* a ring of `cap` records */
	size_t cap, head, n;
	bool stop, block;
	int fd;
	bool is_stdout;
	char *path;
	uint64_t max_bytes, size;
	struct declog_counts counts;
	/* The writer thread's alone (and open's and close's): */
	struct logchain chain;
	struct buf line;        /* the lines of one write */
	uint64_t drops_logged;  /* drops a gap record has told of */
	uint64_t unwritten;     /* records whose write failed since */
};

static int64_t clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int open_file(struct declog *l)
{
	l->fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (l->fd < 0)
		return -1;
	if (flock(l->fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
		close(l->fd);
		l->fd = -1;
		errno = EWOULDBLOCK;
		return -1;
	}
	struct stat st;
	l->size = fstat(l->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

/* Rename the full file to the first free PATH.N and start a new one. */
static void rotate(struct declog *l, struct declog_counts *c)
{
	size_t len = strlen(l->path) + 24;
	char *to = malloc(len);
	if (!to)
		return;
	for (unsigned i = 1; i < 1000000; i++) {
		snprintf(to, len, "%s.%u", l->path, i);
		struct stat st;
		if (lstat(to, &st) < 0 && errno == ENOENT)
			break;
	}
	if (rename(l->path, to) == 0) {
		close(l->fd);
		if (open_file(l) < 0)
			l->fd = -1;
		c->rotations++;
	}
	free(to);
}

static void save(const struct declog *l, struct saved *s)
{
	s->seq = l->chain.seq;
	s->uncovered = l->chain.uncovered;
	s->has_prev = l->chain.has_prev;
	memcpy(s->prev, l->chain.prev, sizeof s->prev);
}

static void restore(struct declog *l, const struct saved *s)
{
	l->chain.seq = s->seq;
	l->chain.uncovered = s->uncovered;
	l->chain.has_prev = s->has_prev;
	memcpy(l->chain.prev, s->prev, sizeof s->prev);
}

/* Write l->line, whole lines, with one write(2).  0 or -1. */
static int put(struct declog *l)
{
	if (l->fd < 0 && open_file(l) < 0)
		return -1;
	if (fileio_write_all(l->fd, l->line.p, l->line.n) < 0)
		return -1;
	l->size += l->line.n;
	return 0;
}

/* A checkpoint (when one is due, or `final`), written now. */
static void checkpoint(struct declog *l, int64_t now, bool final)
{
	struct saved s;
	save(l, &s);
	buf_reset(&l->line);
	if (logchain_checkpoint(&l->chain, now, final, &l->line) < 0 || (l->line.n && put(l) < 0))
		restore(l, &s);
}

/* The records dropped or not written since the last gap record. */
static uint64_t missing(const struct declog *l, uint64_t drops)
{
	return drops - l->drops_logged + l->unwritten;
}

static void write_one(struct declog *l, const struct rec *r, struct declog_counts *c)
{
	int64_t now = clock_ms();
	/* Room for "seq", "prev" and a gap record besides the record. */
	if (!l->is_stdout && l->max_bytes && l->size && l->size + r->n + 256 > l->max_bytes) {
		if (l->fd >= 0)
			checkpoint(l, now, false);      /* the full file ends signed */
		rotate(l, c);
	}
	struct saved s;
	save(l, &s);
	buf_reset(&l->line);
	uint64_t gap = missing(l, r->drops);
	if ((gap && logchain_gap(&l->chain, gap, now, &l->line) < 0) ||
	    logchain_record(&l->chain, r->p, r->n, &l->line) < 0 || put(l) < 0) {
		restore(l, &s);
		l->unwritten++;
		c->failed++;
		return;
	}
	l->drops_logged = r->drops;
	l->unwritten = 0;
	c->written++;
	if (logchain_due(&l->chain, now))
		checkpoint(l, now, false);
}

/* When the next timed checkpoint is due, for pthread_cond_timedwait. */
static struct timespec checkpoint_deadline(const struct declog *l)
{
	int64_t at = l->chain.last_checkpoint_ms + l->chain.interval_ms;
	return (struct timespec){ .tv_sec = at / 1000, .tv_nsec = (long)(at % 1000) * 1000000 };
}

static void *writer(void *arg)
{
	struct declog *l = arg;
	pthread_mutex_lock(&l->mu);
	for (;;) {
		bool timed_out = false;
		while (!l->n && !l->stop && !timed_out) {
			if (l->chain.key && l->chain.uncovered) {
				struct timespec at = checkpoint_deadline(l);
				timed_out = pthread_cond_timedwait(&l->more, &l->mu, &at) == ETIMEDOUT;
			} else {
				pthread_cond_wait(&l->more, &l->mu);
			}
		}
		if (!l->n && l->stop)
			break;
		struct rec r = { 0 };
		bool have = l->n > 0;
		if (have) {
			r = l->q[l->head];
			l->head = (l->head + 1) % l->cap;
			l->n--;
			pthread_cond_signal(&l->room);
		}
		struct declog_counts c = { 0 };
		pthread_mutex_unlock(&l->mu);
		if (have)
			write_one(l, &r, &c);
		else if (logchain_due(&l->chain, clock_ms()))
			checkpoint(l, clock_ms(), false);
		free(r.p);
		pthread_mutex_lock(&l->mu);
		l->counts.written += c.written;
		l->counts.failed += c.failed;
		l->counts.rotations += c.rotations;
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

int declog_open(struct declog **out, const struct declog_opts *o, char *err, size_t size)
{
	struct declog *l = calloc(1, sizeof *l);
	if (!l || !(l->path = strdup(o->path)) ||
	    !(l->q = calloc(o->queue ? o->queue : DECLOG_QUEUE, sizeof *l->q))) {
		if (l)
			free(l->path);
		free(l);
		snprintf(err, size, "out of memory");
		return -1;
	}
	l->cap = o->queue ? o->queue : DECLOG_QUEUE;
	l->block = o->block;
	l->max_bytes = o->max_bytes;
	l->is_stdout = !strcmp(o->path, "-");
	int64_t now = clock_ms();
	logchain_init(&l->chain, &o->chain, now);
	if (l->is_stdout) {
		l->fd = STDOUT_FILENO;
	} else if (open_file(l) < 0) {
		if (errno == EWOULDBLOCK)
			snprintf(err, size, "'%s' is being written by another process (a chained log has one "
				 "writer)", o->path);
		else
			snprintf(err, size, "cannot open '%s': %s", o->path, strerror(errno));
		goto fail;
	}
	/* The chain's first lines: a start record, or nothing when it goes on
	 * from the file's tail. */
	if ((l->is_stdout ? logchain_start(&l->chain, now, &l->line)
			  : logchain_resume(&l->chain, l->path, now, &l->line, err, size)) < 0) {
		if (l->is_stdout)
			snprintf(err, size, "out of memory");
		goto fail_fd;
	}
	if (l->line.n && put(l) < 0) {
		snprintf(err, size, "cannot write to '%s': %s", o->path, strerror(errno));
		goto fail_fd;
	}
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->more, NULL);
	pthread_cond_init(&l->room, NULL);
	if (pthread_create(&l->thread, NULL, writer, l)) {
		snprintf(err, size, "cannot start the decision log's thread");
		pthread_mutex_destroy(&l->mu);
		pthread_cond_destroy(&l->more);
		pthread_cond_destroy(&l->room);
		goto fail_fd;
	}
	*out = l;
	return 0;
fail_fd:
	if (!l->is_stdout && l->fd >= 0)
		close(l->fd);
fail:
	logchain_release(&l->chain);
	buf_release(&l->line);
	free(l->q);
	free(l->path);
	free(l);
	return -1;
}

int declog_push(struct declog *l, const char *rec, size_t len)
{
	char *copy = malloc(len);
	pthread_mutex_lock(&l->mu);
	while (copy && l->block && l->n == l->cap && !l->stop)
		pthread_cond_wait(&l->room, &l->mu);
	if (!copy || l->n == l->cap || l->stop) {
		l->counts.dropped++;
		pthread_mutex_unlock(&l->mu);
		free(copy);
		return 1;
	}
	memcpy(copy, rec, len);
	l->q[(l->head + l->n) % l->cap] = (struct rec){ copy, len, l->counts.dropped };
	l->n++;
	pthread_cond_signal(&l->more);
	pthread_mutex_unlock(&l->mu);
	return 0;
}

void declog_drop(struct declog *l)
{
	pthread_mutex_lock(&l->mu);
	l->counts.dropped++;
	pthread_mutex_unlock(&l->mu);
}

void declog_get_counts(struct declog *l, struct declog_counts *out)
{
	pthread_mutex_lock(&l->mu);
	*out = l->counts;
	pthread_mutex_unlock(&l->mu);
}

void declog_close(struct declog *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	l->stop = true;
	pthread_cond_broadcast(&l->more);
	pthread_cond_broadcast(&l->room);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->thread, NULL);
	/* What was dropped after the last record, then the final checkpoint. */
	int64_t now = clock_ms();
	uint64_t gap = missing(l, l->counts.dropped);
	buf_reset(&l->line);
	if (gap && logchain_gap(&l->chain, gap, now, &l->line) == 0)
		put(l);
	checkpoint(l, now, true);
	if (!l->is_stdout && l->fd >= 0)
		close(l->fd);
	logchain_release(&l->chain);
	buf_release(&l->line);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->more);
	pthread_cond_destroy(&l->room);
	free(l->q);
	free(l->path);
	free(l);
}
