//! The tensor: a value, an optional gradient, and the history that produced it.

use crate::float::Float;
use crate::grad_mode::is_grad_enabled;
pub use crate::storage::{Device, Storage};
use crate::primitive::Primitive;
use ndarray::{ArrayD, IxDyn};
use std::cell::{Cell, Ref, RefCell};
use std::fmt;
use std::rc::Rc;

/// Panics naming `op` and the device of each input: all inputs of an op must live on
/// one device.
#[cfg(feature = "cuda")]
#[cold]
fn mixed_devices<T: Float>(op: &dyn Primitive<T>, inputs: &[Ref<Storage<T>>]) -> ! {
    let devices: Vec<String> = inputs.iter().map(|s| s.device().to_string()).collect();
    panic!(
        "{}: inputs on different devices [{}]; move them to one device first (to_device / to_cpu)",
        op.name(),
        devices.join(", ")
    )
}

/// Runs `op`'s forward on the device its inputs live on.
fn forward<T: Float>(op: &dyn Primitive<T>, inputs: &[Ref<Storage<T>>]) -> Storage<T> {
    #[cfg(feature = "cuda")]
    if let Some(Storage::Cuda(first)) = inputs.first().map(|s| &**s) {
        let arrays: Vec<&crate::cuda::DeviceArray<T>> = inputs
            .iter()
            .map(|s| match &**s {
                Storage::Cuda(d) if d.device() == first.device() => d,
                _ => mixed_devices(op, inputs),
            })
            .collect();
        return Storage::Cuda(op.forward_cuda(&arrays));
    }
    let arrays: Vec<&ArrayD<T>> = inputs
        .iter()
        .map(|s| match &**s {
            Storage::Cpu(a) => a,
            #[cfg(feature = "cuda")]
            Storage::Cuda(_) => mixed_devices(op, inputs),
        })
        .collect();
    Storage::Cpu(op.forward(&arrays))
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
    pub grad: RefCell<Option<Storage<T>>>,
    pub requires_grad: bool,
    pub origin: Option<Origin<T>>,
}

/// A node's value and gradient go back to the buffer pool when the last tensor
/// holding it is dropped, so that the next step's arrays reuse their memory.
impl<T: Float> Drop for Node<T> {
    fn drop(&mut self) {
        std::mem::replace(self.value.get_mut(), Storage::Cpu(ArrayD::zeros(IxDyn(&[0])))).recycle();
        if let Some(g) = self.grad.get_mut().take() {
            g.recycle();
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
    fn from_parts(value: Storage<T>, requires_grad: bool, origin: Option<Origin<T>>) -> Self {
        Tensor(Rc::new(Node {
            id: next_id(),
            value: RefCell::new(value),
            grad: RefCell::new(None),
            requires_grad,
            origin,
        }))
    }

    /// A constant: no gradient is computed for it.
    pub fn constant(value: ArrayD<T>) -> Self {
        Self::from_parts(Storage::Cpu(value), false, None)
    }

    /// A leaf holding `value` (on whichever device it is).
    pub(crate) fn leaf(value: Storage<T>, requires_grad: bool) -> Self {
        Self::from_parts(value, requires_grad, None)
    }

    /// A constant holding `value` on `device` (uploaded there if it is a GPU).
    pub fn constant_on(value: ArrayD<T>, device: &Device) -> Self {
        Self::leaf(Storage::on(device, value, "constant_on"), false)
    }

    /// A trainable leaf: backward accumulates its gradient into [`Tensor::grad`].
    pub fn param(value: ArrayD<T>) -> Self {
        Self::from_parts(Storage::Cpu(value), true, None)
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

    /// Applies a primitive, on the device its inputs live on (they must share one).
    /// Records it for backward only if grad mode is on and some input needs a
    /// gradient; otherwise the result is a plain constant.
    pub fn apply(op: impl Primitive<T>, inputs: &[&Tensor<T>]) -> Tensor<T> {
        let out = {
            let refs: Vec<Ref<Storage<T>>> = inputs.iter().map(|t| t.0.value.borrow()).collect();
            forward(&op, &refs)
        };
        let needs = is_grad_enabled() && inputs.iter().any(|t| t.requires_grad());
        let origin = needs.then(|| Origin {
            op: Box::new(op) as Box<dyn Primitive<T>>,
            inputs: inputs.iter().map(|t| (*t).clone()).collect(),
        });
        Self::from_parts(out, needs, origin)
    }

    /// The value (a borrow of the host array). Panics for a tensor on a device (use
    /// [`Tensor::to_array`] or `to_cpu`).
    pub fn value(&self) -> Ref<'_, ArrayD<T>> {
        Ref::map(self.0.value.borrow(), |s| s.cpu())
    }

    /// The value's storage: host or device memory.
    pub fn storage(&self) -> Ref<'_, Storage<T>> {
        self.0.value.borrow()
    }

    /// Where the value lives.
    pub fn device(&self) -> Device {
        self.storage().device()
    }

    /// A host copy of the value (downloaded from a device tensor).
    pub fn to_array(&self) -> ArrayD<T> {
        self.storage().to_host()
    }

    /// The value as a row-major vector (downloaded from a device tensor).
    pub fn to_vec(&self) -> Vec<T> {
        match &*self.storage() {
            Storage::Cpu(a) => a.iter().copied().collect(),
            #[cfg(feature = "cuda")]
            device => device.to_host().into_raw_vec_and_offset().0,
        }
    }

    /// The single element of a one-element tensor (downloaded from a device tensor).
    /// Panics otherwise.
    pub fn item(&self) -> T {
        let s = self.storage();
        let n: usize = s.shape().iter().product();
        assert_eq!(n, 1, "item: tensor of shape {:?} has {n} elements, not 1", s.shape());
        match &*s {
            Storage::Cpu(a) => *a.iter().next().unwrap(),
            #[cfg(feature = "cuda")]
            device => device.to_host().iter().copied().next().unwrap(),
        }
    }

    /// The shape.
    pub fn shape(&self) -> Vec<usize> {
        self.storage().shape().to_vec()
    }

    /// Number of axes.
    pub fn ndim(&self) -> usize {
        self.storage().shape().len()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.storage().shape().iter().product()
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

    /// The accumulated gradient of a leaf that requires grad (None before backward),
    /// as a host array (downloaded when the tensor lives on a device).
    pub fn grad(&self) -> Option<ArrayD<T>> {
        self.0.grad.borrow().as_ref().map(Storage::to_host)
    }

    /// The accumulated gradient where it lives (host or device memory).
    pub fn grad_storage(&self) -> Ref<'_, Option<Storage<T>>> {
        self.0.grad.borrow()
    }

    /// Clears the accumulated gradient.
    pub fn zero_grad(&self) {
        if let Some(g) = self.0.grad.borrow_mut().take() {
            g.recycle();
        }
    }

    /// The same value cut off from its history: a constant on the same device.
    pub fn detach(&self) -> Tensor<T> {
        Self::leaf(self.storage().clone(), false)
    }

    /// Changes a leaf's value in place (what optimisers do). Panics for a non-leaf, a
    /// tensor on a device, or if `f` changes the shape. Graphs built earlier from this tensor must not be
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

    pub(crate) fn accumulate_grad(&self, g: Storage<T>) {
        let mut slot = self.0.grad.borrow_mut();
        match slot.as_mut() {
            Some(acc) => acc.accumulate(g),
            None => *slot = Some(g),
        }
    }
}

impl<T: Float> fmt::Debug for Tensor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.storage() {
            Storage::Cpu(a) => write!(f, "Tensor<{}>({a:?}, requires_grad={})", T::DTYPE, self.requires_grad()),
            #[cfg(feature = "cuda")]
            Storage::Cuda(d) => write!(f, "Tensor<{}>({d:?}, requires_grad={})", T::DTYPE, self.requires_grad()),
        }
    }
}
