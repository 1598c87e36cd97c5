// Broadcasting binary maps y = f(a, b) (numpy rules) and their vector-Jacobian
// products da = sum_to_shape(g df/da), db = sum_to_shape(g df/db).
// Op codes match `BinaryOp::code` in kernels/src/cuda/binary.rs; `wrt` is 0 for the
// partial with respect to a, 1 for b.

enum BinaryCode { ADD = 0, SUB = 1, MUL = 2, DIV = 3 };

template <typename T> __device__ T binary_f(int op, T a, T b) {
    switch (op) {
        case ADD: return a + b;
        case SUB: return a - b;
        case MUL: return a * b;
        case DIV: return a / b;
    }
    return T(0) / T(0);
}

// df/da (wrt = 0) or df/db (wrt = 1) at (a, b); for div, db = -y / b with y = a / b.
template <typename T> __device__ T binary_partial(int op, int wrt, T a, T b) {
    switch (op) {
        case ADD: return T(1);
        case SUB: return wrt == 0 ? T(1) : T(-1);
        case MUL: return wrt == 0 ? b : a;
        case DIV: return wrt == 0 ? T(1) / b : -(a / b) / b;
    }
    return T(0) / T(0);
}

// y[i] = f(a[.], b[.]) with `axes` walking the output shape (strides of a and b are 0 on
// broadcast axes).
template <typename T>
__device__ void binary_forward(int op, const T* a, const T* b, T* y, StridedAxes axes, u32 n) {
    for (u32 i = grid_start(); i < n; i += grid_step()) {
        Offsets o = locate(axes, i);
        y[i] = binary_f(op, a[o.a], b[o.b]);
    }
}

// grad[e] = sum_r g[out(e, r)] partial(a[.], b[.]) where `kept` walks the operand's own
// axes (e in its row-major order, n_grad values) and `reduced` the output axes it was
// broadcast along (n_reduce values). A group of lanes folds each grad[e] (see common.cuh).
template <typename T>
__device__ void binary_backward(int op, int wrt, const T* a, const T* b, const T* g, T* grad,
                                StridedAxes kept, StridedAxes reduced, u32 n_grad, u32 n_reduce,
                                u32 group) {
    __shared__ T shared[BLOCK];
    Groups gr(group);
    for (u32 first = gr.first(); first < n_grad; first += gr.step()) {
        u32 e = gr.item(first);
        T acc = T(0);
        if (e < n_grad) {
            Offsets k = locate(kept, e);
            for (u32 r = gr.lane; r < n_reduce; r += group) {
                Offsets q = locate(reduced, r);
                acc += g[k.out + q.out] * binary_partial(op, wrt, a[k.a + q.a], b[k.b + q.b]);
            }
        }
        T total = group_reduce(shared, acc, group, SumOp());
        if (e < n_grad && gr.lane == 0) grad[e] = total;
    }
}

#define INSTANTIATE(T, S)                                                                        \
    extern "C" __global__ void binary_forward_##S(int op, const T* a, const T* b, T* y,         \
                                                  StridedAxes axes, u32 n) {                     \
        binary_forward<T>(op, a, b, y, axes, n);                                                 \
    }                                                                                            \
    extern "C" __global__ void binary_backward_##S(int op, int wrt, const T* a, const T* b,     \
                                                   const T* g, T* grad, StridedAxes kept,       \
                                                   StridedAxes reduced, u32 n_grad,              \
                                                   u32 n_reduce, u32 group) {                    \
        binary_backward<T>(op, wrt, a, b, g, grad, kept, reduced, n_grad, n_reduce, group);     \
    }
INSTANTIATE(float, f32)
INSTANTIATE(double, f64)
