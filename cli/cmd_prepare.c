/* placeholder until the subcommand lands */
#include "cli.h"
int cmd_prepare(int argc, char **argv) { (void)argc; (void)argv; return cli_fail("prepare", ATTN_ERR_UNSUPPORTED, "not implemented yet"); }
