//! The tensor: a value, an optional gradient, and the history that produced it.

use crate::float::Float;
use crate::grad_mode::is_grad_enabled;
use crate::primitive::Primitive;
use ndarray::{ArrayD, IxDyn};
use std::cell::{Cell, Ref, RefCell};
use std::fmt;
use std::rc::Rc;

/// Where a tensor's elements live. Only host memory today; a device buffer is
/// added as another variant, and primitives gain device methods beside their CPU
/// ones, without touching the graph code.
#[derive(Clone, Debug)]
pub enum Storage<T: Float> {
    Cpu(ArrayD<T>),
}

impl<T: Float> Storage<T> {
    /// The host array.
    pub fn cpu(&self) -> &ArrayD<T> {
        match self {
            Storage::Cpu(a) => a,
        }
    }

    fn cpu_mut(&mut self) -> &mut ArrayD<T> {
        match self {
            Storage::Cpu(a) => a,
        }
    }
}

/// How a non-leaf tensor was made: the primitive and its inputs.
pub(crate) struct Origin<T: Float> {
    pub op: Box<dyn Primitive<T>>,
    pub inputs: Vec<Tensor<T>>,
}

pub(crate) struct Node<T: Float> {
    /// Creation order: an output is always created after its inputs, so sorting by
    /// decreasing id is a reverse topological order (and a deterministic one).
    pub id: u64,
    pub value: RefCell<Storage<T>>,
    pub grad: RefCell<Option<ArrayD<T>>>,
    pub requires_grad: bool,
    pub origin: Option<Origin<T>>,
}

/// A node's value and gradient go back to the buffer pool when the last tensor
/// holding it is dropped, so that the next step's arrays reuse their memory.
impl<T: Float> Drop for Node<T> {
    fn drop(&mut self) {
        let Storage::Cpu(value) = std::mem::replace(self.value.get_mut(), Storage::Cpu(ArrayD::zeros(IxDyn(&[0]))));
        crate::shape::recycle(value);
        if let Some(g) = self.grad.get_mut().take() {
            crate::shape::recycle(g);
        }
    }
}

thread_local! {
    static NEXT_ID: Cell<u64> = const { Cell::new(0) };
}

fn next_id() -> u64 {
    NEXT_ID.with(|c| {
        let id = c.get();
        c.set(id + 1);
        id
    })
}

/// A tensor of `T` (f32 or f64) that records how it was computed.
///
/// Cloning is cheap (a reference count); clones share value and gradient.
pub struct Tensor<T: Float>(pub(crate) Rc<Node<T>>);

impl<T: Float> Clone for Tensor<T> {
    fn clone(&self) -> Self {
        Tensor(self.0.clone())
    }
}

impl<T: Float> Tensor<T> {
    fn from_parts(value: ArrayD<T>, requires_grad: bool, origin: Option<Origin<T>>) -> Self {
        Tensor(Rc::new(Node {
            id: next_id(),
            value: RefCell::new(Storage::Cpu(value)),
            grad: RefCell::new(None),
            requires_grad,
            origin,
        }))
    }

    /// A constant: no gradient is computed for it.
    pub fn constant(value: ArrayD<T>) -> Self {
        Self::from_parts(value, false, None)
    }

    /// A trainable leaf: backward accumulates its gradient into [`Tensor::grad`].
    pub fn param(value: ArrayD<T>) -> Self {
        Self::from_parts(value, true, None)
    }

    /// A constant from a shape and row-major data. Panics if they disagree.
    pub fn from_vec(shape: &[usize], data: Vec<T>) -> Self {
        let n = data.len();
        Self::constant(
            ArrayD::from_shape_vec(IxDyn(shape), data)
                .unwrap_or_else(|_| panic!("from_vec: {n} elements do not fill shape {shape:?}")),
        )
    }

    /// A 0-dimensional constant.
    pub fn scalar(v: T) -> Self {
        Self::constant(ArrayD::from_elem(IxDyn(&[]), v))
    }

    /// A constant of zeros.
    pub fn zeros(shape: &[usize]) -> Self {
        Self::constant(ArrayD::zeros(IxDyn(shape)))
    }

    /// A constant filled with `v`.
    pub fn full(shape: &[usize], v: T) -> Self {
        Self::constant(ArrayD::from_elem(IxDyn(shape), v))
    }

    /// Applies a primitive. Records it for backward only if grad mode is on and some
    /// input needs a gradient; otherwise the result is a plain constant.
    pub fn apply(op: impl Primitive<T>, inputs: &[&Tensor<T>]) -> Tensor<T> {
        let out = {
            let refs: Vec<Ref<Storage<T>>> = inputs.iter().map(|t| t.0.value.borrow()).collect();
            let arrays: Vec<&ArrayD<T>> = refs.iter().map(|r| r.cpu()).collect();
            op.forward(&arrays)
        };
        let needs = is_grad_enabled() && inputs.iter().any(|t| t.requires_grad());
        let origin = needs.then(|| Origin {
            op: Box::new(op) as Box<dyn Primitive<T>>,
            inputs: inputs.iter().map(|t| (*t).clone()).collect(),
        });
        Self::from_parts(out, needs, origin)
    }

    /// The value (a borrow of the host array).
    pub fn value(&self) -> Ref<'_, ArrayD<T>> {
        Ref::map(self.0.value.borrow(), |s| s.cpu())
    }

    /// A copy of the value.
    pub fn to_array(&self) -> ArrayD<T> {
        self.value().clone()
    }

    /// The value as a row-major vector.
    pub fn to_vec(&self) -> Vec<T> {
        self.value().iter().copied().collect()
    }

    /// The single element of a one-element tensor. Panics otherwise.
    pub fn item(&self) -> T {
        let v = self.value();
        assert_eq!(v.len(), 1, "item: tensor of shape {:?} has {} elements, not 1", v.shape(), v.len());
        *v.iter().next().unwrap()
    }

    /// The shape.
    pub fn shape(&self) -> Vec<usize> {
        self.value().shape().to_vec()
    }

    /// Number of axes.
    pub fn ndim(&self) -> usize {
        self.value().ndim()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.value().len()
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether backward computes a gradient through this tensor.
    pub fn requires_grad(&self) -> bool {
        self.0.requires_grad
    }

    /// Whether this tensor was made by a recorded primitive (not a leaf).
    pub fn is_leaf(&self) -> bool {
        self.0.origin.is_none()
    }

    /// The accumulated gradient of a leaf that requires grad (None before backward).
    pub fn grad(&self) -> Option<ArrayD<T>> {
        self.0.grad.borrow().clone()
    }

    /// Clears the accumulated gradient.
    pub fn zero_grad(&self) {
        if let Some(g) = self.0.grad.borrow_mut().take() {
            crate::shape::recycle(g);
        }
    }

    /// The same value cut off from its history: a constant.
    pub fn detach(&self) -> Tensor<T> {
        Self::constant(self.to_array())
    }

    /// Changes a leaf's value in place (what optimisers do). Panics for a non-leaf or
    /// if `f` changes the shape. Graphs built earlier from this tensor must not be
    /// differentiated afterwards: their saved value is the new one.
    pub fn update(&self, f: impl FnOnce(&mut ArrayD<T>)) {
        assert!(self.is_leaf(), "update: only leaf tensors can be changed in place");
        let mut s = self.0.value.borrow_mut();
        let a = s.cpu_mut();
        let shape = a.shape().to_vec();
        f(a);
        assert_eq!(a.shape(), &shape[..], "update: the closure changed the shape");
    }

    /// Identity of the underlying node (stable for clones).
    pub fn id(&self) -> u64 {
        self.0.id
    }

    pub(crate) fn accumulate_grad(&self, g: ArrayD<T>) {
        let mut slot = self.0.grad.borrow_mut();
        match slot.as_mut() {
            Some(acc) => crate::shape::accumulate(acc, g),
            None => *slot = Some(g),
        }
    }
}

impl<T: Float> fmt::Debug for Tensor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tensor<{}>({:?}, requires_grad={})", T::DTYPE, self.value(), self.requires_grad())
    }
}
