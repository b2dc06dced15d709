/* Tests for src/io/safetensors.c: round trips, dtype conversion, a file written
 * by the Python safetensors package, and one test per kind of bad file.
 *
 * tests/data/st_python.safetensors was made with (torch 2.x, safetensors 0.8):
 *   .venv/bin/python -c 'import torch; from safetensors.torch import save_file; save_file({
 *     "weight": torch.arange(6, dtype=torch.float32).reshape(2, 3) * 0.5 - 1.0,
 *     "half": torch.tensor([1.0, -2.5, 2.0**-14, 65504.0, 2.0**-24], dtype=torch.float16),
 *     "brain": torch.tensor([1.5, -3.0, 1e30], dtype=torch.bfloat16),
 *     "ids": torch.tensor([[-1, 0], [7, 2**31 - 1]], dtype=torch.int64),
 *     "scalar": torch.tensor(3.25, dtype=torch.float64),
 *     "empty": torch.zeros(0, 4, dtype=torch.float32)},
 *     "tests/data/st_python.safetensors", metadata={"format": "pt", "note": "attn fixture"})' */
#include "test.h"

#include "core/core.h"
#include "io/safetensors.h"

#include <cJSON.h>
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- helpers -------------------------------------------------------------- */

/* A fresh empty file under /tmp; the caller removes it. */
static void tmp_path(char path[64]) {
    snprintf(path, 64, "/tmp/attn_test_st_XXXXXX");
    int fd = mkstemp(path);
    if (fd >= 0) close(fd);
}

/* Whether a temporary file of an atomic write of `path` ("<path>.<pid>.<n>.tmp")
 * is left in its directory (/tmp). */
static bool temp_left(const char *path) {
    const char *base = strrchr(path, '/') + 1;
    size_t n = strlen(base);
    DIR *d = opendir("/tmp");
    bool found = false;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        size_t k = strlen(e->d_name);
        if (k > n + 4 && !strncmp(e->d_name, base, n) && e->d_name[n] == '.' && !strcmp(e->d_name + k - 4, ".tmp")) found = true;
    }
    if (d) closedir(d);
    return found;
}

static bool write_bytes(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return false;
    bool ok = fwrite(p, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

/* u64 length + header + data into buf; returns the total size. */
static size_t build_file(unsigned char *buf, size_t cap, uint64_t hlen_field, const char *header,
                         const void *data, size_t ndata) {
    size_t h = strlen(header);
    if (8 + h + ndata > cap) return 0;
    for (int i = 0; i < 8; i++) buf[i] = (unsigned char)(hlen_field >> (8 * i));
    memcpy(buf + 8, header, h);
    if (ndata) memcpy(buf + 8 + h, data, ndata);
    return 8 + h + ndata;
}

/* Writes `bytes` to a temp file and checks that st_open fails with `want`,
 * leaves *out NULL, and records a message naming the file and containing
 * `keyword`. Prints what it got otherwise. */
static bool open_fails_raw(const void *bytes, size_t n, attn_status want, const char *keyword) {
    char path[64];
    tmp_path(path);
    if (!write_bytes(path, bytes, n)) {
        remove(path);
        return false;
    }
    st_file *f = (st_file *)(uintptr_t)1;
    attn_status st = st_open(path, &f);
    const char *msg = attn_last_error();
    bool ok = st == want && f == NULL && strstr(msg, keyword) && strstr(msg, path);
    if (!ok)
        fprintf(stderr, "    st_open -> %s (wanted %s), message \"%s\", wanted keyword \"%s\"\n",
                attn_status_string(st), attn_status_string(want), msg, keyword);
    if (st == ATTN_OK) st_close(f);
    remove(path);
    return ok;
}

/* The same for a file made of a header (length field correct) and data. */
static bool open_fails(const char *header, const void *data, size_t ndata, const char *keyword) {
    static unsigned char buf[8192];
    size_t n = build_file(buf, sizeof buf, strlen(header), header, data, ndata);
    return n > 0 && open_fails_raw(buf, n, ATTN_ERR_FORMAT, keyword);
}

/* Opens a file made of header + data, expecting success. */
static st_file *open_raw_ok(const char *header, const void *data, size_t ndata) {
    static unsigned char buf[8192];
    char path[64];
    tmp_path(path);
    size_t n = build_file(buf, sizeof buf, strlen(header), header, data, ndata);
    st_file *f = NULL;
    if (n && write_bytes(path, buf, n) && st_open(path, &f) != ATTN_OK)
        fprintf(stderr, "    st_open failed: %s\n", attn_last_error());
    remove(path);   /* the mapping outlives the name */
    return f;
}

static const float ZEROS[64];

/* ---- round trips ---------------------------------------------------------- */

TEST("write then open round-trips every dtype, a scalar and an empty tensor") {
    float f32[6] = { 1.f, -2.f, 3.5f, 0.f, 1e-30f, -7.25f };
    uint16_t f16[4] = { 0x3c00, 0xc000, 0x7bff, 0x0001 };
    uint16_t bf16[4] = { 0x3f80, 0xc040, 0x4049, 0x0000 };
    double f64 = 3.141592653589793;
    int64_t i64[3] = { -5, 0, (int64_t)1 << 40 };
    int32_t i32[2] = { -7, 2147483647 };
    int16_t i16[2] = { -32768, 123 };
    int8_t i8[3] = { -128, 0, 127 };
    uint8_t u8[4] = { 0, 1, 200, 255 };
    uint8_t bools[3] = { 1, 0, 1 };
    const st_entry entries[] = {
        { "f32", ST_F32, 2, (const int64_t[]){ 2, 3 }, f32 },
        { "f16", ST_F16, 1, (const int64_t[]){ 4 }, f16 },
        { "layers.0.bf16", ST_BF16, 2, (const int64_t[]){ 2, 2 }, bf16 },
        { "scalar", ST_F64, 0, NULL, &f64 },
        { "i64", ST_I64, 1, (const int64_t[]){ 3 }, i64 },
        { "i32", ST_I32, 3, (const int64_t[]){ 1, 1, 2 }, i32 },
        { "i16", ST_I16, 1, (const int64_t[]){ 2 }, i16 },
        { "empty", ST_F32, 2, (const int64_t[]){ 0, 5 }, NULL },
        { "i8", ST_I8, 1, (const int64_t[]){ 3 }, i8 },
        { "u8", ST_U8, 2, (const int64_t[]){ 2, 2 }, u8 },
        { "mask", ST_BOOL, 8, (const int64_t[]){ 1, 1, 1, 1, 1, 1, 1, 3 }, bools },
    };
    const int64_t n = (int64_t)ARRAY_LEN(entries);
    char path[64];
    tmp_path(path);
    CHECK_OK(st_write(path, entries, n, NULL));

    CHECK(!temp_left(path));

    st_file *f = NULL;
    CHECK_OK(st_open(path, &f));
    CHECK(f != NULL);
    if (f) {
        CHECK(f->n_tensors == n);
        CHECK(f->metadata_json == NULL);
        uint64_t hlen = 0;
        for (int i = 7; i >= 0; i--) hlen = (hlen << 8) | ((const unsigned char *)f->map)[i];
        CHECK(hlen % 8 == 0);
        CHECK(((const char *)f->map)[8 + hlen - 1] == ' ' || ((const char *)f->map)[8 + hlen - 1] == '}');
        const unsigned char *expect_data = (const unsigned char *)f->map + 8 + hlen;
        for (int64_t i = 0; i < n && i < f->n_tensors; i++) {
            const st_entry *e = &entries[i];
            const st_tensor *t = &f->tensors[i];
            CHECK(strcmp(t->name, e->name) == 0);
            CHECK(t->dtype == e->dtype);
            CHECK(t->ndim == e->ndim);
            int64_t numel = 1;
            for (int d = 0; d < e->ndim; d++) {
                CHECK(t->shape[d] == e->shape[d]);
                numel *= e->shape[d];
            }
            CHECK(t->numel == numel);
            CHECK(t->nbytes == (size_t)numel * st_dtype_size(e->dtype));
            CHECK(t->data == expect_data);   /* contiguous, in the given order */
            expect_data += t->nbytes;
            if (t->nbytes) CHECK(memcmp(t->data, e->data, t->nbytes) == 0);
            CHECK(st_find(f, e->name) == t);
        }
        CHECK(expect_data == (const unsigned char *)f->map + f->map_size);
        const st_tensor *s = st_find(f, "scalar");
        CHECK(s && s->ndim == 0 && s->numel == 1 && s->nbytes == 8);
        const st_tensor *em = st_find(f, "empty");
        CHECK(em && em->numel == 0 && em->nbytes == 0);
        float out = 0.f;
        if (s) CHECK_OK(st_read_f32(s, &out, 1));
        CHECK(out == 3.1415927f);
        if (em) CHECK_OK(st_read_f32(em, NULL, 0));
    }
    st_close(f);
    remove(path);
}

TEST("metadata round-trips, including characters JSON must escape") {
    const char *const meta[] = { "format", "pt", "odd \"key\"\\", "line1\nline2\ttab \xc3\xa9", NULL };
    float x = 1.f;
    const st_entry e = { "x", ST_F32, 1, (const int64_t[]){ 1 }, &x };
    char path[64];
    tmp_path(path);
    CHECK_OK(st_write(path, &e, 1, meta));
    st_file *f = NULL;
    CHECK_OK(st_open(path, &f));
    if (f) {
        CHECK(f->n_tensors == 1);
        CHECK(f->metadata_json != NULL);
        cJSON *j = f->metadata_json ? cJSON_Parse(f->metadata_json) : NULL;
        CHECK(cJSON_IsObject(j));
        CHECK(cJSON_GetArraySize(j) == 2);
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "format");
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "odd \"key\"\\");
        CHECK(cJSON_IsString(a) && strcmp(a->valuestring, "pt") == 0);
        CHECK(cJSON_IsString(b) && strcmp(b->valuestring, "line1\nline2\ttab \xc3\xa9") == 0);
        cJSON_Delete(j);
    }
    st_close(f);
    remove(path);
}

TEST("zero tensors is a valid file") {
    char path[64];
    tmp_path(path);
    CHECK_OK(st_write(path, NULL, 0, NULL));
    st_file *f = NULL;
    CHECK_OK(st_open(path, &f));
    CHECK(f && f->n_tensors == 0 && f->map_size == 16);
    if (f) CHECK(st_find(f, "x") == NULL);
    st_close(f);
    remove(path);

    f = open_raw_ok("{}", NULL, 0);
    CHECK(f && f->n_tensors == 0);
    st_close(f);
    f = open_raw_ok("{\"__metadata__\":{}}  \n", NULL, 0);
    CHECK(f && f->n_tensors == 0 && f->metadata_json && strcmp(f->metadata_json, "{}") == 0);
    st_close(f);
}

TEST("a file whose only tensors are empty has a zero-length data area") {
    const char *h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                    "\"b\":{\"dtype\":\"I64\",\"shape\":[3,0,2],\"data_offsets\":[0,0]}}";
    st_file *f = open_raw_ok(h, NULL, 0);
    CHECK(f && f->n_tensors == 2);
    if (f && f->n_tensors == 2) {
        CHECK(f->tensors[1].ndim == 3 && f->tensors[1].numel == 0 && f->tensors[1].nbytes == 0);
        CHECK_OK(st_read_i32(&f->tensors[1], NULL, 0));
    }
    st_close(f);
}

TEST("unaligned data (header length not a multiple of 8) reads correctly") {
    const char *h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[1,9]}}";   /* odd length */
    unsigned char data[9] = { 0xee };
    float v[2] = { 1.5f, -0.25f };
    memcpy(data + 1, v, sizeof v);
    st_file *f = open_raw_ok(h, data, sizeof data);
    CHECK(f && f->n_tensors == 1);
    if (f && f->n_tensors == 1) {
        float out[2] = { 0 };
        CHECK_OK(st_read_f32(&f->tensors[0], out, 2));
        CHECK(out[0] == 1.5f && out[1] == -0.25f);
    }
    st_close(f);
}

/* ---- conversion ------------------------------------------------------------ */

TEST("F16, BF16 and F64 convert to float32 exactly on known values") {
    const uint16_t f16[] = { 0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x03ff, 0x3555, 0x7c00, 0xfc00, 0x8000, 0x7e00 };
    const float f16_want[] = { 1.f, -2.f, 65504.f, 5.9604644775390625e-8f /* 2^-24 */, 6.103515625e-5f /* 2^-14 */,
                               6.0975551605224609375e-5f /* largest subnormal */, 0.333251953125f, INFINITY,
                               -INFINITY, -0.f, NAN };
    const uint16_t bf16[] = { 0x3f80, 0xc040, 0x4049, 0x0001, 0x7f80, 0x8000 };
    const float bf16_want[] = { 1.f, -3.f, 3.140625f, 9.18354961579912e-41f /* 2^-133 */, INFINITY, -0.f };
    const double f64[] = { 0.1, -1e300, 1e-50, 123456789.0 };
    const float f64_want[] = { 0.1f, -INFINITY, 0.f, 123456792.f };
    const st_entry e[] = {
        { "h", ST_F16, 1, (const int64_t[]){ (int64_t)ARRAY_LEN(f16) }, f16 },
        { "b", ST_BF16, 1, (const int64_t[]){ (int64_t)ARRAY_LEN(bf16) }, bf16 },
        { "d", ST_F64, 1, (const int64_t[]){ (int64_t)ARRAY_LEN(f64) }, f64 },
    };
    char path[64];
    tmp_path(path);
    CHECK_OK(st_write(path, e, 3, NULL));
    st_file *f = NULL;
    CHECK_OK(st_open(path, &f));
    if (f) {
        float out[16];
        CHECK_OK(st_read_f32(st_find(f, "h"), out, (int64_t)ARRAY_LEN(f16)));
        for (size_t i = 0; i + 1 < ARRAY_LEN(f16); i++) {
            CHECK(out[i] == f16_want[i]);
            CHECK(signbit(out[i]) == signbit(f16_want[i]));
        }
        CHECK(isnan(out[ARRAY_LEN(f16) - 1]));
        CHECK_OK(st_read_f32(st_find(f, "b"), out, (int64_t)ARRAY_LEN(bf16)));
        for (size_t i = 0; i < ARRAY_LEN(bf16); i++) {
            CHECK(out[i] == bf16_want[i]);
            CHECK(signbit(out[i]) == signbit(bf16_want[i]));
        }
        CHECK_OK(st_read_f32(st_find(f, "d"), out, (int64_t)ARRAY_LEN(f64)));
        for (size_t i = 0; i < ARRAY_LEN(f64); i++) CHECK(out[i] == f64_want[i]);
    }
    st_close(f);
    remove(path);
}

TEST("st_read_f32 refuses integer dtypes and a wrong element count, naming the tensor") {
    int32_t v[3] = { 1, 2, 3 };
    float fv[3] = { 1, 2, 3 };
    const st_entry e[] = {
        { "token_ids", ST_I32, 1, (const int64_t[]){ 3 }, v },
        { "proj.weight", ST_F32, 1, (const int64_t[]){ 3 }, fv },
    };
    char path[64];
    tmp_path(path);
    CHECK_OK(st_write(path, e, 2, NULL));
    st_file *f = NULL;
    CHECK_OK(st_open(path, &f));
    if (f) {
        float out[4];
        CHECK_STATUS(st_read_f32(st_find(f, "token_ids"), out, 3), ATTN_ERR_FORMAT);
        CHECK(strstr(attn_last_error(), "token_ids") && strstr(attn_last_error(), "not a float"));
        CHECK_STATUS(st_read_f32(st_find(f, "proj.weight"), out, 4), ATTN_ERR_FORMAT);
        CHECK(strstr(attn_last_error(), "proj.weight") && strstr(attn_last_error(), "expects 4"));
        int32_t iout[3];
        CHECK_STATUS(st_read_i32(st_find(f, "proj.weight"), iout, 3), ATTN_ERR_FORMAT);
        CHECK(strstr(attn_last_error(), "proj.weight") && strstr(attn_last_error(), "not an integer"));
        CHECK_STATUS(st_read_i32(st_find(f, "token_ids"), iout, 2), ATTN_ERR_FORMAT);
        CHECK(strstr(attn_last_error(), "token_ids"));
        CHECK_OK(st_read_i32(st_find(f, "token_ids"), iout, 3));
        CHECK(iout[0] == 1 && iout[1] == 2 && iout[2] == 3);
    }
    st_close(f);
    remove(path);
}

TEST("st_read_i32 widens small ints and range-checks I64") {
    int64_t ok64[3] = { INT32_MIN, -1, INT32_MAX };
    int64_t big64[2] = { 5, (int64_t)INT32_MAX + 1 };
    int16_t i16[2] = { -32768, 32767 };
    int8_t i8[2] = { -128, 127 };
    uint8_t u8[2] = { 0, 255 };
    const st_entry e[] = {
        { "ok64", ST_I64, 1, (const int64_t[]){ 3 }, ok64 },
        { "big64", ST_I64, 1, (const int64_t[]){ 2 }, big64 },
        { "i16", ST_I16, 1, (const int64_t[]){ 2 }, i16 },
        { "i8", ST_I8, 1, (const int64_t[]){ 2 }, i8 },
        { "u8", ST_U8, 1, (const int64_t[]){ 2 }, u8 },
    };
    char path[64];
    tmp_path(path);
    CHECK_OK(st_write(path, e, 5, NULL));
    st_file *f = NULL;
    CHECK_OK(st_open(path, &f));
    if (f) {
        int32_t out[3];
        CHECK_OK(st_read_i32(st_find(f, "ok64"), out, 3));
        CHECK(out[0] == INT32_MIN && out[1] == -1 && out[2] == INT32_MAX);
        CHECK_STATUS(st_read_i32(st_find(f, "big64"), out, 2), ATTN_ERR_FORMAT);
        CHECK(strstr(attn_last_error(), "big64") && strstr(attn_last_error(), "2147483648") &&
              strstr(attn_last_error(), "int32"));
        CHECK_OK(st_read_i32(st_find(f, "i16"), out, 2));
        CHECK(out[0] == -32768 && out[1] == 32767);
        CHECK_OK(st_read_i32(st_find(f, "i8"), out, 2));
        CHECK(out[0] == -128 && out[1] == 127);
        CHECK_OK(st_read_i32(st_find(f, "u8"), out, 2));
        CHECK(out[0] == 0 && out[1] == 255);
    }
    st_close(f);
    remove(path);
}

/* ---- a file nobody here wrote ------------------------------------------------ */

TEST("a file written by Python safetensors (torch) parses with the right values") {
    char path[256];
    snprintf(path, sizeof path, "%s/data/st_python.safetensors", test_data_dir());
    st_file *f = NULL;
    CHECK_OK(st_open(path, &f));
    if (!f) return;
    CHECK(f->n_tensors == 6);
    CHECK(f->metadata_json && strstr(f->metadata_json, "\"format\":\"pt\"") &&
          strstr(f->metadata_json, "\"note\":\"attn fixture\""));

    const st_tensor *w = st_find(f, "weight");
    CHECK(w && w->dtype == ST_F32 && w->ndim == 2 && w->shape[0] == 2 && w->shape[1] == 3);
    float out[8];
    if (w) {
        CHECK_OK(st_read_f32(w, out, 6));
        for (int i = 0; i < 6; i++) CHECK(out[i] == (float)i * 0.5f - 1.0f);
    }
    const st_tensor *h = st_find(f, "half");
    CHECK(h && h->dtype == ST_F16 && h->ndim == 1 && h->numel == 5);
    if (h) {
        CHECK_OK(st_read_f32(h, out, 5));
        CHECK(out[0] == 1.f && out[1] == -2.5f && out[2] == 6.103515625e-5f && out[3] == 65504.f &&
              out[4] == 5.9604644775390625e-8f);
    }
    const st_tensor *b = st_find(f, "brain");
    CHECK(b && b->dtype == ST_BF16 && b->numel == 3);
    if (b) {
        CHECK_OK(st_read_f32(b, out, 3));
        uint32_t bits;
        memcpy(&bits, &out[2], 4);
        CHECK(out[0] == 1.5f && out[1] == -3.f && bits == 0x714a0000u);   /* torch: bf16(1e30) */
    }
    const st_tensor *ids = st_find(f, "ids");
    CHECK(ids && ids->dtype == ST_I64 && ids->ndim == 2 && ids->shape[0] == 2 && ids->shape[1] == 2);
    if (ids) {
        int32_t iv[4];
        CHECK_OK(st_read_i32(ids, iv, 4));
        CHECK(iv[0] == -1 && iv[1] == 0 && iv[2] == 7 && iv[3] == INT32_MAX);
    }
    const st_tensor *s = st_find(f, "scalar");
    CHECK(s && s->dtype == ST_F64 && s->ndim == 0 && s->numel == 1);
    if (s) {
        CHECK_OK(st_read_f32(s, out, 1));
        CHECK(out[0] == 3.25f);
    }
    const st_tensor *e = st_find(f, "empty");
    CHECK(e && e->ndim == 2 && e->shape[0] == 0 && e->shape[1] == 4 && e->numel == 0 && e->nbytes == 0);
    st_close(f);
}

TEST("st_find returns NULL for an absent name without recording an error") {
    float x = 2.f;
    const st_entry e = { "present", ST_F32, 0, NULL, &x };
    char path[64];
    tmp_path(path);
    CHECK_OK(st_write(path, &e, 1, NULL));
    st_file *f = NULL;
    CHECK_OK(st_open(path, &f));
    attn_errorf(ATTN_ERR_IO, "sentinel");
    CHECK(st_find(f, "absent") == NULL);
    CHECK(st_find(f, "presen") == NULL);
    CHECK(st_find(f, "present") != NULL);
    CHECK(strcmp(attn_last_error(), "sentinel") == 0);
    st_close(f);
    st_close(NULL);
    remove(path);
}

/* ---- bad files: I/O and framing ------------------------------------------------ */

TEST("a missing file or a directory is an I/O error naming the path") {
    st_file *f = NULL;
    CHECK_STATUS(st_open("/tmp/attn_no_such_dir/none.safetensors", &f), ATTN_ERR_IO);
    CHECK(f == NULL);
    CHECK(strstr(attn_last_error(), "/tmp/attn_no_such_dir/none.safetensors") &&
          strstr(attn_last_error(), "cannot open"));
    CHECK_STATUS(st_open("/tmp", &f), ATTN_ERR_IO);
    CHECK(strstr(attn_last_error(), "not a regular file"));
}

TEST("an empty file and a file shorter than 8 bytes are rejected") {
    CHECK(open_fails_raw("", 0, ATTN_ERR_FORMAT, "shorter than"));
    CHECK(open_fails_raw("\x02\0\0\0\0", 5, ATTN_ERR_FORMAT, "shorter than"));
    CHECK(open_fails_raw("\0\0\0\0\0\0\0", 7, ATTN_ERR_FORMAT, "shorter than"));
}

TEST("a header length beyond the file or absurdly large is rejected") {
    unsigned char buf[64];
    size_t n = build_file(buf, sizeof buf, 100, "{}      ", NULL, 0);
    CHECK(open_fails_raw(buf, n, ATTN_ERR_FORMAT, "larger than the file"));
    n = build_file(buf, sizeof buf, 9, "{}      ", NULL, 0);   /* one byte too many */
    CHECK(open_fails_raw(buf, n, ATTN_ERR_FORMAT, "larger than the file"));
    n = build_file(buf, sizeof buf, (uint64_t)1 << 40, "{}      ", NULL, 0);
    CHECK(open_fails_raw(buf, n, ATTN_ERR_FORMAT, "absurd"));
    n = build_file(buf, sizeof buf, UINT64_MAX, "{}      ", NULL, 0);
    CHECK(open_fails_raw(buf, n, ATTN_ERR_FORMAT, "absurd"));
    n = build_file(buf, sizeof buf, 0, "{}      ", NULL, 0);   /* zero-length header */
    CHECK(open_fails_raw(buf, n, ATTN_ERR_FORMAT, "not valid JSON"));
}

TEST("a header that is not JSON, has trailing bytes, or is not an object is rejected") {
    CHECK(open_fails("{\"a\":", NULL, 0, "not valid JSON"));
    CHECK(open_fails("hello world", NULL, 0, "not valid JSON"));
    CHECK(open_fails("{} x", NULL, 0, "not valid JSON"));
    {
        unsigned char buf[32];
        CHECK(build_file(buf, sizeof buf, 8, "{}", NULL, 0) == 10);
        memset(buf + 10, 0, 6);   /* NUL padding instead of spaces */
        CHECK(open_fails_raw(buf, 16, ATTN_ERR_FORMAT, "not valid JSON"));
    }
    CHECK(open_fails("[1, 2]", NULL, 0, "not an object"));
    CHECK(open_fails("\"str\"", NULL, 0, "not an object"));
    CHECK(open_fails("42", NULL, 0, "not an object"));
}

/* ---- bad files: tensor entries --------------------------------------------------- */

TEST("an entry that is not an object or lacks dtype, shape or data_offsets is rejected") {
    CHECK(open_fails("{\"w\":3}", NULL, 0, "not a JSON object"));
    CHECK(open_fails("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", ZEROS, 4, "missing \"dtype\""));
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", ZEROS, 4, "missing \"shape\""));
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", ZEROS, 4, "missing \"data_offsets\""));
}

TEST("fields of the wrong JSON type are rejected") {
    CHECK(open_fails("{\"w\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", ZEROS, 4,
                     "\"dtype\" is not a string"));
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", ZEROS, 4,
                     "\"shape\" is not an array"));
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":{},\"data_offsets\":[0,4]}}", ZEROS, 4,
                     "\"shape\" is not an array"));
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}}", ZEROS, 4,
                     "non-negative integer"));
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":\"0,4\"}}", ZEROS, 4,
                     "not [begin, end]"));
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\"0\",4]}}", ZEROS, 4,
                     "non-negative integers"));
    CHECK(open_fails("{\"__metadata__\":[1],\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                     ZEROS, 4, "\"__metadata__\" is not a JSON object"));
    CHECK(open_fails("{\"__metadata__\":{\"step\":5}}", NULL, 0, "value of 'step' is not a string"));
}

TEST("an unknown dtype is rejected, naming it") {
    CHECK(open_fails("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", ZEROS, 4,
                     "unknown dtype \"F8_E4M3\""));
    CHECK(open_fails("{\"w\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", ZEROS, 4,
                     "unknown dtype \"f32\""));
}

TEST("negative or non-integer shape dims are rejected") {
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,-1],\"data_offsets\":[0,4]}}", ZEROS, 4,
                     "shape dim 1 (-1) is not a non-negative integer"));
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,4]}}", ZEROS, 4,
                     "shape dim 0 (2.5) is not a non-negative integer"));
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[1e999],\"data_offsets\":[0,4]}}", ZEROS, 4,
                     "non-negative integer"));
}

TEST("more than 8 dims is rejected") {
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", ZEROS,
                     4, "9 dims, more than 8"));
}

TEST("a shape whose byte size overflows is rejected") {
    /* numel overflows int64 */
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[9007199254740992,9007199254740992],"
                     "\"data_offsets\":[0,4]}}", ZEROS, 4, "overflows"));
    /* numel = 2^62 fits, numel * 8 does not */
    CHECK(open_fails("{\"w\":{\"dtype\":\"F64\",\"shape\":[9007199254740992,512],\"data_offsets\":[0,4]}}",
                     ZEROS, 4, "overflows"));
    /* a dim beyond what a double holds exactly */
    CHECK(open_fails("{\"w\":{\"dtype\":\"U8\",\"shape\":[1e300],\"data_offsets\":[0,4]}}", ZEROS, 4,
                     "overflows"));
}

TEST("data_offsets that are not [begin, end] with begin <= end are rejected") {
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", ZEROS, 4,
                     "not [begin, end]"));
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", ZEROS, 8,
                     "not [begin, end]"));
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", ZEROS, 8,
                     "begin <= end"));
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", ZEROS, 8,
                     "non-negative integers"));
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.5]}}", ZEROS, 8,
                     "non-negative integers"));
}

TEST("data_offsets past the end of the data area are out of range") {
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", ZEROS, 7,
                     "[0, 8] out of range (data area is 7 bytes)"));
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[100,104]}}", ZEROS, 8,
                     "out of range"));
    CHECK(open_fails("{\"w\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[1e300,1e300]}}", ZEROS, 8,
                     "out of range"));
    /* data area empty but the tensor claims bytes */
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", NULL, 0,
                     "out of range"));
}

TEST("offsets that disagree with shape x dtype size are rejected with both sizes") {
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", ZEROS, 24,
                     "shape [2, 3] needs 24 bytes but offsets give 20"));
    CHECK(open_fails("{\"s\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,4]}}", ZEROS, 8,
                     "shape [] needs 8 bytes but offsets give 4"));
}

TEST("overlapping tensors are rejected") {
    CHECK(open_fails("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                     "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", ZEROS, 16, "overlap"));
    /* listed in reverse offset order: must still be found */
    CHECK(open_fails("{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]},"
                     "\"c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[20,24]},"
                     "\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", ZEROS, 24, "overlap"));
    /* same start */
    CHECK(open_fails("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                     "\"b\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}", ZEROS, 4, "overlap"));
    /* a tensor nested inside a long one, after a short one that ends first */
    CHECK(open_fails("{\"long\":{\"dtype\":\"U8\",\"shape\":[32],\"data_offsets\":[0,32]},"
                     "\"x\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},"
                     "\"y\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[20,24]}}", ZEROS, 32, "overlap"));
    /* adjacent tensors and empty tensors anywhere are fine */
    st_file *f = open_raw_ok("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                             "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[5,5]},"
                             "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", ZEROS, 8);
    CHECK(f && f->n_tensors == 3);
    st_close(f);
}

TEST("duplicate tensor names are rejected") {
    CHECK(open_fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                     "\"v\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                     "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", ZEROS, 8,
                     "duplicate tensor name 'w'"));
    CHECK(open_fails("{\"__metadata__\":{},\"__metadata__\":{}}", NULL, 0, "appears twice"));
}

TEST("every truncation of a valid file fails cleanly") {
    float x[3] = { 1, 2, 3 };
    const st_entry e[] = { { "a", ST_F32, 1, (const int64_t[]){ 3 }, x }, { "b", ST_F32, 0, NULL, x } };
    char path[64], cut[64];
    tmp_path(path);
    tmp_path(cut);
    CHECK_OK(st_write(path, e, 2, (const char *const[]){ "k", "v", NULL }));
    char *bytes = NULL;
    size_t len = 0;
    CHECK_OK(file_read_all(path, &bytes, &len));
    for (size_t n = 0; bytes && n < len; n++) {
        CHECK(write_bytes(cut, bytes, n));
        st_file *f = NULL;
        attn_status st = st_open(cut, &f);
        CHECK(st == ATTN_ERR_FORMAT && f == NULL);
        CHECK(strstr(attn_last_error(), cut) != NULL);
        st_close(f);
    }
    attn_free(bytes);
    remove(cut);
    remove(path);
}

/* ---- st_write arguments and failures --------------------------------------------- */

TEST("st_write rejects bad entries and leaves no file behind") {
    float x = 1.f;
    char path[64];
    tmp_path(path);
    remove(path);
    const st_entry dup[] = { { "w", ST_F32, 0, NULL, &x }, { "w", ST_F32, 0, NULL, &x } };
    CHECK_STATUS(st_write(path, dup, 2, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "duplicate"));
    const st_entry bad_dtype = { "w", ST_DTYPE_COUNT, 0, NULL, &x };
    CHECK_STATUS(st_write(path, &bad_dtype, 1, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "dtype"));
    const st_entry reserved = { "__metadata__", ST_F32, 0, NULL, &x };
    CHECK_STATUS(st_write(path, &reserved, 1, NULL), ATTN_ERR_INVALID_ARG);
    const st_entry neg = { "w", ST_F32, 1, (const int64_t[]){ -1 }, &x };
    CHECK_STATUS(st_write(path, &neg, 1, NULL), ATTN_ERR_INVALID_ARG);
    const st_entry nine = { "w", ST_F32, 9, (const int64_t[]){ 1, 1, 1, 1, 1, 1, 1, 1, 1 }, &x };
    CHECK_STATUS(st_write(path, &nine, 1, NULL), ATTN_ERR_INVALID_ARG);
    const st_entry nodata = { "w", ST_F32, 0, NULL, NULL };
    CHECK_STATUS(st_write(path, &nodata, 1, NULL), ATTN_ERR_INVALID_ARG);
    const st_entry badutf8 = { "w\xff", ST_F32, 0, NULL, &x };
    CHECK_STATUS(st_write(path, &badutf8, 1, NULL), ATTN_ERR_INVALID_ARG);
    const st_entry good = { "w", ST_F32, 0, NULL, &x };
    CHECK_STATUS(st_write(path, &good, 1, (const char *const[]){ "key", NULL }), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "no value"));
    CHECK(!file_exists(path));
    CHECK_STATUS(st_write("/tmp/attn_no_such_dir/x.safetensors", &good, 1, NULL), ATTN_ERR_IO);
    CHECK(strstr(attn_last_error(), "/tmp/attn_no_such_dir/x.safetensors"));
}

TEST("st_write replaces an existing file") {
    float a = 1.f, b[2] = { 2.f, 3.f };
    char path[64];
    tmp_path(path);
    const st_entry e1 = { "a", ST_F32, 0, NULL, &a };
    const st_entry e2 = { "b", ST_F32, 1, (const int64_t[]){ 2 }, b };
    CHECK_OK(st_write(path, &e1, 1, NULL));
    CHECK_OK(st_write(path, &e2, 1, NULL));
    st_file *f = NULL;
    CHECK_OK(st_open(path, &f));
    CHECK(f && f->n_tensors == 1 && st_find(f, "b") && !st_find(f, "a"));
    st_close(f);
    remove(path);
}

/* ---- allocation failures ----------------------------------------------------------- */

static long fail_at = -1, alloc_count = 0;

static void *failing_realloc(void *ud, void *p, size_t n) {
    (void)ud;
    if (n == 0) {
        free(p);
        return NULL;
    }
    if (alloc_count++ == fail_at) return NULL;
    return realloc(p, n);
}

TEST("every allocation failure in st_write and st_open returns out-of-memory") {
    float x[4] = { 1, 2, 3, 4 };
    const st_entry e[] = { { "a", ST_F32, 1, (const int64_t[]){ 4 }, x }, { "b", ST_F32, 0, NULL, x },
                           { "c", ST_F32, 0, NULL, x } };
    const char *const meta[] = { "format", "pt", NULL };
    char path[64];
    tmp_path(path);
    attn_set_allocator(failing_realloc, NULL);
    long k;
    for (k = 0; k < 1000; k++) {
        fail_at = k;
        alloc_count = 0;
        attn_status st = st_write(path, e, 3, meta);
        if (st == ATTN_OK) break;
        CHECK(st == ATTN_ERR_OUT_OF_MEMORY);
        CHECK(!temp_left(path));
    }
    CHECK(k > 0 && k < 1000);
    for (k = 0; k < 1000; k++) {
        fail_at = k;
        alloc_count = 0;
        st_file *f = NULL;
        attn_status st = st_open(path, &f);
        if (st == ATTN_OK) {
            CHECK(f && f->n_tensors == 3);
            st_close(f);
            break;
        }
        CHECK(st == ATTN_ERR_OUT_OF_MEMORY && f == NULL);
    }
    CHECK(k > 0 && k < 1000);
    attn_set_allocator(NULL, NULL);
    fail_at = -1;
    remove(path);
}
