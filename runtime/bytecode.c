/*
 * bytecode.c: opcode descriptors derived from opcodes.def.
 */
#include "bytecode.h"

const struct authz_op_info rt_op_table[AUTHZ_OP_COUNT] = {
#define OP(name, fmt, in, out, doc) { #name, AUTHZ_FMT_##fmt, in, out, doc },
#include "opcodes.def"
#undef OP
};

static const struct authz_op_info op_invalid = { "#INVALID", AUTHZ_FMT_N, 0, 0, "not an opcode" };

const struct authz_op_info *authz_op_info(uint32_t op)
{
	return op < AUTHZ_OP_COUNT ? &rt_op_table[op] : &op_invalid;
}
