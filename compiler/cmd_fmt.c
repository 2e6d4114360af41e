/* STUB: replaced by the real `authzc fmt`. */
#include "cli.h"
int cmd_fmt(int argc, char **argv) { (void)argc; (void)argv; return cli_error("fmt: not yet built"); }
