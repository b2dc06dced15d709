/* placeholder until the subcommand lands */
#include "cli.h"
int cmd_score(int argc, char **argv) { (void)argc; (void)argv; return cli_fail("score", ATTN_ERR_UNSUPPORTED, "not implemented yet"); }
