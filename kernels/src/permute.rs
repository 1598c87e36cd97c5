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
                copy_run(o, &x[src..src + n]);
            } else {
                for (i, v) in o.iter_mut().enumerate() {
                    *v = x[src + i * step];
                }
            }
        })
    });
}

/// `dst = src` for one run. Short runs (a head's 8 features, say) are copied in
/// blocks of a fixed size, which compile to a few vector moves, instead of one
/// `memcpy` call per run.
#[inline(always)]
fn copy_run<T: Copy>(dst: &mut [T], src: &[T]) {
    const BLOCK: usize = 8;
    if dst.len() >= 8 * BLOCK {
        dst.copy_from_slice(src);
        return;
    }
    let (mut d, mut s) = (dst.chunks_exact_mut(BLOCK), src.chunks_exact(BLOCK));
    for (db, sb) in (&mut d).zip(&mut s) {
        let (db, sb): (&mut [T; BLOCK], &[T; BLOCK]) = (db.try_into().expect("block"), sb.try_into().expect("block"));
        *db = *sb;
    }
    for (dv, &sv) in d.into_remainder().iter_mut().zip(s.remainder()) {
        *dv = sv;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `permute` against coordinate arithmetic for one shape and permutation.
    fn check(shape: &[usize], axes: &[usize]) {
        let n: usize = shape.iter().product();
        let x: Vec<f64> = (0..n).map(|v| v as f64).collect();
        let out_shape = permuted_shape(shape, axes);
        let mut out = vec![0.0; n];
        permute(&x, shape, axes, &mut out);
        for (flat, &v) in out.iter().enumerate() {
            let (mut rem, mut idx) = (flat, vec![0; shape.len()]);
            for a in (0..shape.len()).rev() {
                idx[axes[a]] = rem % out_shape[a];
                rem /= out_shape[a];
            }
            let src = idx.iter().zip(shape).fold(0, |s, (&i, &d)| s * d + i);
            assert_eq!(v, x[src], "shape {shape:?}, axes {axes:?}, output element {flat}");
        }
    }

    #[test]
    fn matches_coordinate_arithmetic_for_every_permutation() {
        let perms: Vec<[usize; 4]> = (0..256)
            .map(|c| [c % 4, c / 4 % 4, c / 16 % 4, c / 64])
            .filter(|p| (0..4).all(|a| p.contains(&a)))
            .collect();
        assert_eq!(perms.len(), 24);
        for axes in perms {
            check(&[2, 3, 1, 4], &axes);
        }
        // Contiguous runs of 20 (blocks of 8 and a remainder), 8 (a head) and 70 (one copy).
        check(&[3, 5, 20], &[1, 0, 2]);
        check(&[2, 65, 4, 8], &[0, 2, 1, 3]);
        check(&[4, 3, 70], &[1, 0, 2]);
    }

    #[test]
    #[should_panic(expected = "permute: axes [0, 0] are not a permutation of the 2 axes of a tensor of shape [2, 3]")]
    fn rejects_a_repeated_axis() {
        permute(&[0.0f32; 6], &[2, 3], &[0, 0], &mut [0.0; 6]);
    }
}
