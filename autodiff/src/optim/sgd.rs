//! Stochastic gradient descent with (heavy-ball) momentum and optional weight decay.
//!
//! Per parameter `p` with gradient `g`, velocity `v` (starting at 0), momentum `mu`
//! and learning rate `lr`:
//!
//! ```text
//! g <- g + wd p            (L2 weight decay only)
//! v <- mu v + g
//! p <- p - lr v            (decoupled decay: p <- (1 - lr wd) p - lr v)
//! ```
//!
//! With `mu = 0` this is plain SGD. State: one velocity buffer per parameter.

use super::optimizer::{validate_lr, require, OptimError, Optimizer, OptimizerState};
use super::weight_decay::WeightDecay;
use crate::float::Float;
use crate::tensor::Tensor;
use ndarray::Zip;

/// Hyperparameters of [`Sgd`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SgdConfig {
    pub lr: f64,
    /// `mu` in `[0, 1)`.
    pub momentum: f64,
    pub weight_decay: WeightDecay,
}

impl SgdConfig {
    /// Checks every setting, naming the first one out of range.
    pub fn validate(&self) -> Result<(), OptimError> {
        validate_lr(self.lr, "sgd")?;
        require((0.0..1.0).contains(&self.momentum), || format!("sgd: momentum {} must be in [0, 1)", self.momentum))?;
        self.weight_decay.validate("sgd")
    }
}

/// SGD with momentum over a fixed list of parameters.
pub struct Sgd<T: Float> {
    params: Vec<Tensor<T>>,
    config: SgdConfig,
    /// Buffers: the velocity of each parameter, in parameter order.
    state: OptimizerState<T>,
    /// The velocities of parameters on a device.
    #[cfg(feature = "cuda")]
    mirror: super::device::DeviceMirror<T>,
}

impl<T: Float> Sgd<T> {
    /// Panics if a setting is out of range (validate configs read from files first
    /// with [`SgdConfig::validate`]).
    pub fn new(params: Vec<Tensor<T>>, config: SgdConfig) -> Self {
        config.validate().unwrap_or_else(|e| panic!("Sgd::new: {e}"));
        let state = OptimizerState::zeros(&params, 1);
        #[cfg(feature = "cuda")]
        let mirror = super::device::DeviceMirror::new(params.len());
        Sgd {
            params,
            config,
            state,
            #[cfg(feature = "cuda")]
            mirror,
        }
    }
}

impl<T: Float> Optimizer<T> for Sgd<T> {
    fn step(&mut self) {
        let (lr, mu) = (T::c(self.config.lr), T::c(self.config.momentum));
        let decay = self.config.weight_decay.terms::<T>(self.config.lr);
        self.state.update_each(&self.params, 1, |p, g, buffers| {
            Zip::from(p).and(g).and(&mut buffers[0]).for_each(|p, &g, v| {
                *v = mu * *v + (g + decay.l2 * *p);
                *p = decay.shrink * *p - lr * *v;
            });
        });
        #[cfg(feature = "cuda")]
        {
            let (l2, shrink) = self.config.weight_decay.coefficients(self.config.lr);
            let step = kernels::cuda::SgdStep { lr: self.config.lr, momentum: self.config.momentum, l2, shrink };
            self.mirror.update_each("sgd", &self.params, &self.state, 1, |device, p, g, buffers| {
                device.sgd_step(step, p, g, buffers[0].buffer_mut())
            });
        }
        self.state.step += 1;
    }

    fn params(&self) -> &[Tensor<T>] {
        &self.params
    }

    fn lr(&self) -> f64 {
        self.config.lr
    }

    fn set_lr(&mut self, lr: f64) {
        validate_lr(lr, "sgd").unwrap_or_else(|e| panic!("Sgd::set_lr: {e}"));
        self.config.lr = lr;
    }

    fn state(&self) -> OptimizerState<T> {
        #[allow(unused_mut)]
        let mut state = self.state.clone();
        #[cfg(feature = "cuda")]
        self.mirror.write_back("sgd", &mut state, 1);
        state
    }

    fn steps_taken(&self) -> u64 {
        self.state.step
    }

    fn load_state(&mut self, state: OptimizerState<T>) -> Result<(), OptimError> {
        self.state.replace_checked(state, "sgd")?;
        #[cfg(feature = "cuda")]
        self.mirror.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_close, param, resume_is_bit_identical, set_grads};
    use super::*;

    fn sgd(params: Vec<Tensor<f64>>, momentum: f64, weight_decay: WeightDecay) -> Sgd<f64> {
        Sgd::new(params, SgdConfig { lr: 0.1, momentum, weight_decay })
    }

    #[test]
    fn two_steps_with_momentum() {
        let p = param(&[1.0, -2.0]);
        let mut opt = sgd(vec![p.clone()], 0.9, WeightDecay::None);
        set_grads(opt.params(), &[&[0.5, 2.0]]);
        opt.step();
        // v = g = [0.5, 2]; p = [1 - 0.1*0.5, -2 - 0.1*2] = [0.95, -2.2]
        assert_close(&p, &[0.95, -2.2]);
        set_grads(opt.params(), &[&[0.5, 2.0]]);
        opt.step();
        // v = 0.9*[0.5, 2] + [0.5, 2] = [0.95, 3.8]; p = [0.95 - 0.095, -2.2 - 0.38] = [0.855, -2.58]
        assert_close(&p, &[0.855, -2.58]);
        assert_eq!(opt.state().step, 2);
    }

    #[test]
    fn l2_decay_adds_to_the_gradient() {
        let p = param(&[1.0, -2.0]);
        let mut opt = sgd(vec![p.clone()], 0.9, WeightDecay::L2(0.1));
        set_grads(opt.params(), &[&[0.5, 2.0]]);
        opt.step();
        // g' = [0.5 + 0.1*1, 2 + 0.1*(-2)] = [0.6, 1.8]; v = g'; p = [1 - 0.06, -2 - 0.18]
        assert_close(&p, &[0.94, -2.18]);
        assert_close(&Tensor::constant(opt.state().buffers[0].clone()), &[0.6, 1.8]);
    }

    #[test]
    fn decoupled_decay_shrinks_the_parameter() {
        let p = param(&[1.0, -2.0]);
        let mut opt = sgd(vec![p.clone()], 0.0, WeightDecay::Decoupled(0.5));
        set_grads(opt.params(), &[&[0.5, 2.0]]);
        opt.step();
        // shrink = 1 - 0.1*0.5 = 0.95; p = [0.95*1 - 0.05, 0.95*(-2) - 0.2] = [0.9, -2.1]
        assert_close(&p, &[0.9, -2.1]);
    }

    #[test]
    fn parameters_without_gradient_are_skipped() {
        let (used, unused) = (param(&[1.0]), param(&[3.0, 4.0]));
        let mut opt = sgd(vec![used.clone(), unused.clone()], 0.9, WeightDecay::L2(0.1));
        set_grads(&opt.params()[..1], &[&[2.0]]);
        opt.step();
        // used: g' = 2 + 0.1 = 2.1; p = 1 - 0.21 = 0.79. unused: untouched, even by decay.
        assert_close(&used, &[0.79]);
        assert_eq!(unused.to_vec(), vec![3.0, 4.0]);
        assert_eq!(opt.state().buffers[1].iter().copied().collect::<Vec<_>>(), vec![0.0, 0.0]);
    }

    #[test]
    fn resume_from_state_is_bit_identical() {
        resume_is_bit_identical(|params| sgd(params, 0.9, WeightDecay::L2(0.01)));
    }

    #[test]
    fn bad_settings_are_named() {
        let bad = SgdConfig { lr: 0.1, momentum: 1.0, weight_decay: WeightDecay::None };
        assert!(bad.validate().unwrap_err().to_string().contains("momentum 1 must be in [0, 1)"));
    }
}
