// Layer normalisation over the last axis of x: [rows, cols], without affine
// parameters (as autodiff/src/ops/layer_norm.rs; gain and bias are separate mul / add):
//   mu = (1/n) sum_j x_j,  sigma = sqrt((1/n) sum_j (x_j - mu)^2 + eps)  (two passes),
//   y_j = (x_j - mu) / sigma;
//   VJP dx_j = (g_j - mean(g) - y_j mean(g y)) / sigma, with sigma recomputed from x.
// A group of lanes handles one row (fixed fold order, see common.cuh).

// sigma of the row at `xr` (every lane of the group gets it); mu through `mu_out`.
template <typename T>
__device__ T row_sigma(T* shared, const T* xr, bool live, u32 cols, T eps, const Groups& gr,
                       T* mu_out) {
    T s = T(0);
    if (live)
        for (u32 j = gr.lane; j < cols; j += gr.group) s += xr[j];
    T mu = group_reduce(shared, s, gr.group, SumOp()) / T(cols);
    T q = T(0);
    if (live)
        for (u32 j = gr.lane; j < cols; j += gr.group) q += (xr[j] - mu) * (xr[j] - mu);
    T var = group_reduce(shared, q, gr.group, SumOp()) / T(cols);
    *mu_out = mu;
    return sqrt(var + eps);
}

template <typename T>
__device__ void layernorm_forward(const T* x, T* y, u32 rows, u32 cols, T eps, u32 group) {
    __shared__ T shared[BLOCK];
    Groups gr(group);
    for (u32 first = gr.first(); first < rows; first += gr.step()) {
        u32 r = gr.item(first);
        bool live = r < rows;
        u32 base = (live ? r : 0) * cols;
        T mu;
        T sigma = row_sigma(shared, x + base, live, cols, eps, gr, &mu);
        if (live)
            for (u32 j = gr.lane; j < cols; j += group) y[base + j] = (x[base + j] - mu) / sigma;
    }
}

template <typename T>
__device__ void layernorm_backward(const T* x, const T* y, const T* g, T* dx, u32 rows, u32 cols,
                                   T eps, u32 group) {
    __shared__ T shared[BLOCK];
    Groups gr(group);
    for (u32 first = gr.first(); first < rows; first += gr.step()) {
        u32 r = gr.item(first);
        bool live = r < rows;
        u32 base = (live ? r : 0) * cols;
        T mu;
        T sigma = row_sigma(shared, x + base, live, cols, eps, gr, &mu);
        T sg = T(0), sgy = T(0);
        if (live)
            for (u32 j = gr.lane; j < cols; j += group) {
                sg += g[base + j];
                sgy += g[base + j] * y[base + j];
            }
        T mean_g = group_reduce(shared, sg, group, SumOp()) / T(cols);
        T mean_gy = group_reduce(shared, sgy, group, SumOp()) / T(cols);
        if (live)
            for (u32 j = gr.lane; j < cols; j += group)
                dx[base + j] = (g[base + j] - mean_g - y[base + j] * mean_gy) / sigma;
    }
}

#define INSTANTIATE(T, S)                                                                      \
    extern "C" __global__ void layernorm_forward_##S(const T* x, T* y, u32 rows, u32 cols,    \
                                                     T eps, u32 group) {                       \
        layernorm_forward<T>(x, y, rows, cols, eps, group);                                    \
    }                                                                                          \
    extern "C" __global__ void layernorm_backward_##S(const T* x, const T* y, const T* g,     \
                                                      T* dx, u32 rows, u32 cols, T eps,        \
                                                      u32 group) {                             \
        layernorm_backward<T>(x, y, g, dx, rows, cols, eps, group);                            \
    }
INSTANTIATE(float, f32)
INSTANTIATE(double, f64)
