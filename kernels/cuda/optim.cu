// Optimiser updates, one element per thread, in place. The per-step scalars are
// computed once on the host in f64 (as autodiff/src/optim/ does) and passed in T, and
// every expression below is evaluated in the same order as the CPU, so with FMA
// contraction off (NVRTC --fmad=false) the device matches the CPU bit for bit.
//
// Adam / AdamW (l2 = wd for Adam's coupled decay, shrink = 1 - lr wd for AdamW's):
//   g' = g + l2 p,  m <- b1 m + (1 - b1) g',  v <- b2 v + (1 - b2) g'^2,
//   p <- shrink p - lr (m / bc1) / (sqrt(v / bc2) + eps),  bc = 1 - b^t.
// SGD with momentum mu:
//   v <- mu v + (g + l2 p),  p <- shrink p - lr v.

template <typename T> struct AdamScalars {
    T lr, b1, b2, one_minus_b1, one_minus_b2, bc1, bc2, eps, l2, shrink;
};

template <typename T>
__device__ void adam_step(T* p, const T* g, T* m, T* v, u32 n, AdamScalars<T> s) {
    for (u32 i = grid_start(); i < n; i += grid_step()) {
        T gi = g[i] + s.l2 * p[i];
        T mi = s.b1 * m[i] + s.one_minus_b1 * gi;
        T vi = s.b2 * v[i] + s.one_minus_b2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        T m_hat = mi / s.bc1, v_hat = vi / s.bc2;
        p[i] = s.shrink * p[i] - s.lr * m_hat / (sqrt(v_hat) + s.eps);
    }
}

template <typename T>
__device__ void sgd_step(T* p, const T* g, T* velocity, u32 n, T lr, T mu, T l2, T shrink) {
    for (u32 i = grid_start(); i < n; i += grid_step()) {
        T vi = mu * velocity[i] + (g[i] + l2 * p[i]);
        velocity[i] = vi;
        p[i] = shrink * p[i] - lr * vi;
    }
}

#define INSTANTIATE(T, S)                                                                      \
    extern "C" __global__ void adam_step_##S(T* p, const T* g, T* m, T* v, u32 n, T lr, T b1,  \
                                             T b2, T one_minus_b1, T one_minus_b2, T bc1,      \
                                             T bc2, T eps, T l2, T shrink) {                   \
        AdamScalars<T> s = {lr, b1, b2, one_minus_b1, one_minus_b2, bc1, bc2, eps, l2, shrink};\
        adam_step<T>(p, g, m, v, n, s);                                                        \
    }                                                                                          \
    extern "C" __global__ void sgd_step_##S(T* p, const T* g, T* velocity, u32 n, T lr, T mu,  \
                                            T l2, T shrink) {                                  \
        sgd_step<T>(p, g, velocity, n, lr, mu, l2, shrink);                                    \
    }
INSTANTIATE(float, f32)
INSTANTIATE(double, f64)
