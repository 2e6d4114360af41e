/*
 * gateway.h: a gateway's forwarded request turned into a decision request
 * (authzc-serve(1), GATEWAY), by the mapping serve.gateway of authzc.json
 * (struct gw_config, project.h).
 *
 * The forwarded method and path come from the headers the mapping names
 * (NGINX auth_request sets them with proxy_set_header), else from the
 * request itself (Envoy's ext_authz forwards the method and appends the
 * path).  The result is a request in eval's JSON form, decided like any
 * other, so a gateway decision is exactly what /v1/decide gives for it.
 */
#ifndef AUTHZC_GATEWAY_H
#define AUTHZC_GATEWAY_H

#include <stddef.h>

#include "buf.h"
#include "project.h"

/* The value of header `name` (case-insensitive), or NULL when absent. */
typedef const char *gw_header_fn(void *payload, const char *name);

/* The default headers naming the forwarded method and path. */
#define GW_METHOD_HEADER "X-Original-Method"
#define GW_PATH_HEADER "X-Original-URI"

/*
 * Append to `out` the JSON request that mapping `g` makes of a forwarded
 * request: `method` and `path` as received (the headers the mapping names
 * override them; a query string is ignored, segments are percent-decoded),
 * headers through `header`.  Returns 0; 1 when the request cannot be made
 * (a header the principal, action or resource needs is missing, a segment
 * is missing or badly encoded, a method has no action), with why in
 * msg[0..size) and `out` unchanged; -1 when out of memory.
 */
int gateway_request(struct buf *out, const struct gw_config *g, const char *method, const char *path,
		    gw_header_fn *header, void *payload, char *msg, size_t size);

/*
 * Path segment `n` (from 1) of `path` (up to '?' or '#'), percent-decoded
 * into dst[0..size) and NUL-terminated.  0, or -1 when there is no such
 * segment, it is empty, badly encoded, decodes to a NUL byte or is too
 * long.
 */
int gateway_segment(const char *path, unsigned n, char *dst, size_t size);

#endif
