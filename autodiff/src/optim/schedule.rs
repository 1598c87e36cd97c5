//! Learning-rate schedule: linear warmup from 0, then cosine decay to a floor.
//!
//! With peak rate `peak`, floor `floor`, `W` warmup steps and `N` steps in all, the
//! rate at step `s = 0, 1, ...` is
//!
//! ```text
//! lr(s) = peak s / W                                                 s < W
//! lr(s) = floor + (peak - floor) (1 + cos(pi (s - W) / (N - W))) / 2  W <= s < N
//! lr(s) = floor                                                      s >= N
//! ```
//!
//! Set it before each update: `opt.set_lr(schedule.lr(opt.state().step))`, or from the
//! training loop's own step counter.

use super::optimizer::{require, OptimError};

/// Warmup then cosine decay (see the module docs for the formula).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WarmupCosine {
    pub peak_lr: f64,
    pub floor_lr: f64,
    pub warmup_steps: u64,
    pub total_steps: u64,
}

impl WarmupCosine {
    /// Checks `0 <= floor_lr <= peak_lr` (finite) and `warmup_steps <= total_steps`.
    pub fn validate(&self) -> Result<(), OptimError> {
        let (peak, floor) = (self.peak_lr, self.floor_lr);
        require(peak.is_finite() && floor >= 0.0 && floor <= peak, || {
            format!("schedule: need 0 <= floor_lr <= peak_lr (finite), got floor_lr {floor}, peak_lr {peak}")
        })?;
        require(self.warmup_steps <= self.total_steps, || {
            format!("schedule: warmup_steps {} exceeds total_steps {}", self.warmup_steps, self.total_steps)
        })
    }

    /// The learning rate at step `step` (counting from 0).
    pub fn lr(&self, step: u64) -> f64 {
        let (w, n) = (self.warmup_steps, self.total_steps);
        if step < w {
            self.peak_lr * step as f64 / w as f64
        } else if step < n {
            let progress = (step - w) as f64 / (n - w) as f64;
            self.floor_lr + (self.peak_lr - self.floor_lr) * (1.0 + (std::f64::consts::PI * progress).cos()) / 2.0
        } else {
            self.floor_lr
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: WarmupCosine = WarmupCosine { peak_lr: 1.0, floor_lr: 0.1, warmup_steps: 4, total_steps: 14 };

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-14
    }

    #[test]
    fn warmup_is_linear_from_zero() {
        // peak * s / 4 for s = 0..3
        assert_eq!([0, 1, 2, 3].map(|s| S.lr(s)), [0.0, 0.25, 0.5, 0.75]);
    }

    #[test]
    fn cosine_decays_from_peak_to_floor() {
        // s = 4: progress 0, cos 0 = 1: 0.1 + 0.9 * 2/2 = 1.0
        assert!(close(S.lr(4), 1.0));
        // s = 9: progress 5/10, cos(pi/2) = 0: 0.1 + 0.9 * 1/2 = 0.55
        assert!(close(S.lr(9), 0.55), "{}", S.lr(9));
        // s = 13: progress 9/10: 0.1 + 0.9 * (1 + cos(0.9 pi))/2 = 0.1 + 0.45 * (1 - 0.9510565162951535) = 0.12202456766718092
        assert!(close(S.lr(13), 0.12202456766718092), "{}", S.lr(13));
        assert!((4..14).all(|s| S.lr(s + 1) < S.lr(s)), "not strictly decreasing");
        // s >= 14: the floor
        assert_eq!([14, 15, 1000].map(|s| S.lr(s)), [0.1; 3]);
    }

    #[test]
    fn no_warmup_starts_at_peak() {
        let s = WarmupCosine { warmup_steps: 0, ..S };
        assert_eq!(s.lr(0), 1.0);
        let constant = WarmupCosine { warmup_steps: 5, total_steps: 5, ..S };
        assert_eq!(constant.lr(5), 0.1);
    }

    #[test]
    fn bad_settings_are_named() {
        let err = WarmupCosine { floor_lr: 2.0, ..S }.validate().unwrap_err();
        assert!(err.to_string().contains("floor_lr 2, peak_lr 1"), "{err}");
        let err = WarmupCosine { warmup_steps: 20, ..S }.validate().unwrap_err();
        assert!(err.to_string().contains("warmup_steps 20 exceeds total_steps 14"), "{err}");
        assert!(S.validate().is_ok());
    }
}
