/*
 * fetch.c: polling a URL with libcurl (fetch.h).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fetch.h"

int fetch_init(struct fetch *f, const char *url, char *err, size_t size)
{
	static int started;
	memset(f, 0, sizeof *f);
	if (strncasecmp(url, "http://", 7) && strncasecmp(url, "https://", 8)) {
		snprintf(err, size, "--bundle-url '%s' is not an http:// or https:// URL", url);
		return -1;
	}
	if (!started && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, size, "cannot start libcurl");
		return -1;
	}
	started = 1;
	if (!(f->curl = curl_easy_init()) || !(f->url = strdup(url))) {
		fetch_release(f);
		snprintf(err, size, "out of memory");
		return -1;
	}
	return 0;
}

void fetch_release(struct fetch *f)
{
	if (f->curl)
		curl_easy_cleanup(f->curl);
	free(f->url);
	memset(f, 0, sizeof *f);
}

static size_t on_body(char *p, size_t one, size_t n, void *arg)
{
	struct buf *b = arg;
	(void)one;
	if (b->n + n > FETCH_MAX_BYTES)
		return 0;       /* stops the transfer */
	buf_put(b, p, n);
	return b->oom ? 0 : n;
}

/* ETag: "..." into f->pending. */
static size_t on_header(char *p, size_t one, size_t n, void *arg)
{
	struct fetch *f = arg;
	(void)one;
	if (n > 5 && !strncasecmp(p, "etag:", 5)) {
		size_t i = 5, end = n;
		while (i < end && (p[i] == ' ' || p[i] == '\t'))
			i++;
		while (end > i && (p[end - 1] == '\r' || p[end - 1] == '\n' || p[end - 1] == ' '))
			end--;
		if (end - i < sizeof f->pending) {
			memcpy(f->pending, p + i, end - i);
			f->pending[end - i] = '\0';
		}
	}
	return n;
}

int fetch_poll(struct fetch *f, struct buf *out, char *err, size_t size)
{
	CURL *c = f->curl;
	struct curl_slist *h = NULL;
	char inm[300];
	buf_reset(out);
	f->pending[0] = '\0';
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, f->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)FETCH_MAX_BYTES);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, f);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "authzc-serve");
	if (f->etag[0]) {
		snprintf(inm, sizeof inm, "If-None-Match: %s", f->etag);
		if (!(h = curl_slist_append(NULL, inm))) {
			snprintf(err, size, "out of memory");
			return FETCH_ERROR;
		}
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	}
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	if (rc != CURLE_OK) {
		snprintf(err, size, "cannot fetch '%s': %s", f->url,
			 out->oom ? "out of memory" : curl_easy_strerror(rc));
		buf_reset(out);
		return FETCH_ERROR;
	}
	if (status == 304)
		return FETCH_SAME;
	if (status != 200) {
		snprintf(err, size, "cannot fetch '%s': HTTP status %ld", f->url, status);
		buf_reset(out);
		return FETCH_ERROR;
	}
	return FETCH_NEW;
}

void fetch_keep_etag(struct fetch *f)
{
	memcpy(f->etag, f->pending, sizeof f->etag);
}
