/*
 * bytecode.h: the authz VM instruction encoding and opcode tables.
 *
 * Every instruction is one 32-bit little-endian word:
 *
 *    31                               8 7            0
 *   +----------------------------------+--------------+
 *   |              Ax (24)             |    op (8)    |   formats N K T J JK G E
 *   +-----------------+----------------+--------------+
 *   |     B (16)      |     A (8)      |    op (8)    |   formats R S
 *   +-----------------+----------------+--------------+
 *
 * Jumps are forward only: Ax is the distance past the next instruction, so
 * the target is pc + 1 + Ax and must lie inside the rule's code.  A rule's
 * code is a sequence of guards, each computing a bool and consuming it with
 * WHEN or UNLESS, and ends with APPLY.
 *
 * The format is touched by: opcodes.def, bytecode.c (tables, disassembler),
 * bundle_write.c (emitter), bundle_load.c and verify.c (loader, verifier),
 * vm.c (evaluator), man/authzc-bundle.5.
 */
#ifndef AUTHZ_BYTECODE_H
#define AUTHZ_BYTECODE_H

#include <stddef.h>
#include <stdint.h>

#include "authz_limits.h"

enum authz_op {
#define OP(name, fmt, in, out, doc) AUTHZ_OP_##name,
#include "opcodes.def"
#undef OP
	AUTHZ_OP_COUNT
};

enum authz_fmt { AUTHZ_FMT_N, AUTHZ_FMT_K, AUTHZ_FMT_R, AUTHZ_FMT_S, AUTHZ_FMT_T,
		 AUTHZ_FMT_J, AUTHZ_FMT_JK, AUTHZ_FMT_G, AUTHZ_FMT_E };

struct authz_op_info {
	const char *name;
	enum authz_fmt fmt;
	int stack_in, stack_out;
	const char *doc;
};

/* The descriptor of `op`; an "#INVALID" descriptor when op is out of range. */
const struct authz_op_info *authz_op_info(uint32_t op);
/* The descriptors themselves, for the loops of the loader and the
 * verifier, which index them directly once op < AUTHZ_OP_COUNT. */
extern const struct authz_op_info rt_op_table[AUTHZ_OP_COUNT];

/* How a format's operands follow the opcode byte in a bundle
 * (authzc-bundle(5)): none; Ax as a varint; A as a byte; A as a byte,
 * then B as a varint. */
enum authz_wire { AUTHZ_WIRE_NONE, AUTHZ_WIRE_AX, AUTHZ_WIRE_A, AUTHZ_WIRE_AB };

static inline enum authz_wire authz_fmt_wire(enum authz_fmt fmt)
{
	switch (fmt) {
	case AUTHZ_FMT_N:
	case AUTHZ_FMT_E:
		return AUTHZ_WIRE_NONE;
	case AUTHZ_FMT_R:
		return AUTHZ_WIRE_A;
	case AUTHZ_FMT_S:
		return AUTHZ_WIRE_AB;
	default:        /* K, T, J, JK, G */
		return AUTHZ_WIRE_AX;
	}
}

#define AUTHZ_SIZE_OP 8
#define AUTHZ_SIZE_A 8
#define AUTHZ_SIZE_B 16
#define AUTHZ_SIZE_AX (AUTHZ_SIZE_A + AUTHZ_SIZE_B)
#define AUTHZ_POS_A AUTHZ_SIZE_OP
#define AUTHZ_POS_B (AUTHZ_POS_A + AUTHZ_SIZE_A)
#define AUTHZ_MAXARG_A ((1u << AUTHZ_SIZE_A) - 1)
#define AUTHZ_MAXARG_B ((1u << AUTHZ_SIZE_B) - 1)
#define AUTHZ_MAXARG_AX ((1u << AUTHZ_SIZE_AX) - 1)

#define AUTHZ_GET_OP(i) ((uint32_t)(i) & 0xffu)
#define AUTHZ_GET_A(i) (((uint32_t)(i) >> AUTHZ_POS_A) & AUTHZ_MAXARG_A)
#define AUTHZ_GET_B(i) (((uint32_t)(i) >> AUTHZ_POS_B) & AUTHZ_MAXARG_B)
#define AUTHZ_GET_AX(i) ((uint32_t)(i) >> AUTHZ_POS_A)
#define AUTHZ_CREATE_N(op) ((uint32_t)(op))
#define AUTHZ_CREATE_AX(op, ax) ((uint32_t)(op) | ((uint32_t)(ax) << AUTHZ_POS_A))
#define AUTHZ_CREATE_AB(op, a, b) \
	((uint32_t)(op) | ((uint32_t)(a) << AUTHZ_POS_A) | ((uint32_t)(b) << AUTHZ_POS_B))

/* Roots of ATTR/HAS (operand A). */
enum authz_root { AUTHZ_ROOT_PRINCIPAL = 0, AUTHZ_ROOT_RESOURCE = 1, AUTHZ_ROOT_CONTEXT = 2 };

/* TIME_PART operand. */
enum authz_time_part { AUTHZ_TP_YEAR, AUTHZ_TP_MONTH, AUTHZ_TP_DAY, AUTHZ_TP_HOUR,
		       AUTHZ_TP_MINUTE, AUTHZ_TP_WEEKDAY, AUTHZ_TP_COUNT };

/*
 * Value kinds: schema attribute types, constant kinds and VM value tags
 * share this numbering (it is part of the bundle format).
 */
enum authz_kind {
	AUTHZ_K_NONE = 0,
	AUTHZ_K_BOOL = 1,
	AUTHZ_K_INT = 2,
	AUTHZ_K_STRING = 3,
	AUTHZ_K_TIMESTAMP = 4,  /* ms since 1970-01-01T00:00:00Z */
	AUTHZ_K_DURATION = 5,   /* ms */
	AUTHZ_K_IP = 6,
	AUTHZ_K_SET = 7,
	AUTHZ_K_RECORD = 8,     /* schema only */
	AUTHZ_K_ENTITY = 9,     /* VM only */
};

/* Rule effects: enum authz_effect, in authz.h. */

/* Limits enforced by the writer and the verifier: AUTHZ_MAX_STACK,
 * AUTHZ_MAX_DEPTH, AUTHZ_MAX_COUNT (authz_limits.h). */

#endif
