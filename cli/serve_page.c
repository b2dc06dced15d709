/* serve_page.c — attn serve's chat page (cli/serve_page.html) compiled into
 * the binary as bytes between serve_page_html and serve_page_html_end. The
 * path is the repository root's, where make runs the compiler. */
__asm__(".section .rodata\n"
        ".global serve_page_html\n"
        "serve_page_html:\n"
        ".incbin \"cli/serve_page.html\"\n"
        ".global serve_page_html_end\n"
        "serve_page_html_end:\n"
        ".byte 0\n"
        ".previous\n");
