// Sum and max over the middle axis of x viewed as [outer, len, inner]:
// out[o, i] = fold(x[o, 0, i], ..., x[o, len - 1, i]). An empty axis gives the fold's
// identity (0 for sum, -inf for max). Max propagates NaN like the CPU `max_axis`.
// A group of lanes folds each output in the fixed order described in common.cuh.

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

#define INSTANTIATE(T, S)                                                                       \
    extern "C" __global__ void sum_axis_##S(const T* x, T* out, u32 outer, u32 len, u32 inner, \
                                            u32 group) {                                        \
        reduce_axis<T>(x, out, outer, len, inner, group, T(0), SumOp());                       \
    }                                                                                           \
    extern "C" __global__ void max_axis_##S(const T* x, T* out, u32 outer, u32 len, u32 inner, \
                                            u32 group) {                                        \
        reduce_axis<T>(x, out, outer, len, inner, group, -T(1) / T(0), MaxOp());               \
    }
INSTANTIATE(float, f32)
INSTANTIATE(double, f64)
