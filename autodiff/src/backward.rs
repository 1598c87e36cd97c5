//! The reverse sweep.
//!
//! For a scalar loss `L` and every tensor `t` on which it depends, backward computes
//! the adjoint `dL/dt` by the chain rule, visiting tensors in reverse creation order
//! (a reverse topological order): when a tensor is visited, every consumer has already
//! added its contribution `g_out^T d out / d t`, so its adjoint is complete, and it
//! passes its own contribution to its inputs through its primitive's VJP, which takes
//! the adjoint over (it may hand it on or overwrite it). Adjoints of values used more
//! than once are summed, in a fixed order, and the buffers of spent adjoints go back
//! to the buffer pool. Leaves that require a gradient accumulate it into their `.grad()`.
//!
//! A graph lives on one device (an op's inputs share one, and transfers make new
//! leaves), so the sweep runs every VJP where the seed lives: the CPU VJPs on host
//! arrays, or the device VJPs on device arrays, adjoints staying on the device.

use crate::float::Float;
use crate::tensor::{Origin, Storage, Tensor};
use ndarray::{ArrayD, IxDyn};
use std::collections::{BTreeMap, HashSet};

impl<T: Float> Tensor<T> {
    /// Backward from a scalar (one-element) loss, seeded with 1.
    ///
    /// Panics if the tensor has more than one element: use [`Tensor::backward_with`].
    pub fn backward(&self) {
        let shape = self.shape();
        assert!(
            shape.iter().product::<usize>() == 1,
            "backward: tensor of shape {shape:?} is not a scalar; backward without a seed needs one element. \
             Reduce it to a scalar first, or call backward_with(seed) with a seed gradient of shape {shape:?}"
        );
        self.backward_with(ArrayD::from_elem(IxDyn(&shape), T::one()));
    }

    /// Backward seeded with `seed = dL/dself` (same shape as `self`; a host array,
    /// copied to the tensor's device if it lives on one).
    pub fn backward_with(&self, seed: ArrayD<T>) {
        assert_eq!(seed.shape(), &self.shape()[..], "backward_with: seed shape differs from the tensor's");
        if !self.requires_grad() {
            return;
        }
        let seed = Storage::on(&self.device(), seed, "backward");
        let order = reverse_topological(self);
        let mut adjoints: BTreeMap<u64, Storage<T>> = BTreeMap::new();
        adjoints.insert(self.id(), seed);
        for t in order {
            let Some(g) = adjoints.remove(&t.id()) else { continue };
            let Some(origin) = &t.0.origin else {
                t.accumulate_grad(g);
                continue;
            };
            let needs: Vec<bool> = origin.inputs.iter().map(|i| i.requires_grad()).collect();
            let grads = first_order_vjp(&*origin.op, &origin.inputs, &t, g, &needs);
            add_adjoints(origin, grads.into_iter(), &needs, &mut adjoints);
        }
    }
}

/// `op`'s first-order VJP ([`crate::Primitive::backward_owned`], or
/// `backward_cuda` for a gradient on a device) at the values of `inputs` and
/// `output`, for the output gradient `g`.
pub(crate) fn first_order_vjp<T: Float>(
    op: &dyn crate::Primitive<T>,
    inputs: &[Tensor<T>],
    output: &Tensor<T>,
    g: Storage<T>,
    needs: &[bool],
) -> Vec<Option<Storage<T>>> {
    match g {
        Storage::Cpu(g) => {
            let values: Vec<_> = inputs.iter().map(|i| i.value()).collect();
            let arrays: Vec<&ArrayD<T>> = values.iter().map(|r| &**r).collect();
            let out = output.value();
            op.backward_owned(&arrays, &out, g, needs).into_iter().map(|g| g.map(Storage::Cpu)).collect()
        }
        #[cfg(feature = "cuda")]
        Storage::Cuda(g) => {
            let values: Vec<_> = inputs.iter().map(|i| i.storage()).collect();
            let arrays: Vec<&crate::cuda::DeviceArray<T>> = values.iter().map(|r| device_value(r, op)).collect();
            let out = output.storage();
            op.backward_cuda(&arrays, device_value(&out, op), g, needs).into_iter().map(|g| g.map(Storage::Cuda)).collect()
        }
    }
}

/// The device array of a value in a graph whose adjoints are on a device.
#[cfg(feature = "cuda")]
fn device_value<'a, T: Float>(s: &'a Storage<T>, op: &dyn crate::Primitive<T>) -> &'a crate::cuda::DeviceArray<T> {
    match s {
        Storage::Cuda(d) => d,
        Storage::Cpu(_) => panic!("{}: backward: a gradient on a device for a value in host memory", op.name()),
    }
}

/// Adds each input's gradient (those that `needs` one) to its adjoint, in input order.
fn add_adjoints<T: Float>(
    origin: &Origin<T>,
    grads: impl ExactSizeIterator<Item = Option<Storage<T>>>,
    needs: &[bool],
    adjoints: &mut BTreeMap<u64, Storage<T>>,
) {
    assert_eq!(grads.len(), origin.inputs.len(), "{}: backward returned {} gradients for {} inputs", origin.op.name(), grads.len(), origin.inputs.len());
    for ((input, grad), need) in origin.inputs.iter().zip(grads).zip(needs) {
        let Some(grad) = grad.filter(|_| *need) else { continue };
        assert_eq!(
            grad.shape(), input.storage().shape(),
            "{}: backward returned a gradient of shape {:?} for an input of shape {:?}",
            origin.op.name(), grad.shape(), input.shape()
        );
        match adjoints.get_mut(&input.id()) {
            Some(acc) => acc.accumulate(grad),
            None => {
                adjoints.insert(input.id(), grad);
            }
        }
    }
}

/// Every tensor that requires grad and that `root` depends on, newest first.
pub(crate) fn reverse_topological<T: Float>(root: &Tensor<T>) -> Vec<Tensor<T>> {
    let mut seen = HashSet::new();
    let mut stack = vec![root.clone()];
    let mut all = Vec::new();
    seen.insert(root.id());
    while let Some(t) = stack.pop() {
        if let Some(origin) = &t.0.origin {
            for i in &origin.inputs {
                if i.requires_grad() && seen.insert(i.id()) {
                    stack.push(i.clone());
                }
            }
        }
        all.push(t);
    }
    all.sort_by_key(|t| std::cmp::Reverse(t.id()));
    all
}
