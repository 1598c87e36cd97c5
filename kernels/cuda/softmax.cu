// Softmax, log-softmax and logsumexp along the middle axis of x viewed as
// [outer, len, inner] (rows of a matrix: inner = 1). For one lane x_0 .. x_{len-1}:
//   m = max_j x_j,  l = ln sum_j exp(x_j - m)  (l = 0 when m is not finite),
//   logsumexp = m + l,  log_softmax_j = (x_j - m) - l,  softmax_j = exp(log_softmax_j),
// as the CPU kernels in kernels/src/softmax.rs (m and l kept apart).
// VJPs: softmax dx = y (g - sum_j g_j y_j); log_softmax dx = g - exp(y) sum_j g_j;
// logsumexp dx_j = g exp(x_j - lse).
// A group of lanes handles one lane of the tensor (fixed fold order, see common.cuh).

// Offset of element 0 of lane `o` (o in [0, outer * inner)).
__device__ __forceinline__ u32 lane_base(u32 o, u32 len, u32 inner) {
    return (o / inner) * len * inner + o % inner;
}

// (m, l) of lane `o`, or of nothing when `live` is false; every lane of the group gets it.
template <typename T> struct MaxLogSum {
    T m, l;
};

template <typename T>
__device__ MaxLogSum<T> max_log_sum(T* shared, const T* x, bool live, u32 base, u32 len,
                                     u32 inner, const Groups& gr) {
    T m = -T(1) / T(0);
    if (live)
        for (u32 k = gr.lane; k < len; k += gr.group) m = fmax(m, x[base + k * inner]);
    m = group_reduce(shared, m, gr.group, FmaxOp());
    T s = T(0);
    if (live && isfinite(m))
        for (u32 k = gr.lane; k < len; k += gr.group) s += exp(x[base + k * inner] - m);
    s = group_reduce(shared, s, gr.group, SumOp());
    MaxLogSum<T> r = {m, isfinite(m) ? log(s) : T(0)};
    return r;
}

// mode 0: softmax, mode 1: log-softmax.
template <typename T>
__device__ void softmax_forward(int mode, const T* x, T* y, u32 outer, u32 len, u32 inner,
                                u32 group) {
    __shared__ T shared[BLOCK];
    Groups gr(group);
    u32 lanes = outer * inner;
    for (u32 first = gr.first(); first < lanes; first += gr.step()) {
        u32 o = gr.item(first);
        bool live = o < lanes;
        u32 base = live ? lane_base(o, len, inner) : 0;
        MaxLogSum<T> ml = max_log_sum(shared, x, live, base, len, inner, gr);
        if (live)
            for (u32 k = gr.lane; k < len; k += group) {
                T v = (x[base + k * inner] - ml.m) - ml.l;
                y[base + k * inner] = mode == 0 ? exp(v) : v;
            }
    }
}

template <typename T>
__device__ void logsumexp_forward(const T* x, T* out, u32 outer, u32 len, u32 inner, u32 group) {
    __shared__ T shared[BLOCK];
    Groups gr(group);
    u32 lanes = outer * inner;
    for (u32 first = gr.first(); first < lanes; first += gr.step()) {
        u32 o = gr.item(first);
        bool live = o < lanes;
        MaxLogSum<T> ml = max_log_sum(shared, x, live, live ? lane_base(o, len, inner) : 0, len,
                                      inner, gr);
        if (live && gr.lane == 0) out[o] = ml.m + ml.l;
    }
}

// mode 0: softmax (y = softmax output), mode 1: log-softmax (y = log-softmax output).
template <typename T>
__device__ void softmax_backward(int mode, const T* y, const T* g, T* dx, u32 outer, u32 len,
                                 u32 inner, u32 group) {
    __shared__ T shared[BLOCK];
    Groups gr(group);
    u32 lanes = outer * inner;
    for (u32 first = gr.first(); first < lanes; first += gr.step()) {
        u32 o = gr.item(first);
        bool live = o < lanes;
        u32 base = live ? lane_base(o, len, inner) : 0;
        T acc = T(0);
        if (live)
            for (u32 k = gr.lane; k < len; k += group) {
                u32 j = base + k * inner;
                acc += mode == 0 ? g[j] * y[j] : g[j];
            }
        T total = group_reduce(shared, acc, group, SumOp());
        if (live)
            for (u32 k = gr.lane; k < len; k += group) {
                u32 j = base + k * inner;
                dx[j] = mode == 0 ? y[j] * (g[j] - total) : g[j] - exp(y[j]) * total;
            }
    }
}

// Elementwise over all of x: dx[o, k, i] = g[o, i] exp(x[o, k, i] - lse[o, i]).
template <typename T>
__device__ void logsumexp_backward(const T* x, const T* lse, const T* g, T* dx, u32 len,
                                   u32 inner, u32 n) {
    for (u32 j = grid_start(); j < n; j += grid_step()) {
        u32 o = (j / (len * inner)) * inner + j % inner;
        dx[j] = g[o] * exp(x[j] - lse[o]);
    }
}

#define INSTANTIATE(T, S)                                                                      \
    extern "C" __global__ void softmax_forward_##S(int mode, const T* x, T* y, u32 outer,     \
                                                   u32 len, u32 inner, u32 group) {            \
        softmax_forward<T>(mode, x, y, outer, len, inner, group);                              \
    }                                                                                          \
    extern "C" __global__ void logsumexp_forward_##S(const T* x, T* out, u32 outer, u32 len,  \
                                                     u32 inner, u32 group) {                   \
        logsumexp_forward<T>(x, out, outer, len, inner, group);                                \
    }                                                                                          \
    extern "C" __global__ void softmax_backward_##S(int mode, const T* y, const T* g, T* dx,  \
                                                    u32 outer, u32 len, u32 inner,             \
                                                    u32 group) {                               \
        softmax_backward<T>(mode, y, g, dx, outer, len, inner, group);                         \
    }                                                                                          \
    extern "C" __global__ void logsumexp_backward_##S(const T* x, const T* lse, const T* g,   \
                                                      T* dx, u32 len, u32 inner, u32 n) {      \
        logsumexp_backward<T>(x, lse, g, dx, len, inner, n);                                   \
    }
INSTANTIATE(float, f32)
INSTANTIATE(double, f64)
