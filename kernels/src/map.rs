//! Elementwise maps: unary `out[i] = f(x[i])` and broadcasting binary
//! `out[idx] = f(a[idx mod shape_a], b[idx mod shape_b])` (numpy broadcasting rules).

use crate::broadcast::Broadcast;
use crate::element::Element;
use crate::parallel::for_each_chunk_mut;

/// `out[i] = f(x[i])`, in parallel over fixed chunks when large.
pub fn unary<T: Element>(x: &[T], out: &mut [T], f: impl Fn(T) -> T + Sync) {
    assert_eq!(x.len(), out.len(), "map::unary: input has {} elements, output {}", x.len(), out.len());
    for_each_chunk_mut(out, #[inline(always)] |off, o| {
        let x = &x[off..off + o.len()];
        for (oi, &xi) in o.iter_mut().zip(x) {
            *oi = f(xi);
        }
    });
}

/// `out[i] = f(a[i], b[i])` for equal-length buffers, in parallel when large.
pub fn zip<T: Element>(a: &[T], b: &[T], out: &mut [T], f: impl Fn(T, T) -> T + Sync) {
    assert!(a.len() == out.len() && b.len() == out.len(), "map::zip: lengths {} and {} into {}", a.len(), b.len(), out.len());
    for_each_chunk_mut(out, #[inline(always)] |off, o| {
        let n = o.len();
        let (a, b) = (&a[off..off + n], &b[off..off + n]);
        for ((oi, &ai), &bi) in o.iter_mut().zip(a).zip(b) {
            *oi = f(ai, bi);
        }
    });
}

/// `acc[i] = f(acc[i])` in place, in parallel when large.
pub fn update<T: Element>(acc: &mut [T], f: impl Fn(T) -> T + Sync) {
    for_each_chunk_mut(acc, #[inline(always)] |_, o| o.iter_mut().for_each(|v| *v = f(*v)));
}

/// `acc[i] += x[i]` (adding gradients of a value used twice), in parallel when large.
pub fn add_assign<T: Element>(acc: &mut [T], x: &[T]) {
    assert_eq!(acc.len(), x.len(), "map::add_assign: {} elements plus {}", acc.len(), x.len());
    for_each_chunk_mut(acc, #[inline(always)] |off, o| {
        let x = &x[off..off + o.len()];
        for (oi, &xi) in o.iter_mut().zip(x) {
            *oi = *oi + xi;
        }
    });
}

/// `acc[i] = f(acc[i], a[i], b[i])` in place (a VJP overwriting the incoming
/// gradient `acc` with `g * f'(x, y)`), in parallel when large.
pub fn update_zip<T: Element>(acc: &mut [T], a: &[T], b: &[T], f: impl Fn(T, T, T) -> T + Sync) {
    assert!(a.len() == acc.len() && b.len() == acc.len(), "map::update_zip: lengths {} and {} into {}", a.len(), b.len(), acc.len());
    for_each_chunk_mut(acc, #[inline(always)] |off, o| {
        let n = o.len();
        let (a, b) = (&a[off..off + n], &b[off..off + n]);
        for ((oi, &ai), &bi) in o.iter_mut().zip(a).zip(b) {
            *oi = f(*oi, ai, bi);
        }
    });
}

/// `acc[i] = f(acc[i], a[ia], b[ib], y[i])` in place over the broadcast shape of
/// `a_shape` and `b_shape` (`ia`, `ib`: the elements of `a` and `b` that output
/// element `i` reads; `y` and `acc` have the broadcast shape). The VJP of a
/// broadcasting binary map, overwriting the incoming gradient `acc` with
/// `g * df(a, b, y)`.
#[allow(clippy::too_many_arguments)]
pub fn update_broadcast<T: Element>(
    acc: &mut [T], a: &[T], a_shape: &[usize], b: &[T], b_shape: &[usize], y: &[T], f: impl Fn(T, T, T, T) -> T + Sync,
) {
    let shape = broadcast_shape(a_shape, b_shape)
        .unwrap_or_else(|| panic!("binary map: shapes {a_shape:?} and {b_shape:?} do not broadcast"));
    let n: usize = shape.iter().product();
    assert!(acc.len() == n && y.len() == n, "map::update_broadcast: buffers of {} and {} elements for shape {shape:?}", acc.len(), y.len());
    let walk = Broadcast::new(&shape, [a_shape, b_shape]);
    let [step_a, step_b] = walk.inner_strides();
    for_each_chunk_mut(acc, #[inline(always)] |off, o| {
        walk.for_each_run(off..off + o.len(), #[inline(always)] |start, [ia, ib], n| {
            let o = &mut o[start - off..start - off + n];
            let y = &y[start..start + n];
            for (i, (oi, &yi)) in o.iter_mut().zip(y).enumerate() {
                *oi = f(*oi, a[ia + i * step_a], b[ib + i * step_b], yi);
            }
        })
    });
}

/// `out = x` broadcast from row-major `x_shape` to row-major `out_shape` (numpy rules),
/// in parallel when large. Panics naming both shapes when `x_shape` does not broadcast.
pub fn broadcast<T: Element>(x: &[T], x_shape: &[usize], out: &mut [T], out_shape: &[usize]) {
    assert!(
        broadcast_shape(x_shape, out_shape).as_deref() == Some(out_shape),
        "broadcast_to: cannot broadcast shape {x_shape:?} to {out_shape:?}"
    );
    assert_eq!(out.len(), out_shape.iter().product::<usize>(), "broadcast: output buffer does not match {out_shape:?}");
    let walk = Broadcast::new(out_shape, [x_shape]);
    let [step] = walk.inner_strides();
    for_each_chunk_mut(out, #[inline(always)] |off, o| {
        walk.for_each_run(off..off + o.len(), #[inline(always)] |start, [ix], n| {
            let o = &mut o[start - off..start - off + n];
            if step == 1 {
                o.copy_from_slice(&x[ix..ix + n]);
            } else {
                o.fill(x[ix]);
            }
        })
    });
}

/// The shape two shapes broadcast to, or `None` if they are incompatible.
pub fn broadcast_shape(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let rank = a.len().max(b.len());
    let dim = |s: &[usize], i: usize| if i + s.len() < rank { 1 } else { s[i + s.len() - rank] };
    (0..rank)
        .map(|i| match (dim(a, i), dim(b, i)) {
            (x, y) if x == y => Some(x),
            (1, y) => Some(y),
            (x, 1) => Some(x),
            _ => None,
        })
        .collect()
}

pub use crate::broadcast::broadcast_strides;

/// Broadcasting binary map over contiguous row-major buffers; returns the output
/// shape. Walks contiguous runs (`Broadcast`), with the common cases (both operands
/// read, or one of them a scalar for the run) as plain slice loops.
pub fn binary_broadcast<T: Element>(
    a: &[T], a_shape: &[usize], b: &[T], b_shape: &[usize], out: &mut [T], f: impl Fn(T, T) -> T + Sync,
) -> Vec<usize> {
    let shape = broadcast_shape(a_shape, b_shape)
        .unwrap_or_else(|| panic!("binary map: shapes {a_shape:?} and {b_shape:?} do not broadcast"));
    if a_shape == b_shape {
        zip(a, b, out, f);
        return shape;
    }
    assert_eq!(out.len(), shape.iter().product::<usize>(), "binary map: output buffer does not match {shape:?}");
    let walk = Broadcast::new(&shape, [a_shape, b_shape]);
    let [step_a, step_b] = walk.inner_strides();
    for_each_chunk_mut(out, #[inline(always)] |off, o| {
        walk.for_each_run(off..off + o.len(), #[inline(always)] |start, [ia, ib], n| {
            let o = &mut o[start - off..start - off + n];
            match (step_a, step_b) {
                (1, 1) => {
                    for ((o, &x), &y) in o.iter_mut().zip(&a[ia..ia + n]).zip(&b[ib..ib + n]) {
                        *o = f(x, y);
                    }
                }
                (1, 0) => {
                    for (o, &x) in o.iter_mut().zip(&a[ia..ia + n]) {
                        *o = f(x, b[ib]);
                    }
                }
                (0, 1) => {
                    for (o, &y) in o.iter_mut().zip(&b[ib..ib + n]) {
                        *o = f(a[ia], y);
                    }
                }
                _ => {
                    for o in o.iter_mut() {
                        *o = f(a[ia], b[ib]);
                    }
                }
            }
        })
    });
    shape
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_shapes_follow_numpy() {
        assert_eq!(broadcast_shape(&[3, 1, 5], &[4, 1]), Some(vec![3, 4, 5]));
        assert_eq!(broadcast_shape(&[], &[2]), Some(vec![2]));
        assert_eq!(broadcast_shape(&[3], &[4]), None);
    }

    #[test]
    fn binary_broadcast_adds_row_to_matrix() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [10.0, 20.0, 30.0];
        let mut out = [0.0f64; 6];
        binary_broadcast(&a, &[2, 3], &b, &[3], &mut out, |x, y| x + y);
        assert_eq!(out, [11.0, 22.0, 33.0, 14.0, 25.0, 36.0]);
        let c = [100.0, 200.0];
        binary_broadcast(&a, &[2, 3], &c, &[2, 1], &mut out, |x, y| x * y);
        assert_eq!(out, [100.0, 200.0, 300.0, 800.0, 1000.0, 1200.0]);
    }
}
