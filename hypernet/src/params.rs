//! Named trainable parameters, kept in a fixed (sorted) order.
//!
//! The order of parameters decides the order of optimiser updates and of tensors in
//! checkpoints, so it must not depend on hash seeds: a `BTreeMap` keyed by name.
//! Generic over the element type (f32 in training, f64 in gradient checks).
//!
//! A store has a device. Parameters are always initialised on the CPU (the same bits
//! on every device); [`ParamStore::moved_to`] copies them to a device, and
//! [`ParamStore::input`] puts a model's non-trainable inputs (noise, data) where its
//! parameters are.

use autodiff::{Device, Float, Key, Tensor};
use ndarray::ArrayD;
use std::collections::BTreeMap;

/// A set of named parameters on one device.
#[derive(Clone)]
pub struct ParamStore<F: Float = f32> {
    params: BTreeMap<String, Tensor<F>>,
    /// Tensors handed out instead of fresh parameters, by name (see [`ParamStore::preset`]).
    presets: BTreeMap<String, Tensor<F>>,
    device: Device,
}

impl<F: Float> Default for ParamStore<F> {
    fn default() -> Self {
        ParamStore { params: BTreeMap::new(), presets: BTreeMap::new(), device: Device::Cpu }
    }
}

/// `tensor` on `device`: itself when it is already there, else a copy (an upload for
/// a GPU). Errs when the device cannot take it (out of memory, or a build of hypernet
/// without its `cuda` feature).
fn place<F: Float>(device: &Device, tensor: &Tensor<F>) -> Result<Tensor<F>, String> {
    if tensor.device() == *device {
        return Ok(tensor.clone());
    }
    match device {
        #[cfg(feature = "cuda")]
        Device::Cpu => tensor.to_cpu().map_err(|e| format!("copying a tensor of shape {:?} to the host: {e}", tensor.shape())),
        #[cfg(feature = "cuda")]
        Device::Cuda(d) => tensor.to_device(d).map_err(|e| format!("copying a tensor of shape {:?} to {d}: {e}", tensor.shape())),
        // autodiff's `cuda` feature may be on (feature unification) while hypernet's is off.
        #[allow(unreachable_patterns)]
        other => Err(format!("hypernet was built without its `cuda` feature, so nothing can be placed on {other}")),
    }
}

/// A constant holding `value` on `device` (on the CPU exactly `Tensor::constant`).
/// Panics, naming the shape and the device, if the upload fails: like a failed
/// allocation inside an op, there is no caller mid-step to hand the error to.
pub fn constant_on<F: Float>(device: &Device, value: ArrayD<F>) -> Tensor<F> {
    place(device, &Tensor::constant(value)).unwrap_or_else(|e| panic!("{e}"))
}

impl<F: Float> ParamStore<F> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Where the parameters live.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// A store on `device` whose presets are these parameters moved there: building
    /// the same model on it gives that model on `device`, starting from these values
    /// (the tensors themselves when they are already on `device`).
    pub fn moved_to(&self, device: &Device) -> Result<ParamStore<F>, String> {
        let presets = self.params.iter().map(|(name, t)| Ok((name.clone(), place(device, t).map_err(|e| format!("parameter {name}: {e}"))?))).collect::<Result<_, String>>()?;
        Ok(ParamStore { params: BTreeMap::new(), presets, device: device.clone() })
    }

    /// A non-trainable input (noise, data) as a constant on the store's device.
    pub fn input(&self, value: ArrayD<F>) -> Tensor<F> {
        constant_on(&self.device, value)
    }

    /// A store that defines each parameter named in `presets` as that very tensor
    /// (its initial value is drawn and discarded), so a model built on this store
    /// computes with tensors its caller holds: a gradient check's inputs, say.
    pub fn preset(presets: BTreeMap<String, Tensor<F>>) -> Self {
        ParamStore { presets, ..Self::default() }
    }

    /// Names given to [`ParamStore::preset`] that no parameter has taken yet.
    pub fn unused_presets(&self) -> Vec<&String> {
        self.presets.keys().collect()
    }

    /// Adds a parameter; panics if the name is taken (a programming error), or if a
    /// preset of that name has another shape.
    pub fn insert(&mut self, name: &str, value: ArrayD<F>) -> Tensor<F> {
        let t = match self.presets.remove(name) {
            Some(preset) => {
                assert_eq!(preset.shape(), value.shape(), "ParamStore: preset {name:?} has shape {:?}, the model defines {:?}", preset.shape(), value.shape());
                preset
            }
            None => Tensor::param(value),
        };
        let old = self.params.insert(name.to_string(), t.clone());
        assert!(old.is_none(), "ParamStore: parameter {name:?} defined twice");
        t
    }

    /// A parameter with entries `N(0, scale^2)` drawn from `key`.
    pub fn normal(&mut self, name: &str, shape: &[usize], scale: f64, key: Key) -> Tensor<F> {
        let scale = F::c(scale);
        let v = key.normal::<F>(shape).mapv(|x| x * scale);
        self.insert(name, v)
    }

    /// A parameter filled with `value`.
    pub fn constant(&mut self, name: &str, shape: &[usize], value: F) -> Tensor<F> {
        self.insert(name, ArrayD::from_elem(ndarray::IxDyn(shape), value))
    }

    /// The parameter called `name`; panics if absent.
    pub fn get(&self, name: &str) -> &Tensor<F> {
        self.params.get(name).unwrap_or_else(|| panic!("ParamStore: no parameter {name:?}"))
    }

    /// Parameters in name order.
    pub fn tensors(&self) -> Vec<Tensor<F>> {
        self.params.values().cloned().collect()
    }

    /// `(name, parameter)` pairs in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Tensor<F>)> {
        self.params.iter()
    }

    /// Total number of scalar parameters.
    pub fn count(&self) -> usize {
        self.params.values().map(|t| t.len()).sum()
    }

    /// Clears every gradient.
    pub fn zero_grad(&self) {
        self.params.values().for_each(|t| t.zero_grad());
    }
}
