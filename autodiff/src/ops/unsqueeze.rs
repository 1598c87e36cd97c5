//! `unsqueeze`: inserts an axis of size 1 at position `axis` (the same elements in
//! the same row-major order): `y.shape = x.shape[..axis] ++ [1] ++ x.shape[axis..]`.
//! It is a reshape, so it is recorded as the [`Reshape`](super::reshape::Reshape)
//! primitive, whose VJP `dx = reshape(g, x.shape)` is this one's.

use super::axes::resolve_axis;
use crate::float::Float;
use crate::tensor::Tensor;

impl<T: Float> Tensor<T> {
    /// Inserts a size-1 axis at `axis` (in `-(ndim+1)..=ndim`; -1 appends one).
    pub fn unsqueeze(&self, axis: isize) -> Tensor<T> {
        let mut shape = self.shape();
        let at = resolve_axis("unsqueeze", axis, &shape, shape.len() + 1);
        shape.insert(at, 1);
        self.reshape(&shape)
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn inserts_a_unit_axis_anywhere() {
        let x = Tensor::param(crate::shape::array(&[2, 3], (0..6).map(f64::from).collect()));
        assert_eq!(x.unsqueeze(0).shape(), vec![1, 2, 3]);
        assert_eq!(x.unsqueeze(-1).shape(), vec![2, 3, 1]);
        let y = x.unsqueeze(1);
        assert_eq!((y.shape(), y.to_vec()), (vec![2, 1, 3], x.to_vec()));
        y.sum_all().backward();
        assert_eq!(x.grad().unwrap().shape(), &[2, 3]);
    }

    #[test]
    #[should_panic(expected = "unsqueeze: axis 3 out of range for a tensor of shape [2, 3]")]
    fn rejects_an_axis_past_the_end() {
        Tensor::<f64>::zeros(&[2, 3]).unsqueeze(3);
    }
}
