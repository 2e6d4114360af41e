/*
 * holder.c: the active bundle, reference-counted and swapped under a mutex
 * (holder.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "holder.h"

int64_t holder_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A monotonic clock in ns, for the durations of loads. */
static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void serve_bundle_release(struct serve_bundle *sb)
{
	if (!sb || atomic_fetch_sub(&sb->refs, 1) != 1)
		return;
	authz_bundle_free(sb->b);
	free(sb);
}

int holder_init(struct holder *h)
{
	memset(h, 0, sizeof *h);
	return pthread_mutex_init(&h->mu, NULL) ? -1 : 0;
}

void holder_release(struct holder *h)
{
	serve_bundle_release(h->cur);
	h->cur = NULL;
	pthread_mutex_destroy(&h->mu);
}

struct serve_bundle *holder_acquire(struct holder *h)
{
	pthread_mutex_lock(&h->mu);
	struct serve_bundle *sb = h->cur;
	if (sb)
		atomic_fetch_add(&sb->refs, 1);
	pthread_mutex_unlock(&h->mu);
	return sb;
}

void holder_refuse(struct holder *h, const authz_error *err)
{
	pthread_mutex_lock(&h->mu);
	h->failures++;
	h->has_error = true;
	snprintf(h->error, sizeof h->error, "%s", err->message);
	h->error_ms = holder_now_ms();
	pthread_mutex_unlock(&h->mu);
}

/* Make the loaded bundle `b` (consumed; its load took load_ns) the active
 * one, its rule images and index built first (authz_bundle_prepare), here
 * on the loading thread, so that no request pays for them. */
static int install(struct holder *h, authz_bundle *b, uint64_t load_ns, authz_error *err)
{
	uint64_t t0 = mono_ns();
	struct serve_bundle *sb = authz_bundle_prepare(b) < 0 ? NULL : calloc(1, sizeof *sb);
	if (!sb) {
		authz_bundle_free(b);
		err->code = AUTHZ_ENOMEM;
		snprintf(err->message, sizeof err->message, "out of memory");
		holder_refuse(h, err);
		return -1;
	}
	sb->b = b;
	sb->loaded_ms = holder_now_ms();
	sb->load_ns = load_ns;
	sb->prepare_ns = mono_ns() - t0;
	atomic_init(&sb->refs, 1);
	pthread_mutex_lock(&h->mu);
	struct serve_bundle *old = h->cur;
	h->cur = sb;
	if (old)
		h->reloads++;
	h->has_error = false;
	pthread_mutex_unlock(&h->mu);
	serve_bundle_release(old);
	return 0;
}

int holder_load_file(struct holder *h, const char *path, authz_error *err)
{
	authz_bundle *b = NULL;
	uint64_t t0 = mono_ns();
	if (authz_bundle_load_file_ex(&b, path, h->load, err) < 0) {
		holder_refuse(h, err);
		return -1;
	}
	return install(h, b, mono_ns() - t0, err);
}

int holder_load_buffer(struct holder *h, const void *buf, size_t len, authz_error *err)
{
	authz_bundle *b = NULL;
	uint64_t t0 = mono_ns();
	if (authz_bundle_load_ex(&b, buf, len, h->load, err) < 0) {
		holder_refuse(h, err);
		return -1;
	}
	return install(h, b, mono_ns() - t0, err);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

int holder_poll_file(struct holder *h, const char *path, authz_error *err)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		int e = errno;
		if (h->seen && h->st.st_ino == 0)
			return 0;       /* still missing: reported once */
		memset(&h->st, 0, sizeof h->st);
		h->seen = true;
		err->code = AUTHZ_EIO;
		snprintf(err->message, sizeof err->message, "cannot read '%s': %s", path,
			 e == ENOENT ? "no such file" : strerror(e));
		holder_refuse(h, err);
		return -1;
	}
	if (h->seen && same_file(&st, &h->st))
		return 0;
	h->st = st;
	h->seen = true;
	return holder_load_file(h, path, err) < 0 ? -1 : 1;
}

void holder_status(struct holder *h, struct holder_status *out)
{
	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&h->mu);
	if (h->cur) {
		out->active = true;
		snprintf(out->digest, sizeof out->digest, "%s", authz_bundle_digest(h->cur->b));
		snprintf(out->revision, sizeof out->revision, "%s",
			 authz_bundle_source_revision(h->cur->b));
		const char *signer = authz_bundle_signer(h->cur->b);
		snprintf(out->signer, sizeof out->signer, "%s", signer ? signer : "");
		out->verified = authz_bundle_signature_verified(h->cur->b);
		out->loaded_ms = h->cur->loaded_ms;
		out->load_ns = h->cur->load_ns;
		out->prepare_ns = h->cur->prepare_ns;
	}
	out->reloads = h->reloads;
	out->failures = h->failures;
	out->has_error = h->has_error;
	snprintf(out->error, sizeof out->error, "%s", h->error);
	out->error_ms = h->error_ms;
	pthread_mutex_unlock(&h->mu);
}
