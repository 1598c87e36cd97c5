// Shared by every kernel source: the Rust side (kernels/src/cuda/source.rs) puts this
// text in front of each .cu file before NVRTC compiles it.
//
// Conventions:
// * Every kernel runs with BLOCK threads per block (the Rust side launches it so) and
//   walks its work with a grid-stride loop, so any size works with any grid.
// * Sizes and indices are 32-bit: the Rust side refuses buffers over 2^31 - 1 elements.
// * Templates carry the math; `extern "C"` wrappers named `<kernel>_f32` / `<kernel>_f64`
//   instantiate them, so the PTX entry names are stable and unmangled.
// * Reductions never use atomics. A reduced value is folded by a *group* of `group`
//   consecutive lanes (a power of two <= BLOCK chosen from the problem size alone):
//   lane l folds elements l, l + group, l + 2 group, ... in order, then the group's
//   partials are combined by a pairwise tree in shared memory, always in the same order.
//   So a result depends only on the input and its shape: bit-identical run to run.

typedef unsigned int u32;

#define BLOCK 256
#define MAX_RANK 8

// The logistic sigmoid, stable for any x: e^x / (1 + e^x) for x < 0 so e^-x never
// overflows (used by the elementwise ops' expressions: sigmoid, silu, softplus).
template <typename T> __device__ T logistic(T x) {
    if (x >= T(0)) return T(1) / (T(1) + exp(-x));
    T e = exp(x);
    return e / (T(1) + e);
}

// The first index this thread handles in a grid-stride loop, and the stride.
__device__ __forceinline__ u32 grid_start() { return blockIdx.x * blockDim.x + threadIdx.x; }
__device__ __forceinline__ u32 grid_step() { return gridDim.x * blockDim.x; }

struct SumOp {
    template <typename T> __device__ __forceinline__ T operator()(T a, T b) const { return a + b; }
};

// Maximum that propagates NaN (a NaN anywhere gives NaN), as the CPU `max_axis`.
struct MaxOp {
    template <typename T> __device__ __forceinline__ T operator()(T a, T b) const {
        if (a != a) return a;
        if (b != b) return b;
        return a > b ? a : b;
    }
};

// Maximum that ignores NaN, as Rust's `f64::max` (used by the CPU softmax).
struct FmaxOp {
    template <typename T> __device__ __forceinline__ T operator()(T a, T b) const { return fmax(a, b); }
};

// How a block's BLOCK threads split into groups of `group` lanes, each group folding one
// reduced value. `first` walks the reduced values in grid-stride rounds: every thread of
// the block runs the same number of rounds (needed for __syncthreads in group_reduce).
struct Groups {
    u32 group, lane, per_block;
    __device__ Groups(u32 group_) : group(group_), lane(threadIdx.x & (group_ - 1)), per_block(BLOCK / group_) {}
    // The reduced value this thread's group handles in the round starting at `first`.
    __device__ u32 item(u32 first) const { return first + threadIdx.x / group; }
    __device__ u32 first() const { return blockIdx.x * per_block; }
    __device__ u32 step() const { return gridDim.x * per_block; }
};

// Combines the `v` of each group of `group` lanes by a fixed pairwise tree; every lane of
// the group gets the result. All threads of the block must call it (it synchronises).
template <typename T, typename Op>
__device__ T group_reduce(T* shared, T v, u32 group, Op op) {
    u32 t = threadIdx.x;
    shared[t] = v;
    __syncthreads();
    for (u32 s = group / 2; s > 0; s /= 2) {
        if ((t & (group - 1)) < s) shared[t] = op(shared[t], shared[t + s]);
        __syncthreads();
    }
    T r = shared[t & ~(group - 1)];
    __syncthreads();
    return r;
}

// A strided walk over an index space of `rank` axes (last axis fastest): index i maps
// to offsets into up to three buffers (`out`, `a`, `b`), each with its own strides.
// Strides of 0 broadcast. Matches `StridedAxes` in kernels/src/cuda/binary.rs.
struct StridedAxes {
    u32 rank;
    u32 dim[MAX_RANK];
    u32 out[MAX_RANK];
    u32 a[MAX_RANK];
    u32 b[MAX_RANK];
};

struct Offsets {
    u32 out, a, b;
};

__device__ __forceinline__ Offsets locate(const StridedAxes& s, u32 i) {
    Offsets o = {0, 0, 0};
    for (int ax = (int)s.rank - 1; ax >= 0; --ax) {
        u32 d = i % s.dim[ax];
        i /= s.dim[ax];
        o.out += d * s.out[ax];
        o.a += d * s.a[ax];
        o.b += d * s.b[ax];
    }
    return o;
}
