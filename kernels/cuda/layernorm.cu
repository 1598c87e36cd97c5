// Layer normalisation over the last axis of x: [rows, cols], with per-column scale
// gamma and shift beta:
//   mu = (1/n) sum_j x_j,  var = (1/n) sum_j (x_j - mu)^2  (two passes),
//   rstd = 1 / sqrt(var + eps),  xhat_j = (x_j - mu) rstd,  y_j = gamma_j xhat_j + beta_j.
// The forward also writes mu and rstd per row, which the backward reads:
//   with h_j = g_j gamma_j:  dx_j = rstd (h_j - mean_k h_k - xhat_j mean_k (h_k xhat_k)),
//   dgamma_j = sum_rows g_j xhat_j,  dbeta_j = sum_rows g_j.
// A group of lanes folds each row (or, for dgamma / dbeta, each column) in the fixed
// order described in common.cuh.

template <typename T>
__device__ void layernorm_forward(const T* x, const T* gamma, const T* beta, T* y, T* mean,
                                  T* rstd, u32 rows, u32 cols, T eps, u32 group) {
    __shared__ T shared[BLOCK];
    Groups gr(group);
    for (u32 first = gr.first(); first < rows; first += gr.step()) {
        u32 r = gr.item(first);
        bool live = r < rows;
        const T* xr = x + (live ? r : 0) * cols;
        T s = T(0);
        if (live)
            for (u32 j = gr.lane; j < cols; j += group) s += xr[j];
        T mu = group_reduce(shared, s, group, SumOp()) / T(cols);
        T q = T(0);
        if (live)
            for (u32 j = gr.lane; j < cols; j += group) q += (xr[j] - mu) * (xr[j] - mu);
        T var = group_reduce(shared, q, group, SumOp()) / T(cols);
        T rs = T(1) / sqrt(var + eps);
        if (live) {
            for (u32 j = gr.lane; j < cols; j += group)
                y[r * cols + j] = gamma[j] * ((xr[j] - mu) * rs) + beta[j];
            if (gr.lane == 0) {
                mean[r] = mu;
                rstd[r] = rs;
            }
        }
    }
}

template <typename T>
__device__ void layernorm_backward(const T* x, const T* gamma, const T* mean, const T* rstd,
                                   const T* g, T* dx, u32 rows, u32 cols, u32 group) {
    __shared__ T shared[BLOCK];
    Groups gr(group);
    for (u32 first = gr.first(); first < rows; first += gr.step()) {
        u32 r = gr.item(first);
        bool live = r < rows;
        u32 base = (live ? r : 0) * cols;
        T mu = live ? mean[r] : T(0), rs = live ? rstd[r] : T(0);
        T sh = T(0), shx = T(0);
        if (live)
            for (u32 j = gr.lane; j < cols; j += group) {
                T h = g[base + j] * gamma[j];
                sh += h;
                shx += h * ((x[base + j] - mu) * rs);
            }
        T mean_h = group_reduce(shared, sh, group, SumOp()) / T(cols);
        T mean_hx = group_reduce(shared, shx, group, SumOp()) / T(cols);
        if (live)
            for (u32 j = gr.lane; j < cols; j += group) {
                T xhat = (x[base + j] - mu) * rs;
                dx[base + j] = rs * (g[base + j] * gamma[j] - mean_h - xhat * mean_hx);
            }
    }
}

template <typename T>
__device__ void layernorm_param_backward(const T* x, const T* mean, const T* rstd, const T* g,
                                         T* dgamma, T* dbeta, u32 rows, u32 cols, u32 group) {
    __shared__ T shared[BLOCK];
    Groups gr(group);
    for (u32 first = gr.first(); first < cols; first += gr.step()) {
        u32 c = gr.item(first);
        bool live = c < cols;
        T sgx = T(0), sg = T(0);
        if (live)
            for (u32 r = gr.lane; r < rows; r += group) {
                T gv = g[r * cols + c];
                sgx += gv * ((x[r * cols + c] - mean[r]) * rstd[r]);
                sg += gv;
            }
        T total_gx = group_reduce(shared, sgx, group, SumOp());
        T total_g = group_reduce(shared, sg, group, SumOp());
        if (live && gr.lane == 0) {
            dgamma[c] = total_gx;
            dbeta[c] = total_g;
        }
    }
}

#define INSTANTIATE(T, S)                                                                      \
    extern "C" __global__ void layernorm_forward_##S(const T* x, const T* gamma, const T* beta,\
                                                     T* y, T* mean, T* rstd, u32 rows,         \
                                                     u32 cols, T eps, u32 group) {             \
        layernorm_forward<T>(x, gamma, beta, y, mean, rstd, rows, cols, eps, group);           \
    }                                                                                          \
    extern "C" __global__ void layernorm_backward_##S(const T* x, const T* gamma,             \
                                                      const T* mean, const T* rstd,            \
                                                      const T* g, T* dx, u32 rows, u32 cols,   \
                                                      u32 group) {                             \
        layernorm_backward<T>(x, gamma, mean, rstd, g, dx, rows, cols, group);                 \
    }                                                                                          \
    extern "C" __global__ void layernorm_param_backward_##S(const T* x, const T* mean,        \
                                                            const T* rstd, const T* g,         \
                                                            T* dgamma, T* dbeta, u32 rows,     \
                                                            u32 cols, u32 group) {             \
        layernorm_param_backward<T>(x, mean, rstd, g, dgamma, dbeta, rows, cols, group);       \
    }
INSTANTIATE(float, f32)
INSTANTIATE(double, f64)
