/* Counter-based random numbers (a SplitMix64-style mixer over the triple
 * seed, stream, counter) and a small sequential generator. */
#include "core/core.h"

#include <math.h>

static inline uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t rng_hash(uint64_t seed, uint64_t stream, uint64_t counter) {
    uint64_t h = mix64(seed + 0x9e3779b97f4a7c15ULL);
    h = mix64(h ^ (stream * 0xd1b54a32d192ed03ULL));
    return mix64(h ^ (counter + 0x632be59bd9b4e019ULL));
}

float rng_uniform(uint64_t seed, uint64_t stream, uint64_t counter) {
    return (float)(rng_hash(seed, stream, counter) >> 40) * (1.0f / 16777216.0f);
}

float rng_normal(uint64_t seed, uint64_t stream, uint64_t counter) {
    /* Box-Muller on two independent uniforms from one 64-bit hash. */
    uint64_t h = rng_hash(seed, stream, counter);
    double u1 = ((double)(h >> 32) + 1.0) / 4294967297.0;   /* (0,1) */
    double u2 = (double)(h & 0xffffffffu) / 4294967296.0;   /* [0,1) */
    return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

uint64_t rng_next_u64(rng_state *r) {
    r->s += 0x9e3779b97f4a7c15ULL;
    return mix64(r->s);
}

float rng_next_float(rng_state *r) {
    return (float)(rng_next_u64(r) >> 40) * (1.0f / 16777216.0f);
}
