/*
 * declog.c: the decision log's queue and writer thread (declog.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "declog.h"
#include "fileio.h"

struct rec {
	char *p;
	size_t n;
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
};

static int open_file(struct declog *l)
{
	l->fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (l->fd < 0)
		return -1;
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

static void write_one(struct declog *l, const struct rec *r, struct declog_counts *c)
{
	if (!l->is_stdout && l->max_bytes && l->size && l->size + r->n > l->max_bytes)
		rotate(l, c);
	if (l->fd < 0 && open_file(l) < 0) {
		c->failed++;
		return;
	}
	if (fileio_write_all(l->fd, r->p, r->n) < 0) {
		c->failed++;
		return;
	}
	l->size += r->n;
	c->written++;
}

static void *writer(void *arg)
{
	struct declog *l = arg;
	pthread_mutex_lock(&l->mu);
	for (;;) {
		while (!l->n && !l->stop)
			pthread_cond_wait(&l->more, &l->mu);
		if (!l->n && l->stop)
			break;
		struct rec r = l->q[l->head];
		l->head = (l->head + 1) % l->cap;
		l->n--;
		pthread_cond_signal(&l->room);
		struct declog_counts c = { 0 };
		pthread_mutex_unlock(&l->mu);
		write_one(l, &r, &c);
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
	if (l->is_stdout) {
		l->fd = STDOUT_FILENO;
	} else if (open_file(l) < 0) {
		snprintf(err, size, "cannot open '%s': %s", o->path, strerror(errno));
		goto fail;
	}
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->more, NULL);
	pthread_cond_init(&l->room, NULL);
	if (pthread_create(&l->thread, NULL, writer, l)) {
		snprintf(err, size, "cannot start the decision log's thread");
		if (!l->is_stdout)
			close(l->fd);
		goto fail;
	}
	*out = l;
	return 0;
fail:
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
	l->q[(l->head + l->n) % l->cap] = (struct rec){ copy, len };
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
	if (!l->is_stdout && l->fd >= 0)
		close(l->fd);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->more);
	pthread_cond_destroy(&l->room);
	free(l->q);
	free(l->path);
	free(l);
}
