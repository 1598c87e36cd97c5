// Elementwise unary maps: forward y_i = f(x_i) and backward dx_i = g_i f'(x_i).
// The derivative is stated from x or from y = f(x), whichever is cheaper, exactly as
// the CPU primitives in autodiff/src/ops/ do. `p` is the op's parameter (exponent of
// powf, scalar of add_scalar / mul_scalar), unused by the others.
// Op codes match `UnaryOp::code` in kernels/src/cuda/unary.rs.

enum UnaryCode {
    EXP = 0, LOG = 1, SQRT = 2, ABS = 3, RELU = 4, SIGMOID = 5, TANH = 6,
    SILU = 7, SOFTPLUS = 8, NEG = 9, SQUARE = 10, POWF = 11, ADD_SCALAR = 12, MUL_SCALAR = 13
};

// The logistic sigmoid, stable for any x: e^x / (1 + e^x) for x < 0 so e^-x never overflows.
template <typename T> __device__ T logistic(T x) {
    if (x >= T(0)) return T(1) / (T(1) + exp(-x));
    T e = exp(x);
    return e / (T(1) + e);
}

template <typename T> __device__ T unary_f(int op, T p, T x) {
    switch (op) {
        case EXP: return exp(x);
        case LOG: return log(x);
        case SQRT: return sqrt(x);
        case ABS: return fabs(x);
        case RELU: return x > T(0) ? x : T(0);
        case SIGMOID: return logistic(x);
        case TANH: return tanh(x);
        case SILU: return x * logistic(x);
        // max(x, 0) + ln(1 + e^-|x|): no exp overflows.
        case SOFTPLUS: return (x > T(0) ? x : T(0)) + log1p(exp(-fabs(x)));
        case NEG: return -x;
        case SQUARE: return x * x;
        case POWF: return pow(x, p);
        case ADD_SCALAR: return x + p;
        case MUL_SCALAR: return x * p;
    }
    return T(0) / T(0);
}

// dy/dx at x, where y = f(x).
template <typename T> __device__ T unary_df(int op, T p, T x, T y) {
    switch (op) {
        case EXP: return y;
        case LOG: return T(1) / x;
        case SQRT: return T(1) / (y + y);
        case ABS: return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0));
        case RELU: return x > T(0) ? T(1) : T(0);
        case SIGMOID: return y * (T(1) - y);
        case TANH: return T(1) - y * y;
        case SILU: {
            T s = logistic(x);
            return s * (T(1) + x * (T(1) - s));
        }
        case SOFTPLUS: return logistic(x);
        case NEG: return T(-1);
        case SQUARE: return x + x;
        case POWF: return p * pow(x, p - T(1));
        case ADD_SCALAR: return T(1);
        case MUL_SCALAR: return p;
    }
    return T(0) / T(0);
}

template <typename T> __device__ void unary_forward(int op, T p, const T* x, T* y, u32 n) {
    for (u32 i = grid_start(); i < n; i += grid_step()) y[i] = unary_f(op, p, x[i]);
}

template <typename T>
__device__ void unary_backward(int op, T p, const T* x, const T* y, const T* g, T* dx, u32 n) {
    for (u32 i = grid_start(); i < n; i += grid_step()) dx[i] = g[i] * unary_df(op, p, x[i], y[i]);
}

#define INSTANTIATE(T, S)                                                                      \
    extern "C" __global__ void unary_forward_##S(int op, T p, const T* x, T* y, u32 n) {      \
        unary_forward<T>(op, p, x, y, n);                                                      \
    }                                                                                          \
    extern "C" __global__ void unary_backward_##S(int op, T p, const T* x, const T* y,        \
                                                  const T* g, T* dx, u32 n) {                  \
        unary_backward<T>(op, p, x, y, g, dx, n);                                              \
    }
INSTANTIATE(float, f32)
INSTANTIATE(double, f64)
