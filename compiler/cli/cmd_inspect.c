/*
 * cmd_inspect.c: `authzc inspect BUNDLE`: what a bundle holds, as text or
 * JSON, optionally with the bytecode (authzc-inspect(1)).
 *
 * The bundle is loaded (and so verified) by libauthz first; only a bundle
 * that loads is described, through the public API alone (authz(3)).
 */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "buf.h"
#include "cli.h"
#include "cli_trust.h"
#include "cvalue.h"
#include "project.h"

static void inspect_usage(FILE *out)
{
	fputs("usage: authzc inspect [--disasm] [--format text|json] [--trust PUBFILE]... BUNDLE\n"
	      "\n"
	      "Load and verify a compiled policy bundle and show its header, digest,\n"
	      "schema digest, source revision, signature, schema summary and rules with\n"
	      "their annotations.\n"
	      "\n"
	      "options:\n"
	      "  --disasm         add each rule's bytecode\n"
	      "  --format FORMAT  text (default) or json\n"
	      "  --trust PUBFILE  check the signature against this key (NAME.pub of\n"
	      "                   authzc keygen; repeatable: any of them)\n"
	      "  -h, --help       show this help\n"
	      "\n"
	      "exit status: 0 shown (and with --trust, its signature verified), 1 shown but\n"
	      "its signature does not verify against the --trust keys, 2 usage trouble or\n"
	      "a bundle that does not load\n", out);
}

/* authz_bundle_disasm's writer into a buffer (buf.h). */
static int disasm_to_buf(const char *text, size_t len, void *payload)
{
	struct buf *b = payload;
	buf_put(b, text, len);
	return b->oom ? -1 : 0;
}

static int file_write(const char *text, size_t len, void *payload)
{
	return fwrite(text, 1, len, payload) == len ? 0 : -1;
}

/* `s` as a policy string literal, as authzc fmt writes it. */
static void print_quoted(const char *s)
{
	struct buf b = BUF_INIT;
	value_put_quoted(&b, s, strlen(s), VALUE_AUTHZ);
	fputs(buf_cstr(&b), stdout);
	buf_release(&b);
}

/* The names of part `part` of rule i's scope into names[0..*n) (room for
 * `total`); false when the rule's source names none (it admits any). */
static bool scope_names(const authz_bundle *b, size_t i, int part, size_t total, const char **names,
			size_t *n)
{
	*n = 0;
	for (size_t k = 0; k < total; k++)
		if (authz_bundle_rule_in_scope(b, i, part, k) == 1)
			names[(*n)++] = part == AUTHZ_SCOPE_ACTION ? authz_bundle_action_name(b, k)
							   : authz_bundle_type_name(b, k);
	return authz_bundle_rule_scope_named(b, i, part) == 1;
}

/* Rule i's scope as policy source would write it ("principal is Agent,
 * action in [\"read\", \"write\"]"), or "any request"; into `out`. */
static void scope_text(const authz_bundle *b, const authz_bundle_info *info, size_t i,
		       struct buf *out)
{
	static const char *const lead[] = { "principal is ", "action ", "resource is " };
	size_t max = info->types > info->actions ? info->types : info->actions, n;
	const char **names = calloc(max + 1, sizeof *names);
	if (!names) {
		out->oom = true;
		return;
	}
	for (int part = AUTHZ_SCOPE_PRINCIPAL; part <= AUTHZ_SCOPE_RESOURCE; part++) {
		size_t total = part == AUTHZ_SCOPE_ACTION ? info->actions : info->types;
		if (!scope_names(b, i, part, total, names, &n))
			continue;
		buf_puts(out, out->n ? ", " : "");
		buf_puts(out, lead[part]);
		if (part == AUTHZ_SCOPE_ACTION)
			buf_puts(out, n == 1 ? "== " : "in [");
		for (size_t k = 0; k < n; k++) {
			if (part == AUTHZ_SCOPE_ACTION)
				buf_printf(out, "%s\"%s\"", k ? ", " : "", names[k]);
			else
				buf_printf(out, "%s%s", k ? " | " : "", names[k]);
		}
		if (part == AUTHZ_SCOPE_ACTION && n != 1)
			buf_puts(out, "]");
	}
	if (!out->n)
		buf_puts(out, "any request");
	free(names);
}

/* What inspect says of a bundle's signature. */
struct sig_view {
	const char *key_id;             /* NULL: unsigned */
	const char *name;               /* the key's name when known, else NULL */
	size_t ntrust;                  /* --trust keys given */
	bool verified;
	const char *error;              /* why it does not verify against them */
};

/* The signature of b (loaded with the --trust keys of `t`, unless
 * `refusal` says why that failed) and its signer's name: from the --trust
 * keys, else from the trusted_keys of the project around the current
 * folder (names only: they verify nothing here). */
static void sig_view_of(struct sig_view *v, const authz_bundle *b, const struct cli_trust *t,
			const struct ev_keyring *project, const char *refusal)
{
	memset(v, 0, sizeof *v);
	v->key_id = authz_bundle_signer(b);
	v->ntrust = t->opts.ntrusted_keys;
	v->verified = authz_bundle_signature_verified(b);
	v->error = refusal;
	const struct ev_trusted *k = NULL;
	if (v->key_id && !(k = ev_keyring_find(&t->ring, v->key_id)))
		k = ev_keyring_find(project, v->key_id);
	if (k)
		v->name = k->pub.name;
}

/* The trusted_keys of the project around the current folder into kr
 * (copies); nothing when there is none or its authzc.json has errors. */
static void project_keys(struct ev_keyring *kr)
{
	char *root = NULL;
	if (project_find_root(".", &root) != 0) {
		free(root);
		return;
	}
	struct compilation c;
	struct source_tree tree;
	compilation_init(&c);
	source_tree_fs(&tree, root);
	if (project_load_config(&c, &tree) == 0)
		for (size_t i = 0; i < c.config.ntrusted_keys; i++)
			ev_keyring_add(kr, &c.config.trusted_keys[i].pub, c.config.trusted_keys[i].roles);
	compilation_release(&c);
	free(root);
}

static void print_signature(const struct sig_view *v)
{
	printf("signature ");
	if (v->key_id) {
		printf("key %s", v->key_id);
		if (v->name)
			printf(" (%s)", v->name);
	} else {
		printf("(none)");
	}
	if (v->verified)
		printf(", verified with --trust\n");
	else if (v->error)
		printf(", NOT VERIFIED: %s\n", v->error);
	else if (v->key_id)
		printf(", not verified (no --trust given)\n");
	else
		putchar('\n');
}

static void print_text(const authz_bundle *b, const char *path, const struct sig_view *sig, bool disasm)
{
	char t[32];
	int64_t expires;
	authz_bundle_info info;
	authz_bundle_get_info(b, &info);
	const char *rev = authz_bundle_source_revision(b);
	size_t nrules = info.rules;
	printf("bundle    %s\n", path);
	printf("format    %u\n", info.format);
	printf("digest    %s\n", authz_bundle_digest(b));
	printf("schema    %s\n", authz_bundle_schema_digest(b));
	printf("revision  %s\n", *rev ? rev : "(none)");
	print_signature(sig);
	printf("size      %zu bytes, %zu rule%s, %zu constant%s, %zu instruction%s\n", info.bytes,
	       nrules, nrules == 1 ? "" : "s", info.constants, info.constants == 1 ? "" : "s",
	       info.instructions, info.instructions == 1 ? "" : "s");
	printf("types    ");
	for (size_t i = 0; i < info.types; i++)
		printf("%s%s", i ? ", " : " ", authz_bundle_type_name(b, i));
	printf("\nactions  ");
	for (size_t i = 0; i < info.actions; i++)
		printf("%s%s", i ? ", " : " ", authz_bundle_action_name(b, i));
	printf("\n\nrules:\n");
	for (size_t i = 0; i < nrules; i++) {
		authz_source_info src;
		authz_bundle_rule_source(b, i, &src);
		printf("  %s %s", authz_bundle_rule_effect(b, i) == AUTHZ_FORBID ? "forbid" : "permit",
		       authz_bundle_rule_id(b, i));
		if (src.file)
			printf("  (%s:%u:%u)", src.file, (unsigned)src.line, (unsigned)src.col);
		putchar('\n');
		struct buf scope = BUF_INIT;
		scope_text(b, &info, i, &scope);
		printf("    scope   %s\n", buf_cstr(&scope));
		buf_release(&scope);
		for (size_t k = 0; k < authz_bundle_rule_guard_count(b, i); k++) {
			authz_source_info g;
			authz_bundle_rule_guard(b, i, k, &g);
			printf("    %-7s %s\n", g.unless ? "unless" : "when", g.text ? g.text : "(no debug section)");
		}
		for (size_t k = 0; k < authz_bundle_rule_annotation_count(b, i); k++) {
			const char *key, *value;
			if (authz_bundle_rule_annotation(b, i, k, &key, &value) == 0)
			{
				printf("    @%s(", key);
				print_quoted(value);
				fputs(")\n", stdout);
			}
		}
		if (authz_bundle_rule_expires(b, i, &expires) == 1) {
			authz_format_time(expires, t);
			printf("    expires at %s\n", t);
		}
	}
	if (disasm) {
		printf("\ncode:\n");
		authz_bundle_disasm(b, file_write, stdout);
	}
}

/* The JSON description; NULL when out of memory. */
static char *json_of(const authz_bundle *b, const char *path, const struct sig_view *sig, bool disasm)
{
	char t[32];
	int64_t expires;
	authz_bundle_info info;
	authz_bundle_get_info(b, &info);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "bundle", path);
	cJSON_AddNumberToObject(o, "format", info.format);
	cJSON_AddStringToObject(o, "digest", authz_bundle_digest(b));
	cJSON_AddStringToObject(o, "schema_digest", authz_bundle_schema_digest(b));
	cJSON_AddStringToObject(o, "revision", authz_bundle_source_revision(b));
	cJSON *so = cJSON_AddObjectToObject(o, "signature");
	if (sig->key_id)
		cJSON_AddStringToObject(so, "key_id", sig->key_id);
	else
		cJSON_AddNullToObject(so, "key_id");
	if (sig->name)
		cJSON_AddStringToObject(so, "name", sig->name);
	else
		cJSON_AddNullToObject(so, "name");
	cJSON_AddNumberToObject(so, "trusted_keys", (double)sig->ntrust);
	cJSON_AddBoolToObject(so, "verified", sig->verified);
	if (sig->error)
		cJSON_AddStringToObject(so, "error", sig->error);
	else
		cJSON_AddNullToObject(so, "error");
	cJSON_AddNumberToObject(o, "bytes", (double)info.bytes);
	cJSON_AddNumberToObject(o, "constants", (double)info.constants);
	cJSON_AddNumberToObject(o, "instructions", (double)info.instructions);
	cJSON *types = cJSON_AddArrayToObject(o, "types");
	for (size_t i = 0; i < info.types; i++)
		cJSON_AddItemToArray(types, cJSON_CreateString(authz_bundle_type_name(b, i)));
	cJSON *actions = cJSON_AddArrayToObject(o, "actions");
	for (size_t i = 0; i < info.actions; i++)
		cJSON_AddItemToArray(actions, cJSON_CreateString(authz_bundle_action_name(b, i)));
	cJSON *rules = cJSON_AddArrayToObject(o, "rules");
	for (size_t i = 0; i < info.rules; i++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "id", authz_bundle_rule_id(b, i));
		cJSON_AddStringToObject(x, "effect",
					authz_bundle_rule_effect(b, i) == AUTHZ_FORBID ? "forbid" : "permit");
		cJSON *ann = cJSON_AddArrayToObject(x, "annotations");
		for (size_t k = 0; k < authz_bundle_rule_annotation_count(b, i); k++) {
			const char *key, *value;
			if (authz_bundle_rule_annotation(b, i, k, &key, &value) != 0)
				continue;
			cJSON *a = cJSON_CreateObject();
			cJSON_AddStringToObject(a, "name", key);
			cJSON_AddStringToObject(a, "value", value);
			cJSON_AddItemToArray(ann, a);
		}
		if (authz_bundle_rule_expires(b, i, &expires) == 1) {
			authz_format_time(expires, t);
			cJSON_AddStringToObject(x, "expires", t);
		} else {
			cJSON_AddNullToObject(x, "expires");
		}
		cJSON_AddNumberToObject(x, "guards", (double)authz_bundle_rule_guard_count(b, i));
		authz_source_info src;
		authz_bundle_rule_source(b, i, &src);
		if (src.file) {
			cJSON *at = cJSON_AddObjectToObject(x, "source");
			cJSON_AddStringToObject(at, "file", src.file);
			cJSON_AddNumberToObject(at, "line", src.line);
			cJSON_AddNumberToObject(at, "column", src.col);
		} else {
			cJSON_AddNullToObject(x, "source");
		}
		cJSON *scope = cJSON_AddObjectToObject(x, "scope");
		static const char *const part_name[] = { "principal", "action", "resource" };
		size_t max = info.types > info.actions ? info.types : info.actions, n;
		const char **names = calloc(max + 1, sizeof *names);
		for (int part = AUTHZ_SCOPE_PRINCIPAL; names && part <= AUTHZ_SCOPE_RESOURCE; part++) {
			size_t total = part == AUTHZ_SCOPE_ACTION ? info.actions : info.types;
			cJSON *list = scope_names(b, i, part, total, names, &n) ? cJSON_CreateArray()
										: cJSON_CreateNull();
			for (size_t k = 0; cJSON_IsArray(list) && k < n; k++)
				cJSON_AddItemToArray(list, cJSON_CreateString(names[k]));
			cJSON_AddItemToObject(scope, part_name[part], list);
		}
		free(names);
		cJSON *conds = cJSON_AddArrayToObject(x, "conditions");
		for (size_t k = 0; k < authz_bundle_rule_guard_count(b, i); k++) {
			authz_source_info g;
			authz_bundle_rule_guard(b, i, k, &g);
			cJSON *c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "kind", g.unless ? "unless" : "when");
			if (g.text)
				cJSON_AddStringToObject(c, "text", g.text);
			else
				cJSON_AddNullToObject(c, "text");
			cJSON_AddNumberToObject(c, "line", g.line);
			cJSON_AddNumberToObject(c, "column", g.col);
			cJSON_AddItemToArray(conds, c);
		}
		cJSON_AddItemToArray(rules, x);
	}
	if (disasm) {
		struct buf s = BUF_INIT;
		authz_bundle_disasm(b, disasm_to_buf, &s);
		cJSON_AddStringToObject(o, "disasm", buf_cstr(&s));
		buf_release(&s);
	}
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

int cmd_inspect(int argc, char **argv)
{
	int format = CLI_TEXT;
	bool disasm = false;
	const char *trust_v[CLI_MAX_TRUST];
	struct opt_list trust_files = { trust_v, 0, CLI_MAX_TRUST };
	const struct opt opts[] = {
		OPT_FLAG(0, "disasm", &disasm),
		OPT_LIST(0, "trust", &trust_files),
		OPT_CHOICE(0, "format", &format, cli_text_json),
		OPT_END,
	};
	struct opt_result args;
	int code = cli_parse(&args, argc, argv, opts, 1, inspect_usage, NULL);
	if (code != CLI_RUN)
		return code;
	if (!args.noperands)
		return cli_usage_error("inspect", "no bundle given");
	const char *path = args.operands[0];
	struct cli_trust trust;
	if ((code = cli_trust_load(&trust, "inspect", &trust_files)) != EXIT_OK) {
		cli_trust_release(&trust);
		return code;
	}
	authz_bundle *b = NULL;
	authz_error err, refusal = { 0 };
	int rc = authz_bundle_load_file_ex(&b, path, cli_trust_opts(&trust), &err);
	if (rc == AUTHZ_ESIGNATURE && trust.opts.ntrusted_keys) {
		/* Show it anyway, saying why its signature is refused: a bundle
		 * whose signature section is whole but does not verify loads
		 * without keys. */
		refusal = err;
		rc = authz_bundle_load_file(&b, path, &err);
	}
	if (rc != 0) {
		cli_trust_release(&trust);
		/* The loader prefixes format errors with "<path>: "; we quote it. */
		size_t pl = strlen(path);
		const char *msg = err.message;
		if (!strncmp(msg, path, pl) && !strncmp(msg + pl, ": ", 2))
			msg += pl + 2;
		if (err.code == AUTHZ_EFORMAT || err.code == AUTHZ_ESIGNATURE)
			fprintf(stderr, "authzc inspect: '%s': %s\n", path, msg);
		else
			fprintf(stderr, "authzc inspect: %s\n", err.message);
		return EXIT_TROUBLE;
	}
	/* The loader prefixes refusals with "<path>: ". */
	const char *why = refusal.code ? refusal.message : NULL;
	if (why && !strncmp(why, path, strlen(path)) && !strncmp(why + strlen(path), ": ", 2))
		why += strlen(path) + 2;
	struct ev_keyring names;
	ev_keyring_init(&names);
	project_keys(&names);
	struct sig_view sig;
	sig_view_of(&sig, b, &trust, &names, why);
	code = why ? EXIT_FAIL : EXIT_OK;
	if (format == CLI_TEXT) {
		print_text(b, path, &sig, disasm);
	} else {
		char *text = json_of(b, path, &sig, disasm);
		if (text) {
			printf("%s\n", text);
			free(text);
		} else {
			code = cli_error("out of memory");
		}
	}
	ev_keyring_free(&names);
	cli_trust_release(&trust);
	authz_bundle_free(b);
	return code;
}
