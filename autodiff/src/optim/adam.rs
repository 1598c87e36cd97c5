//! Adam (Kingma & Ba) and AdamW (Loshchilov & Hutter): one implementation, the two
//! differing only in how weight decay enters ([`WeightDecay::L2`] for Adam's coupled
//! decay, [`WeightDecay::Decoupled`] for AdamW).
//!
//! Per parameter `p` with gradient `g`, moments `m`, `v` (starting at 0), step
//! `t = 1, 2, ...`, learning rate `lr`:
//!
//! ```text
//! g <- g + wd p                                  (Adam's L2 decay only)
//! m <- b1 m + (1 - b1) g
//! v <- b2 v + (1 - b2) g^2
//! m_hat = m / (1 - b1^t),   v_hat = v / (1 - b2^t)
//! p <- p - lr wd p                               (AdamW's decoupled decay only)
//! p <- p - lr m_hat / (sqrt(v_hat) + eps)
//! ```
//!
//! The scalars `1 - b` and the bias corrections `1 - b^t` are computed in f64 once per
//! step (so that in f32 the first step is exactly `lr g / (|g| + eps)`); the rest in `T`.
//! `t` is the optimiser's step count, shared by all parameters. State: buffers
//! `m_0, v_0, m_1, v_1, ...` (two per parameter, in parameter order).

use super::optimizer::{require, validate_lr, OptimError, Optimizer, OptimizerState};
use super::weight_decay::WeightDecay;
use crate::float::Float;
use crate::tensor::Tensor;
use ndarray::Zip;

/// Hyperparameters of [`Adam`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamConfig {
    pub lr: f64,
    /// Decay of the first moment, in `[0, 1)`.
    pub beta1: f64,
    /// Decay of the second moment, in `[0, 1)`.
    pub beta2: f64,
    /// Added to `sqrt(v_hat)`; > 0.
    pub eps: f64,
    pub weight_decay: WeightDecay,
}

impl AdamConfig {
    /// Adam with the usual `b1 = 0.9, b2 = 0.999, eps = 1e-8` and no weight decay.
    pub fn adam(lr: f64) -> Self {
        AdamConfig { lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: WeightDecay::None }
    }

    /// AdamW: Adam's defaults with decoupled weight decay `wd`.
    pub fn adamw(lr: f64, wd: f64) -> Self {
        AdamConfig { weight_decay: WeightDecay::Decoupled(wd), ..Self::adam(lr) }
    }

    /// Checks every setting, naming the first one out of range.
    pub fn validate(&self) -> Result<(), OptimError> {
        validate_lr(self.lr, "adam")?;
        for (name, b) in [("beta1", self.beta1), ("beta2", self.beta2)] {
            require((0.0..1.0).contains(&b), || format!("adam: {name} {b} must be in [0, 1)"))?;
        }
        require(self.eps.is_finite() && self.eps > 0.0, || format!("adam: eps {} must be finite and > 0", self.eps))?;
        self.weight_decay.validate("adam")
    }
}

/// Adam or AdamW over a fixed list of parameters.
pub struct Adam<T: Float> {
    params: Vec<Tensor<T>>,
    config: AdamConfig,
    state: OptimizerState<T>,
    /// The buffers of parameters on a device.
    #[cfg(feature = "cuda")]
    mirror: super::device::DeviceMirror<T>,
}

impl<T: Float> Adam<T> {
    /// Panics if a setting is out of range (validate configs read from files first
    /// with [`AdamConfig::validate`]).
    pub fn new(params: Vec<Tensor<T>>, config: AdamConfig) -> Self {
        config.validate().unwrap_or_else(|e| panic!("Adam::new: {e}"));
        let state = OptimizerState::zeros(&params, 2);
        #[cfg(feature = "cuda")]
        let mirror = super::device::DeviceMirror::new(params.len());
        Adam {
            params,
            config,
            state,
            #[cfg(feature = "cuda")]
            mirror,
        }
    }
}

impl<T: Float> Optimizer<T> for Adam<T> {
    fn step(&mut self) {
        let c = self.config;
        let t = (self.state.step + 1) as f64;
        let (bc1, bc2) = (T::c(1.0 - c.beta1.powf(t)), T::c(1.0 - c.beta2.powf(t)));
        let (b1, b2, lr, eps) = (T::c(c.beta1), T::c(c.beta2), T::c(c.lr), T::c(c.eps));
        let (one_minus_b1, one_minus_b2) = (T::c(1.0 - c.beta1), T::c(1.0 - c.beta2));
        let decay = c.weight_decay.terms::<T>(c.lr);
        self.state.update_each(&self.params, 2, |p, g, buffers| {
            let [m, v] = buffers else { unreachable!("adam keeps two buffers per parameter") };
            Zip::from(p).and(g).and(m).and(v).for_each(|p, &g, m, v| {
                let g = g + decay.l2 * *p;
                *m = b1 * *m + one_minus_b1 * g;
                *v = b2 * *v + one_minus_b2 * g * g;
                let (m_hat, v_hat) = (*m / bc1, *v / bc2);
                *p = decay.shrink * *p - lr * m_hat / (v_hat.sqrt() + eps);
            });
        });
        #[cfg(feature = "cuda")]
        {
            let (l2, shrink) = c.weight_decay.coefficients(c.lr);
            let step = kernels::cuda::AdamStep { lr: c.lr, beta1: c.beta1, beta2: c.beta2, eps: c.eps, l2, shrink, t: self.state.step + 1 };
            self.mirror.update_each("adam", &self.params, &self.state, 2, |device, p, g, buffers| {
                let [m, v] = buffers else { unreachable!("adam keeps two buffers per parameter") };
                device.adam_step(step, p, g, m.buffer_mut(), v.buffer_mut())
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
        validate_lr(lr, "adam").unwrap_or_else(|e| panic!("Adam::set_lr: {e}"));
        self.config.lr = lr;
    }

    fn state(&self) -> OptimizerState<T> {
        #[allow(unused_mut)]
        let mut state = self.state.clone();
        #[cfg(feature = "cuda")]
        self.mirror.write_back("adam", &mut state, 2);
        state
    }

    fn steps_taken(&self) -> u64 {
        self.state.step
    }

    fn load_state(&mut self, state: OptimizerState<T>) -> Result<(), OptimError> {
        self.state.replace_checked(state, "adam")?;
        #[cfg(feature = "cuda")]
        self.mirror.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_close, param, resume_is_bit_identical, set_grads};
    use super::*;

    fn adam(params: Vec<Tensor<f64>>, weight_decay: WeightDecay) -> Adam<f64> {
        Adam::new(params, AdamConfig { weight_decay, ..AdamConfig::adam(0.1) })
    }

    #[test]
    fn two_steps_by_hand() {
        let p = param(&[1.0, -2.0]);
        let mut opt = adam(vec![p.clone()], WeightDecay::None);
        set_grads(opt.params(), &[&[0.5, 2.0]]);
        opt.step();
        // t = 1: m = 0.1 g = [0.05, 0.2], v = 0.001 g^2 = [0.00025, 0.004];
        // m_hat = m / 0.1 = g, v_hat = v / 0.001 = g^2, sqrt(v_hat) = |g| = [0.5, 2];
        // p = [1 - 0.1*0.5/(0.5 + 1e-8), -2 - 0.1*2/(2 + 1e-8)]
        //   = [1 - 0.099999998, -2 - 0.0999999995] = [0.900000002, -2.0999999995]
        assert_close(&p, &[0.900000002, -2.0999999995]);
        set_grads(opt.params(), &[&[1.0, -1.0]]);
        opt.step();
        // t = 2: m = 0.9*[0.05, 0.2] + 0.1*[1, -1] = [0.145, 0.08];
        // v = 0.999*[0.00025, 0.004] + 0.001*[1, 1] = [0.00124975, 0.004996];
        // 1 - 0.9^2 = 0.19, 1 - 0.999^2 = 0.001999;
        // m_hat = [0.145/0.19, 0.08/0.19] = [0.76315789473684, 0.42105263157895];
        // v_hat = [0.00124975/0.001999, 0.004996/0.001999] = [0.62518759379690, 2.49924962481244];
        // sqrt(v_hat) = [0.79068805087525, 1.58090152280667];
        // step = 0.1 m_hat / (sqrt(v_hat) + 1e-8) = [0.09651820136149, 0.02663370379757];
        // p = [0.900000002 - 0.09651820136149, -2.0999999995 - 0.02663370379757]
        assert_close(&p, &[0.8034818006385094, -2.1266337032975686]);
        let state = opt.state();
        assert_eq!(state.step, 2);
        assert_close(&Tensor::constant(state.buffers[0].clone()), &[0.145, 0.08]);
        assert_close(&Tensor::constant(state.buffers[1].clone()), &[0.00124975, 0.004996]);
    }

    #[test]
    fn l2_decay_enters_the_moments() {
        let p = param(&[1.0, -2.0]);
        let mut opt = adam(vec![p.clone()], WeightDecay::L2(0.1));
        set_grads(opt.params(), &[&[0.5, 0.1]]);
        opt.step();
        // g' = g + 0.1 p = [0.5 + 0.1, 0.1 - 0.2] = [0.6, -0.1]; at t = 1 the step is
        // 0.1 g'/(|g'| + 1e-8): p = [1 - 0.06/0.60000001, -2 + 0.01/0.10000001]
        //                         = [0.9000000016666666, -1.900000009999999]
        assert_close(&p, &[0.9000000016666666, -1.900000009999999]);
    }

    #[test]
    fn adamw_decays_apart_from_the_moments() {
        let p = param(&[1.0, -2.0]);
        let mut opt = Adam::new(vec![p.clone()], AdamConfig::adamw(0.1, 0.5));
        set_grads(opt.params(), &[&[0.5, 2.0]]);
        opt.step();
        // shrink = 1 - 0.1*0.5 = 0.95; the Adam step is that of `two_steps_by_hand`:
        // p = [0.95*1 - 0.099999998, 0.95*(-2) - 0.0999999995] = [0.850000002, -1.9999999995]
        assert_close(&p, &[0.850000002, -1.9999999995]);
        // The moments see the raw gradient: m = 0.1 g.
        assert_close(&Tensor::constant(opt.state().buffers[0].clone()), &[0.05, 0.2]);
    }

    #[test]
    fn parameters_without_gradient_are_skipped() {
        let (used, unused) = (param(&[1.0]), param(&[3.0]));
        let mut opt = Adam::new(vec![used.clone(), unused.clone()], AdamConfig::adamw(0.1, 0.5));
        set_grads(&opt.params()[..1], &[&[-4.0]]);
        opt.step();
        // used: 0.95*1 + 0.1*4/(4 + 1e-8) = 0.95 + 0.09999999975; unused: untouched by decay too.
        assert_close(&used, &[1.04999999975]);
        assert_eq!(unused.to_vec(), vec![3.0]);
    }

    #[test]
    fn works_in_f32() {
        let p = Tensor::param(ndarray::arr1(&[1.0f32]).into_dyn());
        let mut opt = Adam::new(vec![p.clone()], AdamConfig::adam(0.5));
        p.mul(&p).sum_all().backward();
        opt.step();
        // g = 2; the first step is lr g/(|g| + eps): p = 1 - 0.5 * 2/(2 + 1e-8) = 0.5 in f32
        assert_eq!(p.item(), 0.5);
    }

    #[test]
    fn resume_from_state_is_bit_identical() {
        resume_is_bit_identical(|params| adam(params, WeightDecay::L2(0.01)));
        resume_is_bit_identical(|params| Adam::new(params, AdamConfig::adamw(0.05, 0.1)));
    }

    #[test]
    fn bad_settings_are_named() {
        let bad = AdamConfig { beta2: 1.0, ..AdamConfig::adam(1e-3) };
        assert!(bad.validate().unwrap_err().to_string().contains("beta2 1 must be in [0, 1)"));
        let bad = AdamConfig { eps: 0.0, ..AdamConfig::adam(1e-3) };
        assert!(bad.validate().unwrap_err().to_string().contains("eps 0 must be finite and > 0"));
    }

    #[test]
    #[should_panic(expected = "Adam::set_lr: invalid optimiser setting: adam: learning rate -1 must be finite and >= 0")]
    fn negative_learning_rate_panics() {
        adam(vec![param(&[1.0])], WeightDecay::None).set_lr(-1.0);
    }
}
