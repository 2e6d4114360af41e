/*
 * test_config_serve.c: serve.gateway in authzc.json (config.c; the
 * mapping itself: tests/unit/serve/test_gateway.c): every key and source
 * read, defaults, and each fault at its JSON path.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "config.h"
#include "project_util.h"

TestSuite(config_serve, .fini = teardown);

Test(config_serve, no_serve_key_no_gateway)
{
	cr_assert_eq(load_config_text("{}"), 0);
	cr_assert_null(comp.config.gateway);
}

Test(config_serve, every_key_and_source)
{
	cr_assert_eq(load_config_text("{\"serve\": {\"gateway\": {"
			  " \"method_header\": \"X-M\", \"path_header\": \"X-P\","
			  " \"principal\": {\"type\": \"User\", \"id\": \"header:X-User\","
			  "                \"attrs\": {\"tenant\": \"header:X-Tenant\", \"verb\": \"method\"}},"
			  " \"action\": {\"GET\": \"read\", \"*\": \"write\"},"
			  " \"resource\": {\"type\": \"segment:1\", \"id\": \"segment:12\"},"
			  " \"context\": {\"ticket\": \"header:X-Ticket\"}}}}"), 0);
	const struct gw_config *g = comp.config.gateway;
	cr_assert_not_null(g);
	cr_assert_str_eq(g->method_header, "X-M");
	cr_assert_str_eq(g->path_header, "X-P");
	cr_assert_eq(g->principal_type.kind, GW_LITERAL);
	cr_assert_str_eq(g->principal_type.text, "User");
	cr_assert_eq(g->principal_id.kind, GW_HEADER);
	cr_assert_str_eq(g->principal_id.text, "X-User");
	cr_assert_eq(g->nattrs[GW_PRINCIPAL], 2);
	cr_assert_str_eq(g->attrs[GW_PRINCIPAL][1].key, "verb");
	cr_assert_eq(g->attrs[GW_PRINCIPAL][1].src.kind, GW_METHOD);
	cr_assert_eq(g->action.kind, GW_NONE);
	cr_assert_eq(g->nmethods, 2);
	cr_assert_str_eq(g->methods[1].key, "*");
	cr_assert_str_eq(g->methods[1].src.text, "write");
	cr_assert_eq(g->resource_type.kind, GW_SEGMENT);
	cr_assert_eq(g->resource_type.segment, 1);
	cr_assert_eq(g->resource_id.segment, 12);
	cr_assert_eq(g->nattrs[GW_RESOURCE], 0);
	cr_assert_eq(g->nattrs[GW_CONTEXT], 1);
}

Test(config_serve, forwarded_headers_default_to_nginx_names)
{
	cr_assert_eq(load_config_text("{\"serve\": {\"gateway\": {\"principal\": {\"type\": \"User\", \"id\": \"header:X-U\"},"
			  " \"action\": \"header:X-Action\","
			  " \"resource\": {\"type\": \"Doc\", \"id\": \"segment:1\"}}}}"), 0);
	const struct gw_config *g = comp.config.gateway;
	cr_assert_str_eq(g->method_header, "X-Original-Method");
	cr_assert_str_eq(g->path_header, "X-Original-URI");
	cr_assert_eq(g->action.kind, GW_HEADER);
}

Test(config_serve, faults_at_their_paths)
{
	cr_assert_gt(load_config_text("{\"serve\": {\"gateway\": {"
			  " \"principal\": {\"type\": \"\", \"idd\": \"x\"},"
			  " \"action\": 3,"
			  " \"resource\": {\"type\": \"segment:0\", \"id\": \"header:bad name\"},"
			  " \"context\": {\"a\": \"segment:65\", \"a\": \"method\"},"
			  " \"path_header\": 1}}}"), 0);
	cr_assert_null(comp.config.gateway, "a faulty mapping is not used");
	cr_assert_str_eq(at("$.serve.gateway.principal.idd"), "unknown key 'idd'");
	cr_assert(strstr(at("$.serve.gateway.principal.type"), "found \"\""));
	cr_assert_str_eq(at("$.serve.gateway.principal"), "missing key 'id'");
	cr_assert_str_eq(at("$.serve.gateway.action"), "expected a string, found a number");
	cr_assert_str_eq(at("$.serve.gateway.resource.type"), "'segment:0' must name a path segment from 1 to 64");
	cr_assert_str_eq(at("$.serve.gateway.resource.id"), "'header:bad name' does not name a header");
	cr_assert_str_eq(at("$.serve.gateway.context.a"), "'segment:65' must name a path segment from 1 to 64");
	cr_assert_str_eq(at("$.serve.gateway.path_header"), "expected a header name, found a number");
}

Test(config_serve, required_parts)
{
	cr_assert_gt(load_config_text("{\"serve\": {\"gateway\": {}}}"), 0);
	cr_assert_str_eq(at("$.serve.gateway"), "missing key 'principal'");
}

Test(config_serve, serve_holds_objects)
{
	cr_assert_gt(load_config_text("{\"serve\": {\"gateway\": 1, \"gatway\": 2}}"), 0);
	cr_assert_str_eq(at("$.serve.gateway"), "expected an object, found a number");
	cr_assert_str_eq(at("$.serve.gatway"), "unknown key 'gatway'");
}
