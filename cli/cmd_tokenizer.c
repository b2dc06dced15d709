/* placeholder until `attn tokenizer train` lands */
#include "cli.h"
int cmd_tokenizer(int argc, char **argv) { (void)argc; (void)argv; return cli_fail("tokenizer", ATTN_ERR_UNSUPPORTED, "not implemented yet"); }
