//! Data movement on the device (`kernels/cuda/copy.cu`): strided copies (broadcast,
//! permute, windows of one axis) and gathering / scatter-adding along one axis by index.

use super::binary::{StridedAxes, MAX_RANK};
use super::buffer::{DeviceBuffer, GpuElement};
use super::device::Device;
use super::error::CudaError;
use super::launch::{count, elementwise};
use super::source::{Kernel, Source};
use crate::reduce::split_axis;
use cudarc::driver::PushKernelArg;

const STRIDED: Kernel = Kernel::typed(Source::Copy, "strided_copy");
const SELECT: Kernel = Kernel::typed(Source::Copy, "index_select_forward");
const SELECT_BACKWARD: Kernel = Kernel::typed(Source::Copy, "index_select_backward");
pub(crate) const KERNELS: &[Kernel] = &[STRIDED, SELECT, SELECT_BACKWARD];

/// `dst[dst_offset + sum_k j_k dst_strides[k]] = src[src_offset + sum_k j_k src_strides[k]]`
/// for every index `j` of the shape `dims` (last axis fastest). A source stride of 0
/// broadcasts; permuted strides transpose; offsets select a window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StridedCopy {
    pub dims: Vec<usize>,
    pub src_strides: Vec<usize>,
    pub src_offset: usize,
    pub dst_strides: Vec<usize>,
    pub dst_offset: usize,
}

impl StridedCopy {
    /// Row-major strides of `shape`.
    pub fn contiguous_strides(shape: &[usize]) -> Vec<usize> {
        let mut strides = vec![1; shape.len()];
        for ax in (0..shape.len().saturating_sub(1)).rev() {
            strides[ax] = strides[ax + 1] * shape[ax + 1];
        }
        strides
    }

    fn numel(&self) -> usize {
        self.dims.iter().product()
    }

    /// One past the last element reached through `strides` from `offset` (0 if empty).
    fn reach(&self, offset: usize, strides: &[usize]) -> usize {
        if self.numel() == 0 {
            return 0;
        }
        offset + 1 + self.dims.iter().zip(strides).map(|(&d, &s)| (d - 1) * s).sum::<usize>()
    }

    fn axes(&self) -> StridedAxes {
        let mut s = StridedAxes { rank: self.dims.len() as u32, ..Default::default() };
        for ax in 0..self.dims.len() {
            s.dim[ax] = self.dims[ax] as u32;
            s.out[ax] = self.dst_strides[ax] as u32;
            s.a[ax] = self.src_strides[ax] as u32;
        }
        s
    }
}

/// The positions `j` with `indices[j] = r`, grouped by `r` in increasing order:
/// `(starts, picks)` with `picks[starts[r] .. starts[r + 1]]` those of `r`.
fn inverse_index(indices: &[usize], len: usize) -> (Vec<u32>, Vec<u32>) {
    let mut starts = vec![0u32; len + 1];
    for &i in indices {
        starts[i + 1] += 1;
    }
    for r in 0..len {
        starts[r + 1] += starts[r];
    }
    let mut next = starts.clone();
    let mut picks = vec![0u32; indices.len()];
    for (j, &i) in indices.iter().enumerate() {
        picks[next[i] as usize] = j as u32;
        next[i] += 1;
    }
    (starts, picks)
}

/// `(len, k, inner, n)` of a gather along `axis` of `shape` with `k` indices, after
/// checking the indices and the buffer lengths.
fn select_geometry(what: &str, shape: &[usize], axis: usize, indices: &[usize], x_len: usize, y_len: usize) -> [u32; 4] {
    let (outer, len, inner) = split_axis(shape, axis);
    assert_eq!(x_len, outer * len * inner, "cuda {what}: the source holds {x_len} elements, shape {shape:?}");
    assert_eq!(y_len, outer * indices.len() * inner, "cuda {what}: the result holds {y_len} elements, expected {}", outer * indices.len() * inner);
    if let Some(bad) = indices.iter().find(|&&i| i >= len) {
        panic!("cuda {what}: index {bad} out of range for axis {axis} of shape {shape:?}");
    }
    count(what, x_len);
    [len as u32, count(what, indices.len()), inner as u32, count(what, y_len)]
}

impl Device {
    /// Copies `src` into `dst` along `walk`. Panics if the walk reaches outside either
    /// buffer or has more than 8 axes.
    pub fn strided_copy<T: GpuElement>(
        &self,
        src: &DeviceBuffer<T>,
        dst: &mut DeviceBuffer<T>,
        walk: &StridedCopy,
    ) -> Result<(), CudaError> {
        let rank = walk.dims.len();
        assert!(
            rank <= MAX_RANK && walk.src_strides.len() == rank && walk.dst_strides.len() == rank,
            "cuda strided_copy: {walk:?} needs at most {MAX_RANK} axes and one stride per axis"
        );
        let (src_reach, dst_reach) = (walk.reach(walk.src_offset, &walk.src_strides), walk.reach(walk.dst_offset, &walk.dst_strides));
        assert!(
            src_reach <= src.len() && dst_reach <= dst.len(),
            "cuda strided_copy: {walk:?} reaches {src_reach} / {dst_reach} elements of buffers of {} / {}",
            src.len(),
            dst.len()
        );
        count("strided_copy", src_reach.max(dst_reach));
        let n = count("strided_copy", walk.numel());
        if n == 0 {
            return Ok(());
        }
        let f = self.function(STRIDED, T::DTYPE)?;
        let (axes, src_base, dst_base) = (walk.axes(), walk.src_offset as u32, walk.dst_offset as u32);
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(src.raw()).arg(dst.raw_mut()).arg(&axes).arg(&n).arg(&src_base).arg(&dst_base);
        // SAFETY: the arguments match `strided_copy_<T>`; the walk stays inside both buffers.
        unsafe { launch.launch(elementwise(n)) }?;
        Ok(())
    }

    /// `y[o, j, c] = x[o, indices[j], c]` around `axis` of `x`'s `shape`.
    pub fn index_select<T: GpuElement>(
        &self,
        x: &DeviceBuffer<T>,
        shape: &[usize],
        axis: usize,
        indices: &[usize],
        y: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        let [len, k, inner, n] = select_geometry("index_select", shape, axis, indices, x.len(), y.len());
        if n == 0 {
            return Ok(());
        }
        let idx = self.upload(&indices.iter().map(|&i| i as u32).collect::<Vec<u32>>())?;
        let f = self.function(SELECT, T::DTYPE)?;
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(x.raw()).arg(idx.raw()).arg(y.raw_mut()).arg(&len).arg(&k).arg(&inner).arg(&n);
        // SAFETY: the arguments match `index_select_forward_<T>`; indices are below len.
        unsafe { launch.launch(elementwise(n)) }?;
        Ok(())
    }

    /// The VJP of [`Device::index_select`]: `dx[o, r, c] = sum_{j : indices[j] = r} g[o, j, c]`,
    /// summed in increasing `j` (zero where `r` is not picked).
    pub fn index_select_backward<T: GpuElement>(
        &self,
        g: &DeviceBuffer<T>,
        shape: &[usize],
        axis: usize,
        indices: &[usize],
        dx: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        let [len, k, inner, _] = select_geometry("index_select backward", shape, axis, indices, dx.len(), g.len());
        let n = count("index_select backward", dx.len());
        if n == 0 {
            return Ok(());
        }
        let (starts, picks) = inverse_index(indices, len as usize);
        let (starts, picks) = (self.upload(&starts)?, self.upload(&picks)?);
        let f = self.function(SELECT_BACKWARD, T::DTYPE)?;
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(g.raw()).arg(starts.raw()).arg(picks.raw()).arg(dx.raw_mut());
        launch.arg(&len).arg(&k).arg(&inner).arg(&n);
        // SAFETY: the arguments match `index_select_backward_<T>`; picks are below k.
        unsafe { launch.launch(elementwise(n)) }?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inverse_index_lists_positions_in_order() {
        // indices [2, 0, 2] over 3 rows: row 0 <- [1], row 1 <- [], row 2 <- [0, 2].
        assert_eq!(inverse_index(&[2, 0, 2], 3), (vec![0, 1, 1, 3], vec![1, 0, 2]));
    }

    #[test]
    fn a_walk_reaches_its_last_element() {
        let walk = StridedCopy {
            dims: vec![2, 3],
            src_strides: vec![0, 1],
            src_offset: 4,
            dst_strides: StridedCopy::contiguous_strides(&[2, 3]),
            dst_offset: 0,
        };
        assert_eq!(walk.dst_strides, vec![3, 1]);
        assert_eq!((walk.reach(4, &walk.src_strides), walk.reach(0, &walk.dst_strides)), (7, 6));
    }
}
