/* GGUF reader: a small valid file built byte by byte (values, arrays,
 * tensors of several types), then hostile variants of it (truncated at every
 * byte, huge counts and lengths, offsets past the end or misaligned, unknown
 * types, duplicates, deep nesting): each is an error with a message naming
 * the file, never a crash (run under ASan by make asan). */
#include "test.h"

#include "attn/gguf.h"
#include "core/core.h"
#include "io/gguf.h"
#include "io/gguf_quants.h"
#include "tokenizers/tokenizer_impl.h"

#include <inttypes.h>
#include <unistd.h>

/* ---- a byte builder ---------------------------------------------------------- */

typedef struct buf {
    unsigned char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *src, size_t n) {
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}
static void put_le(buf *b, uint64_t v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = i < 8 ? (unsigned char)(v >> (8 * i)) : 0;
        put(b, &c, 1);
    }
}
static void u32(buf *b, uint32_t v) { put_le(b, v, 4); }
static void u64(buf *b, uint64_t v) { put_le(b, v, 8); }
static void str(buf *b, const char *s) {
    u64(b, strlen(s));
    put(b, s, strlen(s));
}
static void f32v(buf *b, float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    u32(b, u);
}
static void patch(unsigned char *p, size_t at, uint64_t v, size_t n) {
    for (size_t i = 0; i < n; i++) p[at + i] = (unsigned char)(v >> (8 * i));
}

/* Offsets of fields the hostile tests change. */
static struct {
    size_t version, n_tensors, n_kv, key0_len, kv0_type, arr_len, str_len, nested, bool_val;
    size_t t_ndim[3], t_dim0[3], t_type[3], t_off[3], t_name[3];
    size_t data;
} at;

/* The valid file: 15 key/values of every type, 3 tensors (F32 [3, 2], Q4_0
 * [32, 2], F16 [5]) aligned to 32, the last one ending the file. */
static buf valid_file(void) {
    buf b = { 0 };
    put(&b, "GGUF", 4);
    at.version = b.n;
    u32(&b, 3);
    at.n_tensors = b.n;
    u64(&b, 3);
    at.n_kv = b.n;
    u64(&b, 15);
    at.key0_len = b.n;
    str(&b, "general.architecture");
    at.kv0_type = b.n;
    u32(&b, GGUF_V_STRING);
    at.str_len = b.n;
    str(&b, "llama");
    str(&b, "v.u8"), u32(&b, GGUF_V_U8), put_le(&b, 200, 1);
    str(&b, "v.i8"), u32(&b, GGUF_V_I8), put_le(&b, 0x80, 1);                 /* -128 */
    str(&b, "v.u16"), u32(&b, GGUF_V_U16), put_le(&b, 65535, 2);
    str(&b, "v.i16"), u32(&b, GGUF_V_I16), put_le(&b, 0xfffe, 2);             /* -2 */
    str(&b, "v.u32"), u32(&b, GGUF_V_U32), u32(&b, 4000000000u);
    str(&b, "v.i32"), u32(&b, GGUF_V_I32), u32(&b, (uint32_t)-7);
    str(&b, "v.f32"), u32(&b, GGUF_V_F32), f32v(&b, 0.1f);
    str(&b, "v.bool"), u32(&b, GGUF_V_BOOL);
    at.bool_val = b.n;
    put_le(&b, 1, 1);
    str(&b, "v.u64"), u32(&b, GGUF_V_U64), u64(&b, UINT64_MAX);
    str(&b, "v.i64"), u32(&b, GGUF_V_I64), u64(&b, (uint64_t)INT64_MIN);
    str(&b, "v.f64"), u32(&b, GGUF_V_F64);
    double d = 1e300;
    put(&b, &d, 8);
    str(&b, "v.arr_i32"), u32(&b, GGUF_V_ARRAY), u32(&b, GGUF_V_I32);
    at.arr_len = b.n;
    u64(&b, 3), u32(&b, 1), u32(&b, (uint32_t)-2), u32(&b, 3);
    str(&b, "v.arr_str"), u32(&b, GGUF_V_ARRAY), u32(&b, GGUF_V_STRING), u64(&b, 2), str(&b, "a"), str(&b, "");
    str(&b, "v.nested"), u32(&b, GGUF_V_ARRAY), u32(&b, GGUF_V_ARRAY);
    at.nested = b.n;
    u64(&b, 2);
    u32(&b, GGUF_V_U8), u64(&b, 2), put_le(&b, 0x0201, 2);
    u32(&b, GGUF_V_STRING), u64(&b, 1), str(&b, "x");
    /* tensors */
    const char *names[3] = { "a", "b", "c" };
    const uint32_t types[3] = { GGUF_T_F32, GGUF_T_Q4_0, GGUF_T_F16 };
    const int nd[3] = { 2, 2, 1 };
    const uint64_t dims[3][2] = { { 3, 2 }, { 32, 2 }, { 5, 1 } };
    const uint64_t offs[3] = { 0, 32, 96 };   /* 24 bytes, 36 bytes, 10 bytes */
    for (int t = 0; t < 3; t++) {
        at.t_name[t] = b.n;
        str(&b, names[t]);
        at.t_ndim[t] = b.n;
        u32(&b, (uint32_t)nd[t]);
        at.t_dim0[t] = b.n;
        for (int k = 0; k < nd[t]; k++) u64(&b, dims[t][k]);
        at.t_type[t] = b.n;
        u32(&b, types[t]);
        at.t_off[t] = b.n;
        u64(&b, offs[t]);
    }
    while (b.n % 32) put_le(&b, 0, 1);
    at.data = b.n;
    for (int i = 0; i < 6; i++) f32v(&b, (float)i - 2.5f);       /* a */
    put_le(&b, 0, 8);
    for (int blk = 0; blk < 2; blk++) {                          /* b: d = 0.5, q = j % 16 */
        put_le(&b, gguf_f32_to_f16(0.5f), 2);
        for (int j = 0; j < 16; j++) put_le(&b, (uint64_t)(j | (15 - j) << 4), 1);
    }
    put_le(&b, 0, 96 - 68);
    for (int i = 0; i < 5; i++) put_le(&b, gguf_f32_to_f16((float)i * 0.25f), 2);   /* c */
    return b;
}

/* Opens bytes [0, n) of p; returns the status, checks the message names the file. */
static attn_status open_bytes(const unsigned char *p, size_t n) {
    gguf_file *f = NULL;
    attn_status st = gguf_open_memory(p, n, "hostile.gguf", &f);
    if (st == ATTN_OK) {
        gguf_close(f);
    } else {
        CHECK(f == NULL);
        CHECK(strncmp(attn_last_error(), "hostile.gguf: ", 14) == 0);
    }
    return st;
}

/* The valid file with one field changed; the status of opening it. */
static attn_status open_patched(size_t where, uint64_t v, size_t n) {
    buf b = valid_file();
    patch(b.p, where, v, n);
    attn_status st = open_bytes(b.p, b.n);
    free(b.p);
    return st;
}

static bool msg_has(const char *s) {
    bool ok = strstr(attn_last_error(), s) != NULL;
    if (!ok) fprintf(stderr, "  message '%s' lacks '%s'\n", attn_last_error(), s);
    return ok;
}

TEST("gguf: a valid file's metadata, tensors and values") {
    buf b = valid_file();
    gguf_file *f = NULL;
    CHECK_OK(gguf_open_memory(b.p, b.n, "valid.gguf", &f));
    if (!f) goto out;
    CHECK(f->version == 3 && f->alignment == 32 && f->n_kv == 15 && f->n_tensors == 3);
    CHECK(f->data_offset == at.data);
    gguf_str s;
    CHECK_OK(gguf_get_string(f, "general.architecture", &s));
    CHECK(s.n == 5 && memcmp(s.p, "llama", 5) == 0);
    char *cs = NULL;
    CHECK_OK(gguf_get_cstring(f, "general.architecture", &cs));
    CHECK(cs && strcmp(cs, "llama") == 0);
    attn_free(cs);
    uint32_t u = 0;
    int32_t i = 0;
    uint64_t u6 = 0;
    float fl = 0;
    bool bo = false;
    CHECK_OK(gguf_get_u32(f, "v.u8", &u));
    CHECK(u == 200);
    CHECK_OK(gguf_get_i32(f, "v.i8", &i));
    CHECK(i == -128);
    CHECK_OK(gguf_get_u32(f, "v.u16", &u));
    CHECK(u == 65535);
    CHECK_OK(gguf_get_i32(f, "v.i16", &i));
    CHECK(i == -2);
    CHECK_OK(gguf_get_u32(f, "v.u32", &u));
    CHECK(u == 4000000000u);
    CHECK_STATUS(gguf_get_i32(f, "v.u32", &i), ATTN_ERR_FORMAT);   /* does not fit */
    CHECK(msg_has("valid.gguf: metadata key 'v.u32' = 4000000000 is out of range for INT32"));
    CHECK_OK(gguf_get_i32(f, "v.i32", &i));
    CHECK(i == -7);
    CHECK_STATUS(gguf_get_u32(f, "v.i32", &u), ATTN_ERR_FORMAT);
    CHECK_OK(gguf_get_f32(f, "v.f32", &fl));
    CHECK(fl == 0.1f);
    CHECK_OK(gguf_get_bool(f, "v.bool", &bo));
    CHECK(bo);
    CHECK_OK(gguf_get_u64(f, "v.u64", &u6));
    CHECK(u6 == UINT64_MAX);
    const gguf_kv *kv = gguf_find(f, "v.i64");
    CHECK(kv && kv->v.type == GGUF_V_I64 && kv->v.i == INT64_MIN);
    CHECK_OK(gguf_get_f32(f, "v.f64", &fl));
    CHECK(isinf(fl));
    CHECK_STATUS(gguf_get_u32(f, "general.architecture", &u), ATTN_ERR_FORMAT);
    CHECK(msg_has("'general.architecture' is STRING, not an integer"));
    CHECK_STATUS(gguf_get_u32(f, "no.such.key", &u), ATTN_ERR_FORMAT);
    CHECK(msg_has("valid.gguf: metadata key 'no.such.key' is missing"));
    CHECK(gguf_find(f, "no.such.key") == NULL);

    const gguf_value *a = NULL;
    CHECK_OK(gguf_get_array(f, "v.arr_i32", GGUF_V_I32, &a));
    int64_t x = 0;
    CHECK(a && a->arr.n == 3 && gguf_arr_i64(a, 1, &x) && x == -2);
    CHECK(a && !gguf_arr_i64(a, 3, &x));
    CHECK_STATUS(gguf_get_array(f, "v.arr_i32", GGUF_V_STRING, &a), ATTN_ERR_FORMAT);
    CHECK(msg_has("is an ARRAY of INT32, not of STRING"));
    CHECK_OK(gguf_get_array(f, "v.arr_str", GGUF_V_STRING, &a));
    gguf_str s0 = gguf_arr_str(a, 0), s1 = gguf_arr_str(a, 1);
    CHECK(s0.n == 1 && s0.p[0] == 'a' && s1.n == 0);
    CHECK_OK(gguf_get_array(f, "v.nested", GGUF_V_ARRAY, &a));
    gguf_value e0 = gguf_arr_get(a, 0), e1 = gguf_arr_get(a, 1);
    CHECK(e0.type == GGUF_V_ARRAY && e0.arr.elem == GGUF_V_U8 && e0.arr.n == 2 && gguf_arr_i64(&e0, 1, &x) && x == 2);
    CHECK(e1.type == GGUF_V_ARRAY && e1.arr.n == 1 && gguf_arr_str(&e1, 0).n == 1);

    const gguf_tensor *ta = gguf_find_tensor(f, "a"), *tb = gguf_find_tensor(f, "b"), *tc = gguf_find_tensor(f, "c");
    CHECK(ta && tb && tc && !gguf_find_tensor(f, "d"));
    if (ta && tb && tc) {
        CHECK(ta->ndim == 2 && ta->ne[0] == 3 && ta->ne[1] == 2 && ta->ne[2] == 1 && ta->numel == 6 && ta->nbytes == 24);
        CHECK(tb->type == GGUF_T_Q4_0 && tb->nbytes == 36 && tb->data == b.p + at.data + 32);
        CHECK(tc->ndim == 1 && tc->numel == 5 && tc->nbytes == 10);
        float va[6], vb[64], vc[5];
        CHECK_OK(gguf_tensor_f32(f, ta, va, 6));
        CHECK_OK(gguf_tensor_f32(f, tb, vb, 64));
        CHECK_OK(gguf_tensor_f32(f, tc, vc, 5));
        for (int k = 0; k < 6; k++) CHECK(va[k] == (float)k - 2.5f);
        for (int k = 0; k < 16; k++) {
            CHECK(vb[k] == 0.5f * (float)(k - 8) && vb[32 + k] == vb[k]);
            CHECK(vb[16 + k] == 0.5f * (float)(15 - k - 8));
        }
        for (int k = 0; k < 5; k++) CHECK(vc[k] == (float)k * 0.25f);
        CHECK_STATUS(gguf_tensor_f32(f, ta, va, 5), ATTN_ERR_INVALID_ARG);
    }
    gguf_close(f);
out:
    free(b.p);
}

TEST("gguf: the file read from disk (mmap), version 2 too, and a missing or empty file") {
    buf b = valid_file();
    patch(b.p, at.version, 2, 4);
    const char *path = test_tmp_path("v2.gguf");
    CHECK_OK(file_write_atomic(path, b.p, b.n));
    gguf_file *f = NULL;
    CHECK_OK(gguf_open(path, &f));
    CHECK(f && f->version == 2 && f->n_tensors == 3 && gguf_find_tensor(f, "c"));
    gguf_close(f);
    const char *empty = test_tmp_path("empty.gguf");
    CHECK_OK(file_write_atomic(empty, "", 0));
    CHECK_STATUS(gguf_open(empty, &f), ATTN_ERR_FORMAT);
    CHECK(msg_has("empty.gguf: file is empty"));
    CHECK(gguf_open(test_tmp_path("missing.gguf"), &f) != ATTN_OK && f == NULL);
    CHECK(msg_has("missing.gguf"));
    free(b.p);
}

TEST("gguf: every truncation of a valid file is an error") {
    buf b = valid_file();
    int bad = 0;
    for (size_t n = 0; n < b.n; n++) {
        /* a copy of exactly n bytes, so that ASan sees any read past it */
        unsigned char *p = malloc(n ? n : 1);
        memcpy(p, b.p, n);
        if (open_bytes(p, n) == ATTN_OK) {
            bad++;
            fprintf(stderr, "  truncation to %zu bytes opened\n", n);
        }
        free(p);
    }
    CHECK(bad == 0);
    CHECK(open_bytes(b.p, b.n) == ATTN_OK);
    free(b.p);
}

TEST("gguf: header: magic, versions, huge counts") {
    buf b = valid_file();
    b.p[0] = 'X';
    CHECK_STATUS(open_bytes(b.p, b.n), ATTN_ERR_FORMAT);
    CHECK(msg_has("not a GGUF file"));
    free(b.p);
    CHECK_STATUS(open_patched(at.version, 1, 4), ATTN_ERR_UNSUPPORTED);
    CHECK(msg_has("version 1 is not supported"));
    CHECK_STATUS(open_patched(at.version, 0x03000000, 4), ATTN_ERR_UNSUPPORTED);
    CHECK(msg_has("big-endian"));
    CHECK_STATUS(open_patched(at.version, 4, 4), ATTN_ERR_UNSUPPORTED);
    CHECK_STATUS(open_patched(at.n_kv, UINT64_MAX, 8), ATTN_ERR_FORMAT);
    CHECK(msg_has("key/value count 18446744073709551615 cannot fit"));
    CHECK_STATUS(open_patched(at.n_kv, (uint64_t)1 << 40, 8), ATTN_ERR_FORMAT);
    CHECK_STATUS(open_patched(at.n_tensors, UINT64_MAX / 2, 8), ATTN_ERR_FORMAT);
    CHECK(msg_has("tensor count"));
    CHECK_STATUS(open_patched(at.n_kv, 16, 8), ATTN_ERR_FORMAT);   /* one more than there are */
    CHECK_STATUS(open_patched(at.n_tensors, 4, 8), ATTN_ERR_FORMAT);
}

TEST("gguf: metadata: lengths past the end, unknown types, bad bools, deep nesting, duplicates") {
    CHECK_STATUS(open_patched(at.key0_len, UINT64_MAX, 8), ATTN_ERR_FORMAT);
    CHECK(msg_has("key/value 0: key at offset 24 has length 18446744073709551615"));
    CHECK_STATUS(open_patched(at.key0_len, 0, 8), ATTN_ERR_FORMAT);   /* empty key */
    CHECK_STATUS(open_patched(at.str_len, (uint64_t)1 << 62, 8), ATTN_ERR_FORMAT);
    CHECK(msg_has("key 'general.architecture': string value"));
    CHECK_STATUS(open_patched(at.kv0_type, 13, 4), ATTN_ERR_FORMAT);
    CHECK(msg_has("value type at offset"));
    CHECK(msg_has("is 13, not a GGUF value type"));
    CHECK_STATUS(open_patched(at.kv0_type, 0xffffffffu, 4), ATTN_ERR_FORMAT);
    CHECK_STATUS(open_patched(at.arr_len, UINT64_MAX, 8), ATTN_ERR_FORMAT);
    CHECK(msg_has("key 'v.arr_i32': array of 18446744073709551615 INT32"));
    CHECK_STATUS(open_patched(at.arr_len, UINT64_MAX / 4 + 1, 8), ATTN_ERR_FORMAT);   /* n * 4 wraps to 0 */
    CHECK_STATUS(open_patched(at.nested, UINT64_MAX / 12 + 1, 8), ATTN_ERR_FORMAT);
    CHECK_STATUS(open_patched(at.bool_val, 2, 1), ATTN_ERR_FORMAT);
    CHECK(msg_has("BOOL value at offset"));
    CHECK_STATUS(open_patched(at.arr_len - 4, 99, 4), ATTN_ERR_FORMAT);   /* element type */
    CHECK(msg_has("array element type"));
    /* key 0 renamed to key 1's name: same length "general.architecture" -> no; rename v.u8 to v.i8 */
    buf b = valid_file();
    unsigned char *k = memmem(b.p, b.n, "v.u8", 4);
    if (k) k[2] = 'i';
    CHECK_STATUS(open_bytes(b.p, b.n), ATTN_ERR_FORMAT);
    CHECK(msg_has("duplicate key 'v.i8'"));
    if (k) memcpy(k, "v\xff" "u8", 4);   /* not UTF-8 */
    CHECK_STATUS(open_bytes(b.p, b.n), ATTN_ERR_FORMAT);
    CHECK(msg_has("is not UTF-8 text"));
    if (k) memcpy(k, "v\0u8", 4);
    CHECK_STATUS(open_bytes(b.p, b.n), ATTN_ERR_FORMAT);
    free(b.p);

    /* arrays nested 9 deep, then 8 deep (the limit) */
    for (int depth = 8; depth <= 9; depth++) {
        buf c = { 0 };
        put(&c, "GGUF", 4), u32(&c, 3), u64(&c, 0), u64(&c, 1), str(&c, "deep"), u32(&c, GGUF_V_ARRAY);
        for (int dd = 1; dd < depth; dd++) u32(&c, GGUF_V_ARRAY), u64(&c, 1);
        u32(&c, GGUF_V_U8), u64(&c, 0);
        attn_status st = open_bytes(c.p, c.n);
        if (depth == 8) CHECK(st == ATTN_OK);
        else CHECK(st == ATTN_ERR_FORMAT && msg_has("nested more than 8 deep"));
        free(c.p);
    }
    /* a million nested arrays: refused at depth 8, without deep recursion */
    buf c = { 0 };
    put(&c, "GGUF", 4), u32(&c, 3), u64(&c, 0), u64(&c, 1), str(&c, "deep"), u32(&c, GGUF_V_ARRAY);
    for (int dd = 0; dd < 1000000; dd++) u32(&c, GGUF_V_ARRAY), u64(&c, 1);
    CHECK_STATUS(open_bytes(c.p, c.n), ATTN_ERR_FORMAT);
    free(c.p);
}

TEST("gguf: alignment: wrong type, not a power of two, a larger one") {
    buf b = { 0 };
    put(&b, "GGUF", 4), u32(&b, 3), u64(&b, 0), u64(&b, 1), str(&b, "general.alignment"), u32(&b, GGUF_V_U32);
    size_t v = b.n;
    u32(&b, 24);
    CHECK_STATUS(open_bytes(b.p, b.n), ATTN_ERR_FORMAT);
    CHECK(msg_has("general.alignment 24 is not a power of two"));
    patch(b.p, v, 0, 4);
    CHECK_STATUS(open_bytes(b.p, b.n), ATTN_ERR_FORMAT);
    patch(b.p, v - 4, GGUF_V_I32, 4);
    patch(b.p, v, 64, 4);
    CHECK_STATUS(open_bytes(b.p, b.n), ATTN_ERR_FORMAT);
    CHECK(msg_has("general.alignment is INT32, not UINT32"));
    patch(b.p, v - 4, GGUF_V_U32, 4);
    gguf_file *f = NULL;
    CHECK_OK(gguf_open_memory(b.p, b.n, "a.gguf", &f));
    CHECK(f && f->alignment == 64 && f->n_tensors == 0);
    gguf_close(f);
    free(b.p);
}

TEST("gguf: tensor infos: dims, types, offsets past the end, misaligned, overlapping, duplicate names") {
    CHECK_STATUS(open_patched(at.t_ndim[0], 5, 4), ATTN_ERR_FORMAT);
    CHECK(msg_has("tensor 'a': n_dims 5"));
    CHECK_STATUS(open_patched(at.t_dim0[0], UINT64_MAX, 8), ATTN_ERR_FORMAT);
    CHECK(msg_has("tensor 'a': dimension 0"));
    CHECK_STATUS(open_patched(at.t_dim0[0], (uint64_t)1 << 40, 8), ATTN_ERR_FORMAT);   /* 2^40 x 2: past the end */
    CHECK_STATUS(open_patched(at.t_dim0[0] + 8, (uint64_t)1 << 62, 8), ATTN_ERR_FORMAT);   /* 3 x 2^62 overflows */
    CHECK(msg_has("overflow"));
    CHECK_STATUS(open_patched(at.t_dim0[1], 33, 8), ATTN_ERR_FORMAT);   /* Q4_0 row not a multiple of 32 */
    CHECK(msg_has("tensor 'b': row length 33 is not a multiple of Q4_0's block of 32"));
    CHECK_STATUS(open_patched(at.t_type[0], 99, 4), ATTN_ERR_FORMAT);
    CHECK(msg_has("tensor 'a': unknown tensor type 99"));
    CHECK_STATUS(open_patched(at.t_type[0], 0xffffffffu, 4), ATTN_ERR_FORMAT);
    CHECK_STATUS(open_patched(at.t_type[0], 10, 4), ATTN_ERR_UNSUPPORTED);
    CHECK(msg_has("tensor 'a': tensor type Q2_K (10) is not supported"));
    CHECK_STATUS(open_patched(at.t_type[0], 4, 4), ATTN_ERR_UNSUPPORTED);   /* removed Q4_2 */
    CHECK_STATUS(open_patched(at.t_off[2], 4096, 8), ATTN_ERR_FORMAT);
    CHECK(msg_has("tensor 'c': data [4096, +10) lies past the end"));
    CHECK_STATUS(open_patched(at.t_off[2], UINT64_MAX - 31, 8), ATTN_ERR_FORMAT);   /* aligned, offset + size wraps */
    CHECK_STATUS(open_patched(at.t_off[1], 16, 8), ATTN_ERR_FORMAT);
    CHECK(msg_has("tensor 'b': data offset 16 is not a multiple of the alignment 32"));
    CHECK_STATUS(open_patched(at.t_off[1], 0, 8), ATTN_ERR_FORMAT);
    CHECK(msg_has("overlap"));
    CHECK_STATUS(open_patched(at.t_name[1] + 8, 'a', 1), ATTN_ERR_FORMAT);
    CHECK(msg_has("duplicate tensor name 'a'"));
    /* a zero dimension is an empty tensor, anywhere */
    CHECK(open_patched(at.t_dim0[0], 0, 8) == ATTN_OK);
}

TEST("gguf: no allocation failure crashes or leaks") {
    buf b = valid_file();
    for (long k = 0;; k++) {
        test_alloc_count = 0;
        test_alloc_fail_at = k;
        attn_set_allocator(test_failing_realloc, NULL);
        gguf_file *f = NULL;
        attn_status st = gguf_open_memory(b.p, b.n, "oom.gguf", &f);
        attn_set_allocator(NULL, NULL);
        if (st == ATTN_OK) {
            gguf_close(f);
            CHECK(k > 3);
            break;
        }
        CHECK(st == ATTN_ERR_OUT_OF_MEMORY && f == NULL);
        if (k > 1000) break;
    }
    free(b.p);
}

TEST("gguf: fp16 conversion: every half value round-trips; fp32 rounding to nearest even") {
    int bad = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        float f = gguf_f16_to_f32((uint16_t)h);
        uint16_t back = gguf_f32_to_f16(f);
        bool nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff);
        if (nan ? (back & 0x7c00) != 0x7c00 || !(back & 0x3ff) : back != h) bad++;
    }
    CHECK(bad == 0);
    CHECK(gguf_f32_to_f16(65504.0f) == 0x7bff);
    CHECK(gguf_f32_to_f16(65519.99f) == 0x7bff);
    CHECK(gguf_f32_to_f16(65520.0f) == 0x7c00);
    CHECK(gguf_f32_to_f16(1.0f + 1.0f / 2048.0f) == 0x3c00);        /* tie to even */
    CHECK(gguf_f32_to_f16(1.0f + 3.0f / 2048.0f) == 0x3c02);
    CHECK(gguf_f32_to_f16(ldexpf(1.0f, -25)) == 0x0000);            /* tie to even: zero */
    CHECK(gguf_f32_to_f16(ldexpf(1.5f, -25)) == 0x0001);
    CHECK(gguf_f32_to_f16(-ldexpf(1.0f, -24)) == 0x8001);
    CHECK(gguf_f32_to_f16(ldexpf(1023.5f, -24)) == 0x0400);         /* rounds up into the normals */
}

/* Q8_0 and Q4_1 round to the nearest step; Q4_0 maps the largest magnitude
 * to -8 and its opposite to +8, clipped to 7: up to one step there. Plus the
 * fp16 rounding of the scale (and minimum). */
TEST("gguf: quantize then dequantize Q8_0 / Q4_0 / Q4_1 stays within a step") {
    float x[64], y[64];
    unsigned char q[64 * 4];
    for (int i = 0; i < 64; i++) x[i] = sinf((float)i * 0.7f) * (i < 32 ? 3.0f : 0.01f);
    const uint32_t types[3] = { GGUF_T_Q8_0, GGUF_T_Q4_0, GGUF_T_Q4_1 };
    for (int t = 0; t < 3; t++) {
        CHECK_OK(gguf_quantize(types[t], x, q, 64));
        CHECK_OK(gguf_dequantize(types[t], q, y, 64));
        for (int blk = 0; blk < 2; blk++) {
            float amax = 0, lo = x[32 * blk], hi = lo;
            for (int j = 0; j < 32; j++) {
                amax = fmaxf(amax, fabsf(x[32 * blk + j]));
                lo = fminf(lo, x[32 * blk + j]);
                hi = fmaxf(hi, x[32 * blk + j]);
            }
            float step = t == 0 ? amax / 127 : t == 1 ? amax / 8 : (hi - lo) / 15;
            float bound = step * (t == 1 ? 1.0f : 0.5f) + amax * 0.01f;
            for (int j = 0; j < 32; j++) CHECK(fabsf(y[32 * blk + j] - x[32 * blk + j]) <= bound);
        }
    }
    CHECK_STATUS(gguf_quantize(GGUF_T_Q4_K, x, q, 64), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(gguf_quantize(GGUF_T_Q8_0, x, q, 33), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(gguf_dequantize(9, q, y, 32), ATTN_ERR_INVALID_ARG);
}

TEST("gguf: the writer's file reads back: metadata of every type, tensors of every type, alignment") {
    attn_gguf_writer *w = NULL;
    CHECK_OK(attn_gguf_writer_new(64, &w));
    if (!w) return;
    uint8_t u8 = 250;
    int16_t i16 = -300;
    float f1 = 1.5f;
    bool b = true;
    int64_t i64 = INT64_MIN;
    double d = -0.125;
    CHECK_OK(attn_gguf_writer_set(w, "v.u8", ATTN_GGUF_UINT8, &u8));
    CHECK_OK(attn_gguf_writer_set(w, "v.i16", ATTN_GGUF_INT16, &i16));
    CHECK_OK(attn_gguf_writer_set(w, "v.f32", ATTN_GGUF_FLOAT32, &f1));
    CHECK_OK(attn_gguf_writer_set(w, "v.bool", ATTN_GGUF_BOOL, &b));
    CHECK_OK(attn_gguf_writer_set(w, "v.i64", ATTN_GGUF_INT64, &i64));
    CHECK_OK(attn_gguf_writer_set(w, "v.f64", ATTN_GGUF_FLOAT64, &d));
    CHECK_OK(attn_gguf_writer_set_string(w, "v.str", "a\0b", 3));
    const char *toks[3] = { "x", "", "ÿ" };
    CHECK_OK(attn_gguf_writer_set_array(w, "v.toks", ATTN_GGUF_STRING, toks, 3));
    const bool bools[2] = { false, true };
    CHECK_OK(attn_gguf_writer_set_array(w, "v.bools", ATTN_GGUF_BOOL, bools, 2));
    const int32_t ints[2] = { 4, -5 };
    attn_gguf_array inner[2] = { { ATTN_GGUF_INT32, 2, ints }, { ATTN_GGUF_STRING, 1, toks } };
    CHECK_OK(attn_gguf_writer_set_array(w, "v.nested", ATTN_GGUF_ARRAY, inner, 2));
    CHECK_STATUS(attn_gguf_writer_set(w, "v.u8", ATTN_GGUF_UINT8, &u8), ATTN_ERR_INVALID_ARG);
    CHECK(msg_has("'v.u8' is set twice"));
    CHECK_STATUS(attn_gguf_writer_set(w, "v.s", ATTN_GGUF_STRING, &u8), ATTN_ERR_INVALID_ARG);

    float x[2 * 256];
    for (int i = 0; i < 2 * 256; i++) x[i] = sinf((float)i) * 2.0f;
    const uint32_t qtypes[6] = { GGUF_T_F32, GGUF_T_F16, GGUF_T_BF16, GGUF_T_Q8_0, GGUF_T_Q4_0, GGUF_T_Q4_1 };
    const int64_t ne[2] = { 256, 2 };
    for (int k = 0; k < 6; k++) {
        char name[32];
        snprintf(name, sizeof name, "t.%s", gguf_type_name(qtypes[k]));
        CHECK_OK(attn_gguf_writer_add_tensor_f32(w, name, qtypes[k], 2, ne, x));
    }
    unsigned char q6k[2 * 210];
    for (int i = 0; i < 2 * 210; i++) q6k[i] = (unsigned char)(i * 37);
    q6k[208] = q6k[418] = 0;
    q6k[209] = q6k[419] = 0x3c;   /* d = 1 */
    CHECK_OK(attn_gguf_writer_add_tensor(w, "t.Q6_K", GGUF_T_Q6_K, 2, ne, q6k));
    CHECK_STATUS(attn_gguf_writer_add_tensor(w, "t.Q6_K", GGUF_T_Q6_K, 2, ne, q6k), ATTN_ERR_INVALID_ARG);
    const int64_t bad[1] = { 33 };
    CHECK_STATUS(attn_gguf_writer_add_tensor_f32(w, "odd", GGUF_T_Q8_0, 1, bad, x), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_gguf_writer_add_tensor_f32(w, "k", GGUF_T_Q4_K, 2, ne, x), ATTN_ERR_INVALID_ARG);
    const char *path = test_tmp_path("written.gguf");
    CHECK_OK(attn_gguf_writer_write(w, path));
    attn_gguf_writer_free(w);

    gguf_file *f = NULL;
    CHECK_OK(gguf_open(path, &f));
    if (!f) return;
    CHECK(f->alignment == 64 && f->n_tensors == 7 && f->n_kv == 11);
    uint32_t u = 0;
    int32_t i = 0;
    float fl = 0;
    bool bo = false;
    CHECK_OK(gguf_get_u32(f, "general.alignment", &u));
    CHECK(u == 64);
    CHECK_OK(gguf_get_u32(f, "v.u8", &u));
    CHECK(u == 250);
    CHECK_OK(gguf_get_i32(f, "v.i16", &i));
    CHECK(i == -300);
    CHECK_OK(gguf_get_f32(f, "v.f32", &fl));
    CHECK(fl == 1.5f);
    CHECK_OK(gguf_get_bool(f, "v.bool", &bo));
    CHECK(bo);
    const gguf_kv *kv = gguf_find(f, "v.i64");
    CHECK(kv && kv->v.i == INT64_MIN);
    kv = gguf_find(f, "v.f64");
    CHECK(kv && kv->v.type == GGUF_V_F64 && kv->v.f == -0.125);
    gguf_str s;
    CHECK_OK(gguf_get_string(f, "v.str", &s));
    CHECK(s.n == 3 && memcmp(s.p, "a\0b", 3) == 0);
    char *cs = NULL;
    CHECK_STATUS(gguf_get_cstring(f, "v.str", &cs), ATTN_ERR_FORMAT);   /* holds a NUL */
    const gguf_value *a = NULL;
    CHECK_OK(gguf_get_array(f, "v.toks", GGUF_V_STRING, &a));
    CHECK(a && a->arr.n == 3 && gguf_arr_str(a, 1).n == 0 && gguf_arr_str(a, 2).n == 2);
    CHECK_OK(gguf_get_array(f, "v.bools", GGUF_V_BOOL, &a));
    CHECK(a && a->arr.n == 2 && !gguf_arr_get(a, 0).b && gguf_arr_get(a, 1).b);
    CHECK_OK(gguf_get_array(f, "v.nested", GGUF_V_ARRAY, &a));
    gguf_value e0 = gguf_arr_get(a, 0);
    int64_t v = 0;
    CHECK(e0.type == GGUF_V_ARRAY && e0.arr.n == 2 && gguf_arr_i64(&e0, 1, &v) && v == -5);
    for (int k = 0; k < 7; k++) {
        const gguf_tensor *t = &f->tensors[k];
        CHECK(t->offset % 64 == 0 && ((uintptr_t)t->data % 64) == 0);
        CHECK(t->ndim == 2 && t->ne[0] == 256 && t->ne[1] == 2);
        if (k < 6) {
            unsigned char want[2 * 256 * 4];
            CHECK_OK(gguf_quantize(qtypes[k], x, want, 512));
            CHECK(t->type == qtypes[k] && memcmp(t->data, want, t->nbytes) == 0);
        } else {
            CHECK(t->type == GGUF_T_Q6_K && t->nbytes == sizeof q6k && memcmp(t->data, q6k, sizeof q6k) == 0);
        }
    }
    gguf_close(f);
}

/* ---- the tokenizer from tokenizer.ggml.* --------------------------------------- */

/* Writes a GGUF holding a byte-level vocabulary: <s>, </s> (control), the
 * 256 byte tokens except those of the bytes in `missing`, merges "Ġ t",
 * "h e", "Ġt he", "1 2", a user-defined "<tool>"; model and pre as given
 * (pre NULL: absent). */
static const char *tokenizer_file(const char *name, const char *model, const char *pre, const char *missing,
                                  bool add_bos) {
    static char strs[300][8];
    const char *toks[300];
    int32_t types[300];
    int n = 0;
    toks[n] = "<s>", types[n++] = 3;
    toks[n] = "</s>", types[n++] = 3;
    uint32_t map[256];
    bpe_byte_map(map);
    for (int b = 0; b < 256; b++) {
        if (missing && strchr(missing, b) && b) continue;
        int k = utf8_encode(map[b], strs[n]);
        strs[n][k] = 0;
        toks[n] = strs[n], types[n++] = 1;
    }
    const char *merges[4] = { "Ġ t", "h e", "Ġt he", "1 2" };
    const char *merged[4] = { "Ġt", "he", "Ġthe", "12" };
    for (int i = 0; i < 4; i++) toks[n] = merged[i], types[n++] = 1;
    toks[n] = "<tool>", types[n++] = 4;
    attn_gguf_writer *w = NULL;
    attn_gguf_writer_new(0, &w);
    attn_gguf_writer_set_string(w, "tokenizer.ggml.model", model, strlen(model));
    if (pre) attn_gguf_writer_set_string(w, "tokenizer.ggml.pre", pre, strlen(pre));
    attn_gguf_writer_set_array(w, "tokenizer.ggml.tokens", ATTN_GGUF_STRING, toks, (uint64_t)n);
    attn_gguf_writer_set_array(w, "tokenizer.ggml.token_type", ATTN_GGUF_INT32, types, (uint64_t)n);
    attn_gguf_writer_set_array(w, "tokenizer.ggml.merges", ATTN_GGUF_STRING, merges, 4);
    uint32_t bos = 0, eos = 1;
    attn_gguf_writer_set(w, "tokenizer.ggml.bos_token_id", ATTN_GGUF_UINT32, &bos);
    attn_gguf_writer_set(w, "tokenizer.ggml.eos_token_id", ATTN_GGUF_UINT32, &eos);
    attn_gguf_writer_set(w, "tokenizer.ggml.add_bos_token", ATTN_GGUF_BOOL, &add_bos);
    attn_gguf_writer_set_string(w, "tokenizer.chat_template", "{{ x }}", 7);
    const char *path = test_tmp_path(name);
    CHECK_OK(attn_gguf_writer_write(w, path));
    attn_gguf_writer_free(w);
    return path;
}

static int64_t encode_str(const attn_tokenizer *tok, const char *s, int32_t *out, int64_t cap) {
    int32_t *ids = NULL;
    int64_t n = 0;
    CHECK_OK(attn_tokenizer_encode(tok, s, strlen(s), &ids, &n));
    for (int64_t i = 0; i < n && i < cap; i++) out[i] = ids[i];
    attn_free(ids);
    return n;
}

TEST("gguf tokenizer: gpt-2 and smollm pre-tokenizers, added tokens, BOS, missing bytes, refusals") {
    attn_tokenizer *tok = NULL;
    int32_t ids[64];
    /* byte ids: <s> </s> then the bytes in byte-map order, so ' ' is not simply 2 + 32: look them up.
     * "gpt-2" is llama.cpp's name for GPT-2's regex (what its converter writes) */
    CHECK_OK(attn_tokenizer_load(tokenizer_file("gpt2.gguf", "gpt2", "gpt-2", NULL, false), &tok));
    if (!tok) return;
    int32_t the = -1, t12 = -1, one = -1, two = -1, three = -1, sp = -1;
    for (int32_t i = 0; i < attn_tokenizer_vocab_size(tok); i++) {
        const char *b;
        size_t n;
        attn_tokenizer_token_bytes(tok, i, &b, &n);
        if (n == 4 && !memcmp(b, " the", 4)) the = i;
        if (n == 2 && !memcmp(b, "12", 2)) t12 = i;
        if (n == 1 && b[0] == '1') one = i;
        if (n == 1 && b[0] == '2') two = i;
        if (n == 1 && b[0] == '3') three = i;
        if (n == 1 && b[0] == ' ') sp = i;
    }
    CHECK(attn_tokenizer_vocab_size(tok) == 2 + 256 + 4 + 1);
    CHECK(encode_str(tok, " the<tool></s>", ids, 64) == 3 && ids[0] == the && ids[1] == 262 && ids[2] == 1);
    /* GPT-2's regex keeps " 123" whole: " " merges with nothing, "12" does */
    CHECK(encode_str(tok, " 123", ids, 64) == 3 && ids[0] == sp && ids[1] == t12 && ids[2] == three);
    attn_tokenizer_free(tok);

    CHECK_OK(attn_tokenizer_load(tokenizer_file("smollm.gguf", "gpt2", "smollm", NULL, true), &tok));
    if (!tok) return;
    /* each digit alone: no "12" */
    CHECK(encode_str(tok, " 123", ids, 64) == 4 && ids[0] == sp && ids[1] == one && ids[2] == two && ids[3] == three);
    int32_t *pids = NULL, *ptypes = NULL;
    int64_t pn = 0;
    CHECK_OK(attn_tokenizer_encode_pair(tok, " the", 4, NULL, 0, 0, &pids, &ptypes, &pn));
    CHECK(pn == 2 && pids && pids[0] == 0 && pids[1] == the);   /* add_bos_token */
    attn_free(pids);
    attn_free(ptypes);
    char *text = NULL;
    size_t len = 0;
    int64_t n = encode_str(tok, "<s>x 1</s>", ids, 64);
    CHECK_OK(attn_tokenizer_decode(tok, ids, n, &text, &len));
    CHECK(text && len == 10 && memcmp(text, "<s>x 1</s>", 10) == 0);
    attn_free(text);
    attn_tokenizer_free(tok);

    /* a vocabulary without the token for byte 0x04: that byte is left out and counted (pre-tokenizer
     * "gpt2", the name attn convert wrote before it wrote llama.cpp's, read as "gpt-2") */
    CHECK_OK(attn_tokenizer_load(tokenizer_file("missing.gguf", "gpt2", "gpt2", "\x04", false), &tok));
    if (!tok) return;
    int64_t before = attn_tokenizer_unknown_count(tok);
    n = encode_str(tok, "h\x04" "e", ids, 64);   /* three pieces by the regex; the middle one empty */
    CHECK(n == 2);
    CHECK(attn_tokenizer_unknown_count(tok) == before + 1);
    CHECK_OK(attn_tokenizer_decode(tok, ids, n, &text, &len));
    CHECK(text && len == 2 && !memcmp(text, "he", 2));
    attn_free(text);
    /* within one piece the neighbours of a dropped byte meet: "!\x04!" is "!!" */
    CHECK(encode_str(tok, "!\x04!", ids, 64) == 2 && ids[0] == ids[1]);
    CHECK(encode_str(tok, "\x04", ids, 64) == 0);
    attn_tokenizer_free(tok);

    CHECK_STATUS(attn_tokenizer_load(tokenizer_file("llama3.gguf", "gpt2", "llama3", NULL, false), &tok),
                 ATTN_ERR_UNSUPPORTED);
    CHECK(msg_has("pre-tokenizer (tokenizer.ggml.pre) \"llama3\" is not supported (attn supports \"gpt-2\", "
                  "\"smollm\" and \"bloom\")"));
    CHECK_STATUS(attn_tokenizer_load(tokenizer_file("nopre.gguf", "gpt2", NULL, NULL, false), &tok),
                 ATTN_ERR_UNSUPPORTED);
    CHECK(msg_has("tokenizer.ggml.pre is missing"));
    CHECK_STATUS(attn_tokenizer_load(tokenizer_file("spm.gguf", "llama", "default", NULL, false), &tok),
                 ATTN_ERR_UNSUPPORTED);
    CHECK(msg_has("tokenizer.ggml.model \"llama\" is not supported"));

    attn_gguf *g = NULL;
    CHECK_OK(attn_gguf_open(test_tmp_path("smollm.gguf"), &g));
    attn_gguf_specials sp2;
    CHECK_OK(attn_gguf_special_tokens(g, &sp2));
    CHECK(sp2.bos == 0 && sp2.eos == 1 && sp2.unk == -1 && sp2.pad == -1 && sp2.add_bos && !sp2.add_eos);
    char *tmpl = NULL;
    CHECK_OK(attn_gguf_chat_template(g, &tmpl));
    CHECK(tmpl && !strcmp(tmpl, "{{ x }}"));
    attn_free(tmpl);
    attn_gguf_close(g);
}

TEST("gguf tokenizer: no allocation failure while building one crashes or leaks") {
    const char *path = tokenizer_file("oom_tok.gguf", "gpt2", "smollm", "\x04", true);
    bool built = false;
    for (long k = 0; k < 5000 && !built; k++) {
        attn_tokenizer *tok = NULL;
        test_alloc_count = 0;
        test_alloc_fail_at = k;
        attn_set_allocator(test_failing_realloc, NULL);
        attn_status st = attn_tokenizer_load(path, &tok);
        attn_set_allocator(NULL, NULL);
        if (st == ATTN_OK) {
            built = true;
            CHECK(k > 5);
            attn_tokenizer_free(tok);
        } else {
            CHECK(tok == NULL && attn_last_error()[0]);
        }
    }
    CHECK(built);
}
