//! Named trainable parameters, kept in a fixed (sorted) order.
//!
//! The order of parameters decides the order of optimiser updates and of tensors in
//! checkpoints, so it must not depend on hash seeds: a `BTreeMap` keyed by name.

use autodiff::{Key, Tensor};
use ndarray::ArrayD;
use std::collections::BTreeMap;

/// A set of named f32 parameters.
#[derive(Clone, Default)]
pub struct ParamStore {
    params: BTreeMap<String, Tensor<f32>>,
}

impl ParamStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a parameter; panics if the name is taken (a programming error).
    pub fn insert(&mut self, name: &str, value: ArrayD<f32>) -> Tensor<f32> {
        let t = Tensor::param(value);
        let old = self.params.insert(name.to_string(), t.clone());
        assert!(old.is_none(), "ParamStore: parameter {name:?} defined twice");
        t
    }

    /// A parameter with entries `N(0, scale^2)` drawn from `key`.
    pub fn normal(&mut self, name: &str, shape: &[usize], scale: f64, key: Key) -> Tensor<f32> {
        let v = key.normal::<f32>(shape).mapv(|x| x * scale as f32);
        self.insert(name, v)
    }

    /// A parameter filled with `value`.
    pub fn constant(&mut self, name: &str, shape: &[usize], value: f32) -> Tensor<f32> {
        self.insert(name, ArrayD::from_elem(ndarray::IxDyn(shape), value))
    }

    /// The parameter called `name`; panics if absent.
    pub fn get(&self, name: &str) -> &Tensor<f32> {
        self.params.get(name).unwrap_or_else(|| panic!("ParamStore: no parameter {name:?}"))
    }

    /// Parameters in name order.
    pub fn tensors(&self) -> Vec<Tensor<f32>> {
        self.params.values().cloned().collect()
    }

    /// `(name, parameter)` pairs in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Tensor<f32>)> {
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
