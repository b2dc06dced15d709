/* placeholder until the subcommand lands */
#include "cli.h"
int cmd_train(int argc, char **argv) { (void)argc; (void)argv; return cli_fail("train", ATTN_ERR_UNSUPPORTED, "not implemented yet"); }
