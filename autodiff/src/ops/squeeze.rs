//! `squeeze`: removes the axis `axis`, which must have size 1 (the same elements in
//! the same row-major order): `y.shape = x.shape` without entry `axis`. It is a
//! reshape, so it is recorded as the [`Reshape`](super::reshape::Reshape) primitive,
//! whose VJP `dx = reshape(g, x.shape)` is this one's.

use super::axes::resolve_axis;
use crate::float::Float;
use crate::tensor::Tensor;

impl<T: Float> Tensor<T> {
    /// Removes the size-1 axis `axis` (negative counts from the end).
    pub fn squeeze(&self, axis: isize) -> Tensor<T> {
        let mut shape = self.shape();
        let at = resolve_axis("squeeze", axis, &shape, shape.len());
        assert_eq!(shape[at], 1, "squeeze: axis {axis} of a tensor of shape {shape:?} has size {}, not 1", shape[at]);
        shape.remove(at);
        self.reshape(&shape)
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn removes_a_unit_axis() {
        let x = Tensor::param(crate::shape::array(&[2, 1, 3], (0..6).map(f64::from).collect()));
        let y = x.squeeze(-2);
        assert_eq!((y.shape(), y.to_vec()), (vec![2, 3], x.to_vec()));
        y.sum_all().backward();
        assert_eq!(x.grad().unwrap().shape(), &[2, 1, 3]);
    }

    #[test]
    #[should_panic(expected = "squeeze: axis 0 of a tensor of shape [2, 1, 3] has size 2, not 1")]
    fn rejects_an_axis_longer_than_one() {
        Tensor::<f64>::zeros(&[2, 1, 3]).squeeze(0);
    }
}
