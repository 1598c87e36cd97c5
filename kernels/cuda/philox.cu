// The Philox4x32-10 stream of autodiff/src/rng.rs, on the device: element i of a sample
// drawn with key k is word i % 4 of block i / 4, block b = Philox4x32-10(counter
// [b low, b high, 0, 0], key k). So the same key gives the same numbers on CPU and GPU.
//   uniform: u = (w + 0.5) / 2^32 in (0, 1), in double; lo + (hi - lo) u, then cast to T.
//   normal:  Box-Muller in double on words (0, 1) and (2, 3) of a block:
//            r = sqrt(-2 ln u0), z0 = r cos(2 pi u1), z1 = r sin(2 pi u1); cast to T.
// One thread computes one block (four elements). Counts stay below 2^31, so the block
// index's high word is 0.

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

__device__ uint4 philox4x32_10(uint4 c, u32 k0, u32 k1) {
    for (int round = 0; round < 10; ++round) {
        if (round > 0) {
            k0 += PHILOX_W0;
            k1 += PHILOX_W1;
        }
        u32 hi0 = __umulhi(PHILOX_M0, c.x), lo0 = PHILOX_M0 * c.x;
        u32 hi1 = __umulhi(PHILOX_M1, c.z), lo1 = PHILOX_M1 * c.z;
        c = make_uint4(hi1 ^ c.y ^ k0, lo1, hi0 ^ c.w ^ k1, lo0);
    }
    return c;
}

__device__ __forceinline__ uint4 stream_block(u32 b, u32 k0, u32 k1) {
    return philox4x32_10(make_uint4(b, 0u, 0u, 0u), k0, k1);
}

__device__ __forceinline__ double uniform01(u32 w) { return ((double)w + 0.5) / 4294967296.0; }

extern "C" __global__ void philox_bits(u32 k0, u32 k1, u32* out, u32 n) {
    for (u32 b = grid_start(); b < (n + 3) / 4; b += grid_step()) {
        uint4 w = stream_block(b, k0, k1);
        u32 words[4] = {w.x, w.y, w.z, w.w};
        for (u32 j = 0; j < 4 && 4 * b + j < n; ++j) out[4 * b + j] = words[j];
    }
}

template <typename T> __device__ void philox_uniform(u32 k0, u32 k1, double lo, double hi, T* out,
                                                     u32 n) {
    for (u32 b = grid_start(); b < (n + 3) / 4; b += grid_step()) {
        uint4 w = stream_block(b, k0, k1);
        u32 words[4] = {w.x, w.y, w.z, w.w};
        for (u32 j = 0; j < 4 && 4 * b + j < n; ++j) out[4 * b + j] = (T)(lo + (hi - lo) * uniform01(words[j]));
    }
}

template <typename T> __device__ void philox_normal(u32 k0, u32 k1, T* out, u32 n) {
    for (u32 b = grid_start(); b < (n + 3) / 4; b += grid_step()) {
        uint4 w = stream_block(b, k0, k1);
        double u[4] = {uniform01(w.x), uniform01(w.y), uniform01(w.z), uniform01(w.w)};
        for (u32 pair = 0; pair < 2; ++pair) {
            double r = sqrt(-2.0 * log(u[2 * pair]));
            double t = 2.0 * 3.141592653589793 * u[2 * pair + 1];
            u32 i = 4 * b + 2 * pair;
            if (i < n) out[i] = (T)(r * cos(t));
            if (i + 1 < n) out[i + 1] = (T)(r * sin(t));
        }
    }
}

#define INSTANTIATE(T, S)                                                                      \
    extern "C" __global__ void philox_uniform_##S(u32 k0, u32 k1, double lo, double hi, T* out,\
                                                  u32 n) {                                     \
        philox_uniform<T>(k0, k1, lo, hi, out, n);                                             \
    }                                                                                          \
    extern "C" __global__ void philox_normal_##S(u32 k0, u32 k1, T* out, u32 n) {              \
        philox_normal<T>(k0, k1, out, n);                                                      \
    }
INSTANTIATE(float, f32)
INSTANTIATE(double, f64)
