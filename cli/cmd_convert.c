/* attn convert — a model as a GGUF file (llama.cpp's format). */
#include "cli.h"

#include "attn/gguf.h"

#include <stdio.h>
#include <string.h>

static const cli_choice GGUF_TYPES[] = {{"f32", 0}, {"f16", 1}, {"bf16", 30}, {"q8_0", 8}, {"q4_0", 2}, {"q4_1", 3}, {NULL, 0}};

int cmd_convert(int argc, char **argv) {
    int type = 1;
    const cli_option options[] = {
        {CLI_CHOICE("--type", NULL, "f32|f16|bf16|q8_0|q4_0|q4_1", &type, GGUF_TYPES,
                    "the matrices' type (vectors stay f32; rows that are not whole blocks become f16)")},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn convert MODEL OUT.gguf [--type f32|f16|bf16|q8_0|q4_0|q4_1]",
        "Writes a Llama-style (llama, qwen2, mistral), GPT-2 or BLOOM language model (a Hugging\n"
        "Face directory, a GGUF file or an installed name such as smollm2) as a GGUF file that\n"
        "llama.cpp and attn read, with its tokenizer (a directory's byte-level BPE tokenizer.json and chat\n"
        "template, or a GGUF file's tokenizer keys). The file is written atomically.",
        options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos != 2) return cli_usage_error("give MODEL and OUT.gguf (see attn convert --help)");
    bool tok = false;
    attn_status st = attn_gguf_convert(argv[1], argv[2], type, &tok);
    if (st) return cli_fail("convert", st, NULL);
    if (!tok) fprintf(stderr, "attn convert: note: %s has no tokenizer.json; %s holds the model only\n", argv[1], argv[2]);
    printf("wrote %s\n", argv[2]);
    return 0;
}
