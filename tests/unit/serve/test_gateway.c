/*
 * test_gateway.c: the gateway mapping (gateway.h): path segments, every
 * kind of source, the method map, the forwarded method and path headers,
 * and every way a request cannot be made.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <strings.h>

#include "gateway.h"

/* Headers as name, value pairs ending with NULL. */
static const char *header(void *payload, const char *name)
{
	const char *const *h = payload;
	for (size_t i = 0; h[i]; i += 2)
		if (!strcasecmp(h[i], name))
			return h[i + 1];
	return NULL;
}

static char seg[64];

Test(gateway, segments_are_counted_from_one_and_decoded)
{
	cr_assert_eq(gateway_segment("/acme/plan", 1, seg, sizeof seg), 0);
	cr_assert_str_eq(seg, "acme");
	cr_assert_eq(gateway_segment("/acme/plan", 2, seg, sizeof seg), 0);
	cr_assert_str_eq(seg, "plan");
	cr_assert_eq(gateway_segment("//acme//plan/", 2, seg, sizeof seg), 0);
	cr_assert_str_eq(seg, "plan");
	cr_assert_eq(gateway_segment("/a%2Fb/c%20d?x=/y/z", 1, seg, sizeof seg), 0);
	cr_assert_str_eq(seg, "a/b");
	cr_assert_eq(gateway_segment("/a%2Fb/c%20d?x=/y/z", 2, seg, sizeof seg), 0);
	cr_assert_str_eq(seg, "c d");
}

Test(gateway, bad_segments_are_refused)
{
	cr_assert_eq(gateway_segment("/acme/plan", 3, seg, sizeof seg), -1);
	cr_assert_eq(gateway_segment("/acme?/plan", 2, seg, sizeof seg), -1, "past the query");
	cr_assert_eq(gateway_segment("/acme#/plan", 2, seg, sizeof seg), -1, "past the fragment");
	cr_assert_eq(gateway_segment("/a%zz", 1, seg, sizeof seg), -1);
	cr_assert_eq(gateway_segment("/a%4", 1, seg, sizeof seg), -1);
	cr_assert_eq(gateway_segment("/a%", 1, seg, sizeof seg), -1);
	cr_assert_eq(gateway_segment("/a%00b", 1, seg, sizeof seg), -1, "a NUL byte");
	cr_assert_eq(gateway_segment("", 1, seg, sizeof seg), -1);
	char tiny[4];
	cr_assert_eq(gateway_segment("/abcd", 1, tiny, sizeof tiny), -1, "too long");
	cr_assert_eq(gateway_segment("/abc", 1, tiny, sizeof tiny), 0);
}

static struct gw_pair p_attrs[] = { { "tenant", { GW_HEADER, "X-Tenant", 0 } } };
static struct gw_pair r_attrs[] = { { "tenant", { GW_SEGMENT, NULL, 1 } } };
static struct gw_pair c_attrs[] = {
	{ "ticket", { GW_HEADER, "X-Ticket", 0 } },
	{ "verb", { GW_METHOD, NULL, 0 } },
};
static struct gw_pair methods[] = {
	{ "GET", { GW_LITERAL, "read", 0 } },
	{ "*", { GW_LITERAL, "write", 0 } },
};

static struct gw_config mapping(void)
{
	struct gw_config g = {
		.method_header = "X-Original-Method",
		.path_header = "X-Original-URI",
		.principal_type = { GW_LITERAL, "User", 0 },
		.principal_id = { GW_HEADER, "X-User", 0 },
		.methods = methods,
		.nmethods = 2,
		.resource_type = { GW_LITERAL, "Document", 0 },
		.resource_id = { GW_SEGMENT, NULL, 2 },
	};
	g.attrs[GW_PRINCIPAL] = p_attrs;
	g.nattrs[GW_PRINCIPAL] = 1;
	g.attrs[GW_RESOURCE] = r_attrs;
	g.nattrs[GW_RESOURCE] = 1;
	g.attrs[GW_CONTEXT] = c_attrs;
	g.nattrs[GW_CONTEXT] = 2;
	return g;
}

static struct buf out;
static char msg[256];

static int map(const struct gw_config *g, const char *method, const char *path, const char *const *h)
{
	buf_reset(&out);
	msg[0] = '\0';
	return gateway_request(&out, g, method, path, header, (void *)h, msg, sizeof msg);
}

static void fini(void)
{
	buf_release(&out);
}

TestSuite(gateway, .fini = fini);

Test(gateway, every_source)
{
	struct gw_config g = mapping();
	const char *h[] = { "x-user", "alice", "X-Tenant", "acme", "X-Ticket", "CHG-1", NULL };
	cr_assert_eq(map(&g, "GET", "/acme/plan", h), 0, "%s", msg);
	cr_assert_str_eq(buf_cstr(&out),
			 "{\"principal\":{\"type\":\"User\",\"id\":\"alice\",\"attrs\":{\"tenant\":\"acme\"}},"
			 "\"action\":\"read\",\"resource\":{\"type\":\"Document\",\"id\":\"plan\","
			 "\"attrs\":{\"tenant\":\"acme\"}},\"context\":{\"ticket\":\"CHG-1\",\"verb\":\"GET\"}}");
}

Test(gateway, headers_not_sent_leave_attributes_out)
{
	struct gw_config g = mapping();
	g.nattrs[GW_CONTEXT] = 1;
	const char *h[] = { "X-User", "alice", NULL };
	cr_assert_eq(map(&g, "DELETE", "/acme/plan", h), 0, "%s", msg);
	cr_assert_str_eq(buf_cstr(&out),
			 "{\"principal\":{\"type\":\"User\",\"id\":\"alice\"},\"action\":\"write\","
			 "\"resource\":{\"type\":\"Document\",\"id\":\"plan\",\"attrs\":{\"tenant\":\"acme\"}}}");
}

Test(gateway, forwarded_method_and_path_win)
{
	struct gw_config g = mapping();
	const char *h[] = { "X-User", "bob", "X-Original-Method", "GET", "X-Original-URI", "/globex/q4?x=1",
			    NULL };
	cr_assert_eq(map(&g, "POST", "/", h), 0, "%s", msg);
	cr_assert(strstr(buf_cstr(&out), "\"action\":\"read\""));
	cr_assert(strstr(buf_cstr(&out), "\"id\":\"q4\",\"attrs\":{\"tenant\":\"globex\"}"));
}

Test(gateway, values_are_json_strings)
{
	struct gw_config g = mapping();
	const char *h[] = { "X-User", "a\"b\\c\x01", NULL };
	cr_assert_eq(map(&g, "GET", "/t/d", h), 0, "%s", msg);
	cr_assert(strstr(buf_cstr(&out), "\"id\":\"a\\\"b\\\\c\\u0001\""), "%s", buf_cstr(&out));
}

Test(gateway, what_cannot_be_made_says_why)
{
	struct gw_config g = mapping();
	const char *none[] = { NULL };
	buf_puts(&out, "");
	cr_assert_eq(map(&g, "GET", "/acme/plan", none), 1);
	cr_assert_str_eq(msg, "principal id: header 'X-User' is missing");
	cr_assert_eq(out.n, 0, "nothing appended");
	const char *h[] = { "X-User", "alice", NULL };
	cr_assert_eq(map(&g, "GET", "/acme", h), 1);
	cr_assert_str_eq(msg, "resource id: path segment 2 is missing or badly encoded");
	cr_assert_eq(map(&g, "GET", "/acme/a%zz", h), 1);
	g.nmethods = 1;         /* no "*" */
	cr_assert_eq(map(&g, "PATCH", "/acme/plan", h), 1);
	cr_assert_str_eq(msg, "action: method 'PATCH' has no action");
	g.action = (struct gw_source){ GW_HEADER, "X-Action", 0 };
	cr_assert_eq(map(&g, "GET", "/acme/plan", h), 1);
	cr_assert_str_eq(msg, "action: header 'X-Action' is missing");
	const char *h2[] = { "X-User", "alice", "X-Action", "write", NULL };
	cr_assert_eq(map(&g, "GET", "/acme/plan", h2), 0);
	cr_assert(strstr(buf_cstr(&out), "\"action\":\"write\""));
}

Test(gateway, a_huge_header_is_refused)
{
	struct gw_config g = mapping();
	static char big[10000];
	memset(big, 'a', sizeof big - 1);
	const char *h[] = { "X-User", big, NULL };
	cr_assert_eq(map(&g, "GET", "/acme/plan", h), 1);
	cr_assert_str_eq(msg, "principal id: value is longer than 4096 bytes");
}
