//! The learning problem every trainer shares: which task, which inputs, and the shape
//! of the target network `n -> m -> 1` that learns it.

use crate::target::Activation;
use crate::task::{targets, InputDistribution, OutputVariance, TaskKind};
use autodiff::{Float, Key};
use ndarray::ArrayD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Task, input distribution and target-network shape (a TOML table).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProblemConfig {
    pub task: TaskKind,
    pub distribution: InputDistribution,
    /// Input size n.
    pub inputs: usize,
    /// Hidden width m.
    pub hidden: usize,
    #[serde(with = "activation_name")]
    pub activation: Activation,
}

impl Default for ProblemConfig {
    /// The paper's setting: L1 norm of 16 Gaussian inputs, 16 -> 48 -> 1 with SiLU.
    fn default() -> Self {
        ProblemConfig {
            task: TaskKind::L1,
            distribution: InputDistribution::Gaussian,
            inputs: 16,
            hidden: 48,
            activation: Activation::Silu,
        }
    }
}

impl ProblemConfig {
    /// Number of weights of one target network: `m n + m + m + 1`.
    pub fn weight_count(&self) -> usize {
        self.hidden * (self.inputs + 2) + 1
    }

    /// `Var(y)`, the normaliser of the MSE.
    pub fn variance(&self) -> OutputVariance {
        self.task.task().variance(self.inputs, self.distribution)
    }

    /// A training batch: inputs `x [B, N, n]` drawn with `key` and their targets `y [B, N]`.
    pub fn sample<T: Float>(&self, key: Key, networks: usize, points: usize) -> (ArrayD<T>, ArrayD<T>) {
        let x = self.distribution.sample(key, &[networks, points, self.inputs]);
        let y = targets(self.task.task(), &x);
        (x, y)
    }

    /// Checks the sizes, naming what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.inputs == 0 || self.hidden == 0 {
            return Err(format!("problem: inputs ({}) and hidden ({}) must both be at least 1", self.inputs, self.hidden));
        }
        Ok(())
    }
}

/// Serialises an [`Activation`] by its name ("silu" or "relu").
mod activation_name {
    use super::*;

    pub fn serialize<S: Serializer>(a: &Activation, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(a.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Activation, D::Error> {
        let name = String::deserialize(d)?;
        Activation::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown activation {name:?}; use \"silu\" or \"relu\"")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_round_trip_writes_every_field() {
        let cfg = ProblemConfig::default();
        let text = toml::to_string(&cfg).unwrap();
        for field in ["task = \"l1\"", "distribution = \"gaussian\"", "inputs = 16", "hidden = 48", "activation = \"silu\""] {
            assert!(text.contains(field), "{field} missing from\n{text}");
        }
        assert_eq!(toml::from_str::<ProblemConfig>(&text).unwrap(), cfg);
        assert_eq!(cfg.weight_count(), 865);
    }

    #[test]
    fn bad_names_are_reported() {
        let err = toml::from_str::<ProblemConfig>(
            "task = \"l1\"\ndistribution = \"gaussian\"\ninputs = 4\nhidden = 8\nactivation = \"tanh\"",
        )
        .unwrap_err();
        assert!(err.to_string().contains("unknown activation \"tanh\""), "{err}");
    }
}
