/* placeholder until the subcommand lands */
#include "cli.h"
int cmd_generate(int argc, char **argv) { (void)argc; (void)argv; return cli_fail("generate", ATTN_ERR_UNSUPPORTED, "not implemented yet"); }
