// Sum and max over the middle axis of x viewed as [outer, len, inner]:
// out[o, i] = fold(x[o, 0, i], ..., x[o, len - 1, i]). An empty axis gives the fold's
// identity (0 for sum, -inf for max). Max propagates NaN like the CPU `max_axis`.
// A group of lanes folds each output in the fixed order described in common.cuh.
//
// max_axis_backward: the VJP of max, one thread per lane: dx[o, k, i] = g[o, i] at the
// first k with x[o, k, i] = y[o, i] (ties go to the first maximum), 0 elsewhere; a lane
// whose maximum is NaN matches nothing and passes no gradient (as the CPU `max`).

template <typename T, typename Op>
__device__ void reduce_axis(const T* x, T* out, u32 outer, u32 len, u32 inner, u32 group, T init,
                            Op op) {
    __shared__ T shared[BLOCK];
    Groups gr(group);
    u32 n_out = outer * inner;
    for (u32 first = gr.first(); first < n_out; first += gr.step()) {
        u32 o = gr.item(first);
        T acc = init;
        if (o < n_out) {
            const T* lane = x + (o / inner) * len * inner + o % inner;
            for (u32 k = gr.lane; k < len; k += group) acc = op(acc, lane[k * inner]);
        }
        T total = group_reduce(shared, acc, group, op);
        if (o < n_out && gr.lane == 0) out[o] = total;
    }
}

template <typename T>
__device__ void max_axis_backward(const T* x, const T* y, const T* g, T* dx, u32 outer, u32 len, u32 inner) {
    u32 n_out = outer * inner;
    for (u32 o = grid_start(); o < n_out; o += grid_step()) {
        u32 base = (o / inner) * len * inner + o % inner;
        bool found = false;
        for (u32 k = 0; k < len; ++k) {
            bool hit = !found && x[base + k * inner] == y[o];
            dx[base + k * inner] = hit ? g[o] : T(0);
            found = found || hit;
        }
    }
}

#define INSTANTIATE(T, S)                                                                       \
    extern "C" __global__ void sum_axis_##S(const T* x, T* out, u32 outer, u32 len, u32 inner, \
                                            u32 group) {                                        \
        reduce_axis<T>(x, out, outer, len, inner, group, T(0), SumOp());                       \
    }                                                                                           \
    extern "C" __global__ void max_axis_##S(const T* x, T* out, u32 outer, u32 len, u32 inner, \
                                            u32 group) {                                        \
        reduce_axis<T>(x, out, outer, len, inner, group, -T(1) / T(0), MaxOp());               \
    }                                                                                           \
    extern "C" __global__ void max_axis_backward_##S(const T* x, const T* y, const T* g, T* dx, \
                                                     u32 outer, u32 len, u32 inner) {           \
        max_axis_backward<T>(x, y, g, dx, outer, len, inner);                                   \
    }
INSTANTIATE(float, f32)
INSTANTIATE(double, f64)
