/*
 * cmd_keygen.c: `authzc keygen NAME`: an Ed25519 key pair for signing
 * bundles, approvals, promotion records and log checkpoints
 * (authzc-keygen(1)).
 */
#include <stdio.h>

#include "cli.h"
#include "keys.h"

static void keygen_usage(FILE *out)
{
	fputs("usage: authzc keygen [-o DIR] NAME\n"
	      "\n"
	      "Write an Ed25519 key pair: NAME.key, the secret key (mode 0600), and\n"
	      "NAME.pub, one line with the key id, the public key and NAME.  Existing\n"
	      "files are never overwritten.  List NAME.pub under \"trusted_keys\" in\n"
	      "authzc.json with its roles (bundle, promote, approve, log); keep NAME.key\n"
	      "secret, out of git.\n"
	      "\n"
	      "options:\n"
	      "  -o DIR           write the files into DIR (default: the current folder)\n"
	      "  -C DIR           run as if started in DIR\n"
	      "  -h, --help       show this help\n"
	      "\n"
	      "exit status: 0 written, 2 usage error or the files could not be written\n", out);
}

int cmd_keygen(int argc, char **argv)
{
	const char *dir = NULL, *outdir = ".";
	const struct opt opts[] = {
		OPT_VALUE('o', NULL, &outdir),
		OPT_END,
	};
	struct opt_result r;
	int code = cli_parse(&r, argc, argv, opts, 1, keygen_usage, &dir);
	if (code != CLI_RUN)
		return code;
	if (r.noperands != 1)
		return cli_usage_error("keygen", "give the key's NAME");
	if ((code = cli_chdir(dir)) != EXIT_OK)
		return code;
	const char *name = r.operands[0];
	char err[512];
	struct ev_pub pub;
	if (ev_keygen(outdir, name, &pub, err, sizeof err) != 0)
		return cli_error("keygen: %s", err);
	printf("wrote %s/%s.key (secret: keep it out of git) and %s/%s.pub\nkey id %s\n", outdir, name, outdir,
	       name, pub.id);
	return cli_finish(EXIT_OK);
}
