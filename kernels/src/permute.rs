//! Permuting the axes of a row-major tensor: `out[i_0, ..., i_{k-1}] = x[j]` where
//! output axis `a` is input axis `axes[a]`. The output is written in order, in runs
//! along its innermost axis (`Broadcast::strided`, with axes merged where the input
//! steps through them alike), each run a slice copy when the input is contiguous
//! along it and a strided gather otherwise; in parallel over fixed chunks.

use crate::broadcast::Broadcast;
use crate::element::Element;
use crate::parallel::for_each_chunk_mut;

/// The shape of `shape` with its axes permuted by `axes`.
pub fn permuted_shape(shape: &[usize], axes: &[usize]) -> Vec<usize> {
    axes.iter().map(|&a| shape[a]).collect()
}

/// Writes `x` (row-major `shape`) with its axes permuted by `axes` into `out`.
/// Panics if `axes` is not a permutation of the axes or the lengths disagree.
pub fn permute<T: Element>(x: &[T], shape: &[usize], axes: &[usize], out: &mut [T]) {
    let mut seen = vec![false; shape.len()];
    let valid = axes.len() == shape.len() && axes.iter().all(|&a| a < shape.len() && !std::mem::replace(&mut seen[a], true));
    assert!(valid, "permute: axes {axes:?} are not a permutation of the {} axes of a tensor of shape {shape:?}", shape.len());
    assert!(x.len() == out.len() && x.len() == shape.iter().product::<usize>(), "permute: buffers of {} and {} elements for shape {shape:?}", x.len(), out.len());
    let mut strides = vec![1; shape.len()];
    for ax in (0..shape.len().saturating_sub(1)).rev() {
        strides[ax] = strides[ax + 1] * shape[ax + 1];
    }
    let walk = Broadcast::strided(&permuted_shape(shape, axes), axes.iter().map(|&a| [strides[a]]));
    let [step] = walk.inner_strides();
    for_each_chunk_mut(out, #[inline(always)] |off, o| {
        walk.for_each_run(off..off + o.len(), #[inline(always)] |start, [src], n| {
            let o = &mut o[start - off..start - off + n];
            if step == 1 {
                o.copy_from_slice(&x[src..src + n]);
            } else {
                for (i, v) in o.iter_mut().enumerate() {
                    *v = x[src + i * step];
                }
            }
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every permutation of a 4-axis tensor against coordinate arithmetic.
    #[test]
    fn matches_coordinate_arithmetic_for_every_permutation() {
        let shape = [2, 3, 1, 4];
        let x: Vec<f64> = (0..24).map(f64::from).collect();
        let perms: Vec<[usize; 4]> = (0..256)
            .map(|c| [c % 4, c / 4 % 4, c / 16 % 4, c / 64])
            .filter(|p| (0..4).all(|a| p.contains(&a)))
            .collect();
        assert_eq!(perms.len(), 24);
        for axes in perms {
            let out_shape = permuted_shape(&shape, &axes);
            let mut out = vec![0.0; 24];
            permute(&x, &shape, &axes, &mut out);
            for (flat, &v) in out.iter().enumerate() {
                let (mut rem, mut idx) = (flat, [0; 4]);
                for a in (0..4).rev() {
                    idx[axes[a]] = rem % out_shape[a];
                    rem /= out_shape[a];
                }
                let src = ((idx[0] * 3 + idx[1]) * 1 + idx[2]) * 4 + idx[3];
                assert_eq!(v, x[src], "axes {axes:?}, output element {flat}");
            }
        }
    }

    #[test]
    #[should_panic(expected = "permute: axes [0, 0] are not a permutation of the 2 axes of a tensor of shape [2, 3]")]
    fn rejects_a_repeated_axis() {
        permute(&[0.0f32; 6], &[2, 3], &[0, 0], &mut [0.0; 6]);
    }
}
