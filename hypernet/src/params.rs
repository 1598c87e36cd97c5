//! Named trainable parameters, kept in a fixed (sorted) order.
//!
//! The order of parameters decides the order of optimiser updates and of tensors in
//! checkpoints, so it must not depend on hash seeds: a `BTreeMap` keyed by name.
//! Generic over the element type (f32 in training, f64 in gradient checks).

use autodiff::{Float, Key, Tensor};
use ndarray::ArrayD;
use std::collections::BTreeMap;

/// A set of named parameters.
#[derive(Clone, Default)]
pub struct ParamStore<F: Float = f32> {
    params: BTreeMap<String, Tensor<F>>,
    /// Tensors handed out instead of fresh parameters, by name (see [`ParamStore::preset`]).
    presets: BTreeMap<String, Tensor<F>>,
}

impl<F: Float> ParamStore<F> {
    pub fn new() -> Self {
        Self::default()
    }

    /// A store that defines each parameter named in `presets` as that very tensor
    /// (its initial value is drawn and discarded), so a model built on this store
    /// computes with tensors its caller holds: a gradient check's inputs, say.
    pub fn preset(presets: BTreeMap<String, Tensor<F>>) -> Self {
        ParamStore { params: BTreeMap::new(), presets }
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
