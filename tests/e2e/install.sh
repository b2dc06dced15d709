#!/bin/sh
# make install: the binary, both libraries, the headers and attn.pc land under
# PREFIX; a program built with `pkg-config --cflags --libs attn` (shared) and
# with `pkg-config --static` (libattn.a) links and runs; make uninstall
# removes every installed file. Uses the default build (build/).
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# a clean make: not the variables of a make that runs this test (make asan's OPT, BUILD)
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u OPT make -s --no-print-directory "$@"; }
mk install PREFIX="$tmp/prefix" > "$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; exit 1; }
for f in bin/attn lib/libattn.a lib/libattn.so lib/pkgconfig/attn.pc include/attn/attn.h include/attn/model.h; do
    [ -f "$tmp/prefix/$f" ] || { echo "make install did not install $f"; exit 1; }
done
"$tmp/prefix/bin/attn" --version > /dev/null
cat > "$tmp/hello.c" <<'C'
#include <attn/attn.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    const char *s = attn_status_string(ATTN_ERR_OUT_OF_MEMORY);
    printf("%s %s\n", ATTN_VERSION_STRING, s);
    return s && *s ? 0 : 1;
}
C
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
[ "$(pkg-config --modversion attn)" = "$(sed -n 's/^#define ATTN_VERSION_STRING "\(.*\)"/\1/p' include/attn/attn.h)" ] \
    || { echo "attn.pc has the wrong version"; exit 1; }
# shellcheck disable=SC2046
cc -o "$tmp/hello" "$tmp/hello.c" $(pkg-config --cflags --libs attn) || { echo "linking libattn.so with attn.pc failed"; exit 1; }
LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/hello" > /dev/null || { echo "the program linked with libattn.so failed"; exit 1; }
# shellcheck disable=SC2046
cc -o "$tmp/hello_static" "$tmp/hello.c" $(pkg-config --cflags attn) "$tmp/prefix/lib/libattn.a" \
    $(pkg-config --static --libs-only-other --libs-only-l attn | sed 's/-lattn//') \
    || { echo "linking libattn.a with pkg-config --static failed"; exit 1; }
"$tmp/hello_static" > /dev/null || { echo "the program linked with libattn.a failed"; exit 1; }
mk uninstall PREFIX="$tmp/prefix" > /dev/null
left=$(find "$tmp/prefix" -type f | wc -l)
[ "$left" -eq 0 ] || { echo "make uninstall left $left files"; find "$tmp/prefix" -type f; exit 1; }
echo "install ok"
