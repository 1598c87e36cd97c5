// Elementwise unary maps: forward y_i = f(x_i) and backward dx_i = g_i f'(x_i).
//
// This file is a template: the Rust side (kernels/src/cuda/unary.rs) puts in front of it
// the two functions of one op, written beside that op's CPU code in autodiff/src/ops/
// (`UnaryFn::cuda`), as
//
//     template <typename T> __device__ T unary_f(T p, T x) { return <f>; }
//     template <typename T> __device__ T unary_df(T p, T x, T y) { return <df>; }
//
// with `p` the op's parameter (exponent of powf, scalar of add_scalar / mul_scalar, 0 for
// the others) and `y = f(x)`, then compiles one module per op. So an op's device code
// lives with the op, and there are no op codes to keep in step.

template <typename T> __device__ void unary_forward(T p, const T* x, T* y, u32 n) {
    for (u32 i = grid_start(); i < n; i += grid_step()) y[i] = unary_f(p, x[i]);
}

template <typename T> __device__ void unary_backward(T p, const T* x, const T* y, const T* g, T* dx, u32 n) {
    for (u32 i = grid_start(); i < n; i += grid_step()) dx[i] = g[i] * unary_df(p, x[i], y[i]);
}

#define INSTANTIATE(T, S)                                                                      \
    extern "C" __global__ void unary_forward_##S(T p, const T* x, T* y, u32 n) {              \
        unary_forward<T>(p, x, y, n);                                                          \
    }                                                                                          \
    extern "C" __global__ void unary_backward_##S(T p, const T* x, const T* y, const T* g,    \
                                                  T* dx, u32 n) {                              \
        unary_backward<T>(p, x, y, g, dx, n);                                                  \
    }
INSTANTIATE(float, f32)
INSTANTIATE(double, f64)
