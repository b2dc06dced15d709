/* data_impl.h — helpers the data files share: little-endian integers for the
 * shard formats (specified in include/attn/data.h), mkdir -p, and error
 * prefixes. Internal. */
#ifndef ATTN_DATA_IMPL_H
#define ATTN_DATA_IMPL_H

#include "core/core.h"

static inline void le_put_u32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}
static inline void le_put_u64(unsigned char *p, uint64_t v) {
    le_put_u32(p, (uint32_t)v);
    le_put_u32(p + 4, (uint32_t)(v >> 32));
}
static inline uint32_t le_get_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t le_get_u64(const unsigned char *p) {
    return (uint64_t)le_get_u32(p) | (uint64_t)le_get_u32(p + 4) << 32;
}

/* Maps a whole regular file read-only (shards.c). A file shorter than
 * min_size is ATTN_ERR_FORMAT "PATH: truncated WHAT ...". munmap(*map, *len). */
attn_status data_map_file(const char *path, size_t min_size, const char *what, void **map, size_t *len);

/* mkdir -p (prepare.c). */
attn_status data_dirs_ensure(const char *path);


#endif
