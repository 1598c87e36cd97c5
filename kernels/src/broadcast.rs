//! The geometry of broadcasting: how a row-major output of shape `dims` reads `K`
//! row-major operands whose shapes broadcast to it (numpy rules: missing leading
//! axes and axes of size 1 repeat), walked as contiguous runs along the innermost
//! axis so that kernels never split a flat index into coordinates per element.
//!
//! Axes of size 1 are dropped and neighbouring axes are merged whenever every operand
//! steps through them as through one axis (`stride[outer] = stride[inner] * dim[inner]`,
//! which includes two broadcast axes in a row), so `[16, 1024, 1] + [16, 1, 1]` walks
//! as 16 runs of 1024 against one scalar each. Along the innermost remaining axis
//! every operand's stride is 1 (it is read) or 0 (it is broadcast). The same walk
//! serves any strided read (`Broadcast::strided`), e.g. a permutation of axes.

use std::ops::Range;

/// The output's axes after merging, with each operand's stride along each of them.
#[derive(Clone, Debug)]
pub struct Broadcast<const K: usize> {
    dims: Vec<usize>,
    strides: Vec<[usize; K]>,
}

/// Row-major strides of `shape` seen through `out_shape`: 0 on broadcast axes.
pub fn broadcast_strides(shape: &[usize], out_shape: &[usize]) -> Vec<usize> {
    let lead = out_shape.len() - shape.len();
    let mut strides = vec![0; out_shape.len()];
    let mut s = 1;
    for i in (0..shape.len()).rev() {
        strides[lead + i] = if shape[i] == 1 { 0 } else { s };
        s *= shape[i];
    }
    strides
}

impl<const K: usize> Broadcast<K> {
    /// The walk of `out_shape` reading operands of `shapes` (each broadcastable to it;
    /// the caller has checked that).
    pub fn new(out_shape: &[usize], shapes: [&[usize]; K]) -> Self {
        let per_operand: Vec<Vec<usize>> = shapes.iter().map(|s| broadcast_strides(s, out_shape)).collect();
        Self::strided(out_shape, (0..out_shape.len()).map(|ax| std::array::from_fn(|k| per_operand[k][ax])))
    }

    /// The walk of `out_shape` reading each operand `k` with stride `strides[ax][k]`
    /// along output axis `ax` (any strides: a permutation's, say).
    pub fn strided(out_shape: &[usize], strides: impl IntoIterator<Item = [usize; K]>) -> Self {
        let (mut dims, mut merged): (Vec<usize>, Vec<[usize; K]>) = (Vec::new(), Vec::new());
        for (&d, s) in out_shape.iter().zip(strides) {
            if d == 1 {
                continue;
            }
            match (dims.last_mut(), merged.last()) {
                (Some(prev_d), Some(prev_s)) if (0..K).all(|k| prev_s[k] == s[k] * d) => {
                    *prev_d *= d;
                    *merged.last_mut().expect("merged axis exists") = s;
                }
                _ => {
                    dims.push(d);
                    merged.push(s);
                }
            }
        }
        Broadcast { dims, strides: merged }
    }

    /// Each operand's stride along the innermost run: for a broadcast, 1 where it is
    /// read and 0 where it is broadcast (all 0 for a one-element output).
    pub fn inner_strides(&self) -> [usize; K] {
        self.strides.last().copied().unwrap_or([0; K])
    }

    /// The merged axes (size-1 axes dropped).
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }

    /// Each operand's stride along each merged axis.
    pub fn strides(&self) -> &[[usize; K]] {
        &self.strides
    }

    /// Calls `f(out_offset, operand_offsets, len)` for every run of output elements
    /// in `range` that lies along the innermost axis, in increasing order; a run
    /// covers `out[out_offset..out_offset + len]` and, for operand `k`, elements
    /// `offsets[k] + i * inner_strides()[k]`. Runs are cut at the ends of `range`.
    ///
    /// The walk goes block by block, a block being the innermost two axes with the
    /// outer axes fixed: within a block, run `r` starts at the block's offsets plus
    /// `r` times the second axis's strides (a tight loop, everything in registers);
    /// only between blocks are the outer coordinates carried.
    #[inline(always)]
    pub fn for_each_run(&self, range: Range<usize>, mut f: impl FnMut(usize, [usize; K], usize)) {
        if range.is_empty() {
            return;
        }
        let nd = self.dims.len();
        if nd == 0 {
            f(range.start, [0; K], range.len());
            return;
        }
        let (inner, col_step) = (self.dims[nd - 1], self.strides[nd - 1]);
        let (rows, row_step) = if nd >= 2 { (self.dims[nd - 2], self.strides[nd - 2]) } else { (1, [0; K]) };
        let outer = nd.saturating_sub(2);
        // Coordinates of the first element: the only division in the walk.
        let mut rem = range.start;
        let mut col = rem % inner;
        rem /= inner;
        let mut row = rem % rows;
        rem /= rows;
        let mut idx = vec![0usize; outer];
        let mut base = [0usize; K];
        for ax in (0..outer).rev() {
            idx[ax] = rem % self.dims[ax];
            rem /= self.dims[ax];
            for (b, &s) in base.iter_mut().zip(&self.strides[ax]) {
                *b += idx[ax] * s;
            }
        }
        let mut pos = range.start;
        loop {
            while row < rows {
                let len = (inner - col).min(range.end - pos);
                f(pos, std::array::from_fn(|k| base[k] + row * row_step[k] + col * col_step[k]), len);
                pos += len;
                if pos == range.end {
                    return;
                }
                row += 1;
                col = 0;
            }
            row = 0;
            // Carry into the outer axes: the next block.
            let mut ax = outer;
            loop {
                ax = ax.checked_sub(1).expect("broadcast walk: range reaches past the output");
                idx[ax] += 1;
                for (b, &s) in base.iter_mut().zip(&self.strides[ax]) {
                    *b += s;
                }
                if idx[ax] < self.dims[ax] {
                    break;
                }
                for (b, &s) in base.iter_mut().zip(&self.strides[ax]) {
                    *b -= self.dims[ax] * s;
                }
                idx[ax] = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every output element's operand offsets, by per-element coordinate arithmetic.
    fn naive<const K: usize>(out_shape: &[usize], shapes: [&[usize]; K]) -> Vec<[usize; K]> {
        let strides: Vec<Vec<usize>> = shapes.iter().map(|s| broadcast_strides(s, out_shape)).collect();
        (0..out_shape.iter().product())
            .map(|flat| {
                let mut rem = flat;
                let mut off = [0; K];
                for ax in (0..out_shape.len()).rev() {
                    let d = rem % out_shape[ax];
                    rem /= out_shape[ax];
                    (0..K).for_each(|k| off[k] += d * strides[k][ax]);
                }
                off
            })
            .collect()
    }

    fn walked<const K: usize>(b: &Broadcast<K>, range: Range<usize>) -> Vec<[usize; K]> {
        let inner = b.inner_strides();
        let mut seen = Vec::new();
        let mut next = range.start;
        b.for_each_run(range, |o, off, len| {
            assert_eq!(o, next, "runs are consecutive");
            next += len;
            seen.extend((0..len).map(|i| std::array::from_fn(|k| off[k] + i * inner[k])));
        });
        seen
    }

    #[test]
    fn runs_visit_every_element_like_coordinate_arithmetic() {
        let cases: [(&[usize], [&[usize]; 2]); 8] = [
            (&[16, 1024, 48], [&[16, 1024, 48], &[16, 1, 48]]),
            (&[2, 3, 4, 5], [&[2, 1, 4, 1], &[1, 3, 1, 5]]),
            (&[3, 2, 2, 2, 3], [&[3, 1, 2, 1, 3], &[2, 1, 2, 1]]),
            (&[16, 1024, 1], [&[16, 1024, 1], &[16, 1, 1]]),
            (&[3, 4, 5], [&[4, 1], &[3, 1, 5]]),
            (&[2, 1, 3, 1], [&[1, 3, 1], &[2, 1, 1, 1]]),
            (&[7], [&[], &[7]]),
            (&[], [&[], &[]]),
        ];
        for (out, shapes) in cases {
            let b = Broadcast::new(out, shapes);
            let n: usize = out.iter().product();
            let want = naive(out, shapes);
            assert_eq!(walked(&b, 0..n), want, "{out:?} from {shapes:?}");
            // Ranges that start and end inside runs.
            for (s, e) in [(0, n / 3), (n / 3, n - n / 5), (n / 2, n)] {
                assert_eq!(walked(&b, s..e), want[s..e], "{out:?} from {shapes:?}, range {s}..{e}");
            }
        }
    }

    #[test]
    fn merges_axes_the_operands_step_through_alike() {
        let b = Broadcast::new(&[16, 1024, 1], [&[16, 1024, 1], &[16, 1, 1]]);
        assert_eq!(b.dims(), &[16, 1024]);
        assert_eq!(b.inner_strides(), [1, 0]);
        let b = Broadcast::new(&[4, 5, 6], [&[4, 5, 6], &[]]);
        assert_eq!(b.dims(), &[120]);
        assert_eq!(b.strides(), &[[1, 0]]);
    }
}
