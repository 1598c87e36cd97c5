// Data movement: the work of the shape primitives (reshape aside, which is a plain copy).
//
// strided_copy: dst[dst_base + walk(i).out] = src[src_base + walk(i).a] for every index
//   i of the walked shape (`axes.b` is unused). With the right strides this is
//   broadcasting (stride 0), a permutation of axes, or a window of one axis (narrow,
//   concat, and their VJPs).
// index_select_forward: y[o, j, c] = x[o, idx[j], c] for x viewed as [outer, len, inner]
//   and y as [outer, k, inner].
// index_select_backward: dx[o, r, c] = sum_{p in starts[r] .. starts[r + 1]} g[o, picks[p], c],
//   where picks[starts[r] ..] lists, in increasing order, the j with idx[j] = r (made
//   on the host). One thread per dx element adds its terms in that fixed order, from
//   0: the CPU's order, so the result is the CPU's bits and needs no atomics.

template <typename T>
__device__ void strided_copy(const T* src, T* dst, StridedAxes axes, u32 n, u32 src_base, u32 dst_base) {
    for (u32 i = grid_start(); i < n; i += grid_step()) {
        Offsets o = locate(axes, i);
        dst[dst_base + o.out] = src[src_base + o.a];
    }
}

template <typename T>
__device__ void index_select_forward(const T* x, const u32* idx, T* y, u32 len, u32 k, u32 inner, u32 n) {
    for (u32 i = grid_start(); i < n; i += grid_step()) {
        u32 c = i % inner, j = (i / inner) % k, o = i / (inner * k);
        y[i] = x[(o * len + idx[j]) * inner + c];
    }
}

template <typename T>
__device__ void index_select_backward(const T* g, const u32* starts, const u32* picks, T* dx, u32 len, u32 k,
                                      u32 inner, u32 n) {
    for (u32 i = grid_start(); i < n; i += grid_step()) {
        u32 c = i % inner, r = (i / inner) % len, o = i / (inner * len);
        T acc = T(0);
        for (u32 p = starts[r]; p < starts[r + 1]; ++p) acc += g[(o * k + picks[p]) * inner + c];
        dx[i] = acc;
    }
}

#define INSTANTIATE(T, S)                                                                           \
    extern "C" __global__ void strided_copy_##S(const T* src, T* dst, StridedAxes axes, u32 n,     \
                                                u32 src_base, u32 dst_base) {                       \
        strided_copy<T>(src, dst, axes, n, src_base, dst_base);                                     \
    }                                                                                               \
    extern "C" __global__ void index_select_forward_##S(const T* x, const u32* idx, T* y, u32 len, \
                                                        u32 k, u32 inner, u32 n) {                  \
        index_select_forward<T>(x, idx, y, len, k, inner, n);                                       \
    }                                                                                               \
    extern "C" __global__ void index_select_backward_##S(const T* g, const u32* starts,            \
                                                         const u32* picks, T* dx, u32 len, u32 k,  \
                                                         u32 inner, u32 n) {                        \
        index_select_backward<T>(g, starts, picks, dx, len, k, inner, n);                           \
    }
INSTANTIATE(float, f32)
INSTANTIATE(double, f64)
