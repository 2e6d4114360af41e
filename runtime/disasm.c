/*
 * disasm.c: a listing of every rule's bytecode, driven by the opcode
 * tables (one line per instruction: pc, name, operands, a comment).
 */
#include <stdio.h>
#include <string.h>

#include "bundle.h"

static void describe_const(const authz_bundle *b, uint32_t i, char *buf, size_t n)
{
	const struct vm_value *v = &b->consts[i];
	switch (v->kind) {
	case AUTHZ_K_STRING: snprintf(buf, n, "\"%.40s\"", v->u.s.p); break;
	case AUTHZ_K_BOOL: snprintf(buf, n, "%s", v->u.i ? "true" : "false"); break;
	case AUTHZ_K_INT: snprintf(buf, n, "%lld", (long long)v->u.i); break;
	case AUTHZ_K_DURATION: snprintf(buf, n, "%lldms", (long long)v->u.i); break;
	case AUTHZ_K_TIMESTAMP: {
		char t[32];
		authz_format_time(v->u.i, t);
		snprintf(buf, n, "time(\"%s\")", t);
		break;
	}
	case AUTHZ_K_IP: snprintf(buf, n, "ip/v%u/%u", v->fam, v->prefix); break;
	case AUTHZ_K_SET: snprintf(buf, n, "set of %u", (unsigned)v->len); break;
	default: snprintf(buf, n, "?"); break;
	}
}

/* "principal.workload.signed": root A of an S-format instruction and the
 * names of slot `slot` and its parents, cut to fit `n` bytes. */
static void describe_path(const authz_bundle *b, uint32_t root, uint32_t slot, char *buf, size_t n)
{
	static const char *const roots[] = { "principal", "resource", "context" };
	uint32_t chain[AUTHZ_MAX_DEPTH];
	size_t depth = 0;
	for (uint32_t s = slot; s != BUNDLE_NO_INDEX && s < b->nslots && depth < AUTHZ_MAX_DEPTH;
	     s = b->slots[s].parent)
		chain[depth++] = s;
	size_t at = (size_t)snprintf(buf, n, "%s", root < 3 ? roots[root] : "?");
	while (depth-- > 0 && at < n)
		at += (size_t)snprintf(buf + at, n - at, ".%s", b->str[b->slots[chain[depth]].name]);
}

int authz_bundle_disasm(const authz_bundle *b, int (*write)(const char *text, size_t len, void *payload),
			void *payload)
{
	char line[256];
	int e;
	for (uint32_t r = 0; r < b->nrules; r++) {
		const struct bundle_rule *rule = &b->rules[r];
		int n = snprintf(line, sizeof line, "rule %s (%s, %u guards)\n", b->str[rule->id],
				 rule->effect == AUTHZ_FORBID ? "forbid" : "permit", (unsigned)rule->nguards);
		if ((e = write(line, (size_t)n, payload)) != 0)
			return e;
		for (uint32_t pc = 0; pc < rule->code_len; pc++) {
			uint32_t ins = b->code[rule->code_off + pc];
			const struct authz_op_info *info = authz_op_info(AUTHZ_GET_OP(ins));
			char ops[128] = "";
			uint32_t ax = AUTHZ_GET_AX(ins);
			switch (info->fmt) {
			case AUTHZ_FMT_K: {
				char c[96];
				describe_const(b, ax, c, sizeof c);
				snprintf(ops, sizeof ops, "%u\t; %s", (unsigned)ax, c);
				break;
			}
			case AUTHZ_FMT_R:
				snprintf(ops, sizeof ops, "%u", (unsigned)AUTHZ_GET_A(ins));
				break;
			case AUTHZ_FMT_S: {
				char path[96];
				describe_path(b, AUTHZ_GET_A(ins), AUTHZ_GET_B(ins), path, sizeof path);
				snprintf(ops, sizeof ops, "%u %u\t; %s", (unsigned)AUTHZ_GET_A(ins),
					 (unsigned)AUTHZ_GET_B(ins), path);
				break;
			}
			case AUTHZ_FMT_J:
			case AUTHZ_FMT_JK:
				snprintf(ops, sizeof ops, "%u\t; to %u", (unsigned)ax, (unsigned)(pc + 1 + ax));
				break;
			case AUTHZ_FMT_T:
			case AUTHZ_FMT_G:
				snprintf(ops, sizeof ops, "%u", (unsigned)ax);
				break;
			default:
				break;
			}
			n = snprintf(line, sizeof line, "  %4u  %-12s %s\n", (unsigned)pc, info->name, ops);
			if (n >= (int)sizeof line)
				n = (int)sizeof line - 1;
			if ((e = write(line, (size_t)n, payload)) != 0)
				return e;
		}
	}
	return 0;
}
