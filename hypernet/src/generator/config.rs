//! The generator's configuration, with every default written out.

use super::output_bias::OutputBias;
use crate::prior::WeightPriors;
use serde::{Deserialize, Serialize};

/// How the input weights `W1[j, i]` are read out of hidden node `j` and input node `i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum W1Readout {
    /// `W1[j, i] = r_j * softmax_i(g q_j . k_i / sqrt(dk))_i * tanh(s_j . t_i / sqrt(dk))`
    /// (g = `pointer_gain`):
    /// each neuron points at a few inputs, which makes neurons axis-aligned.
    Pointer,
    /// The pointer with its attention balanced across neurons by Sinkhorn iterations:
    /// every row sums to 1 and every input column to m / n, so the neurons share the
    /// inputs out evenly (coverage is coordinated) while a uniform row, a random
    /// direction, stays possible. See `readout.rs`.
    BalancedPointer,
    /// The pointer over the 2n signed slots (read `x_i`, read `-x_i`), balanced by
    /// Sinkhorn so that every slot receives m / 2n of the neurons' attention:
    /// `W1[j, i] = r_j (P[j, i+] - P[j, i-])` (`signed_slots.rs`, E8 in NOTES.md).
    SignedSlots,
    /// Signed slots of mass 1 each plus a spare column of mass m - 2n whose neurons
    /// read a dense row, so that one-hot rows can meet the balance (`signed_slots.rs`).
    SignedSlotsSpare,
}

impl W1Readout {
    /// Every readout, for tests and sweeps over the choices.
    pub const ALL: [W1Readout; 4] = [W1Readout::Pointer, W1Readout::BalancedPointer, W1Readout::SignedSlots, W1Readout::SignedSlotsSpare];
}

/// How the complexity (information content) of a generated network is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComplexityMeasure {
    /// Per-weight KL of `theta = mu + sigma_t eps` against `N(0, sp_t^2)`, with one
    /// `sigma_t` per target tensor (W1, b1, w2, b2) from a small MLP of log beta.
    TensorSigma,
    /// The same KL with a `sigma` per weight read out of the generator.
    WeightSigma,
    /// The same KL with one sigma fraction `sigma / sp` per hidden neuron for its whole
    /// W1 row and b1 and one for its w2 (read off the neuron's node), one for b2: a
    /// neuron is priced as a whole, so a neuron left at the prior is free and pinning one costs about
    /// `(n + 1) log2(sp / sigma)` bits.
    NeuronSigma,
    /// KL of per-node latents: after the first block each node emits the mean and
    /// log standard deviation of a latent `z ~ N(mu, sigma^2)` of size `noise_dim`,
    /// added into its features through a linear map; bits = `sum_nodes KL(q || N(0, I))`,
    /// weights decoded deterministically (`latent.rs`). The level-0 noise stays free.
    NodeLatent,
    /// KL of a hierarchy of per-node latents, one level before the first block and one
    /// after each block, against a fixed or learnt prior ([`LatentPrior`]); the weights
    /// are decoded from each node's last latent alone, so no free noise reaches them and
    /// every bit of coordination between nodes is paid (`hierarchy.rs`).
    HierarchicalVae,
}

/// The prior of the `hierarchical-vae` measure's latents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LatentPrior {
    /// `N(0, I)` at every level.
    #[default]
    Standard,
    /// Learnt top-down per node: each level's prior is read off a path that sees the
    /// node's type, beta and its own earlier latents, never the other nodes.
    TopDown,
}

impl LatentPrior {
    /// Whether this is the default, `N(0, I)`.
    pub fn is_standard(&self) -> bool {
        *self == LatentPrior::Standard
    }
}

impl ComplexityMeasure {
    /// Every measure, for tests and sweeps over the choices.
    pub const ALL: [ComplexityMeasure; 5] = [
        ComplexityMeasure::TensorSigma,
        ComplexityMeasure::WeightSigma,
        ComplexityMeasure::NeuronSigma,
        ComplexityMeasure::NodeLatent,
        ComplexityMeasure::HierarchicalVae,
    ];
}

/// Shape and choices of the graph-transformer generator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GeneratorConfig {
    /// Node feature width d.
    pub width: usize,
    /// Number of pre-norm transformer blocks.
    pub blocks: usize,
    /// Attention heads (must divide `width`).
    pub heads: usize,
    /// Size of the free per-node noise vector (the network's random seed), and of the
    /// per-node latents of the `node-latent` and `hierarchical-vae` measures.
    pub noise_dim: usize,
    /// Width of the W1 readout's query/key vectors.
    pub key_dim: usize,
    /// Width of the MLP of log beta that conditions the blocks (FiLM) and the sigmas.
    pub cond_width: usize,
    pub w1_readout: W1Readout,
    /// Gain g on the pointer logits `q . k / sqrt(dk)` (pointer and slot readouts): at
    /// 1 a fresh generator's pointers are nearly flat over n inputs (tiny input weights,
    /// a constant network); 3 starts each neuron on one or two inputs; sharper logits
    /// make the balanced rows closer to one-hot (E13 in NOTES.md).
    pub pointer_gain: f64,
    /// When set, training anneals the gain log-linearly from this value at the first
    /// step to `pointer_gain` at the last ([`GeneratorConfig::pointer_gain_at`]); a
    /// generator rebuilt from a checkpoint uses the gain of the last step it trained.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer_gain_start: Option<f64>,
    /// Sinkhorn rounds of the balanced readouts: the columns meet their masses after
    /// every round, the rows approach sum 1 with more rounds (`sinkhorn.rs`).
    pub sinkhorn_iterations: usize,
    /// Signed-slot readouts (the others ignore it): in the forward pass every neuron
    /// reads exactly one slot (or the spare column), no slot beyond its capacity (1 with
    /// the spare column, ceil(m / 2n) without): the hard assignment that Sinkhorn tends
    /// to as the gain grows; the backward pass takes the
    /// Sinkhorn attention's gradient (straight-through, `assignment.rs`). On by default
    /// since E21 (`NOTES.md`); configuration files from before it state `false`.
    pub hard_assignment: bool,
    /// Signed-slot readouts: each hidden neuron's features receive its slot's features
    /// (`H_j += sum_k P[j, k] S_k`) before its b1, w2, magnitude and sigma are read, so
    /// they can depend on which input and sign it reads (`signed_slots.rs`).
    pub slot_messages: bool,
    /// `signed-slots-spare`: a slot may be left unread. A vacancy row with logits read off
    /// the input nodes competes with the neurons for the slots, so the plan can empty a
    /// slot and send its neuron to the spare column (`signed_slots.rs`); without it every
    /// slot is read, which builds the double-sided coverage in.
    pub optional_slots: bool,
    /// `signed-slots-spare`: one more slot, of capacity 1, whose neuron reads every input
    /// with the same weight (a linear-regime neuron's uniform row), used where m >= 2n + 2
    /// (`signed_slots.rs`, E38 in NOTES.md). Not with `optional_slots`.
    pub sum_slot: bool,
    /// With `sum_slot`: the sum-slot neuron's b1 gets a learnt offset starting at this
    /// value, so it starts in swish's linear regime (a linear-regime neuron) instead of
    /// wherever the shared b1 head puts it (near swish's minimum at -1.28, where its
    /// gradient vanishes: E41 in NOTES.md). 0 (the default): no offset.
    pub sum_slot_bias: f64,
    /// `signed-slots-spare`: whether a spare neuron's row is the dense row
    /// `P[j, spare] u_j . v_i / sqrt(dk n)` (the default) or 0, so that a linear term
    /// can come only from the sum slot (E45 in NOTES.md).
    pub spare_dense_rows: bool,
    /// How b2 is read: from the node features (`node-sum`, the default) or from each
    /// neuron's own weights (`neuron-weights`, `output_bias.rs`).
    pub output_bias: OutputBias,
    pub complexity: ComplexityMeasure,
    /// The latents' prior of the `hierarchical-vae` measure (the others take the default,
    /// which is left out of written configs so that theirs read as before).
    #[serde(skip_serializing_if = "LatentPrior::is_standard")]
    pub latent_prior: LatentPrior,
    /// Prior standard deviations of the target weights.
    pub priors: WeightPriors,
    /// Initial sigma as a fraction of the prior's (for the sigma readouts).
    pub initial_sigma_fraction: f64,
    /// log10 beta is fed to the conditioning MLP as
    /// `(log10 beta - log10_beta_center) / log10_beta_halfwidth`.
    pub log10_beta_center: f64,
    pub log10_beta_halfwidth: f64,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        GeneratorConfig {
            width: 32,
            blocks: 3,
            heads: 4,
            noise_dim: 8,
            key_dim: 16,
            cond_width: 32,
            w1_readout: W1Readout::SignedSlotsSpare,
            pointer_gain: 10.0,
            pointer_gain_start: None,
            sinkhorn_iterations: 20,
            hard_assignment: true,
            slot_messages: false,
            optional_slots: false,
            sum_slot: false,
            sum_slot_bias: 0.0,
            spare_dense_rows: true,
            output_bias: OutputBias::NodeSum,
            complexity: ComplexityMeasure::NeuronSigma,
            latent_prior: LatentPrior::Standard,
            priors: WeightPriors::default(),
            initial_sigma_fraction: 0.1,
            log10_beta_center: -2.5,
            log10_beta_halfwidth: 3.5,
        }
    }
}

impl GeneratorConfig {
    /// Channels of the node noise: the free noise (`noise_dim`), followed for the
    /// `node-latent` measure by the latent's standard normal draw (`noise_dim` more),
    /// so that permuting nodes permutes both; for `hierarchical-vae` the standard normal
    /// draws of its `blocks + 1` levels, level after level, and no free noise.
    pub fn node_noise_width(&self) -> usize {
        match self.complexity {
            ComplexityMeasure::NodeLatent => 2 * self.noise_dim,
            ComplexityMeasure::HierarchicalVae => (self.blocks + 1) * self.noise_dim,
            _ => self.noise_dim,
        }
    }

    /// The pointer gain at training step `step` of `steps`: `pointer_gain`, or with
    /// `pointer_gain_start = g0` the log-linear anneal
    /// `g(t) = g0 (pointer_gain / g0)^(t / (steps - 1))`, which ends at `pointer_gain`.
    pub fn pointer_gain_at(&self, step: usize, steps: usize) -> f64 {
        match self.pointer_gain_start {
            Some(g0) if steps > 1 => g0 * (self.pointer_gain / g0).powf(step.min(steps - 1) as f64 / (steps - 1) as f64),
            _ => self.pointer_gain,
        }
    }

    /// Rejects settings no generator can be built from, naming the field.
    pub fn validate(&self) -> Result<(), String> {
        let positive = [
            ("width", self.width),
            ("blocks", self.blocks),
            ("heads", self.heads),
            ("noise_dim", self.noise_dim),
            ("key_dim", self.key_dim),
            ("cond_width", self.cond_width),
            ("sinkhorn_iterations", self.sinkhorn_iterations),
        ];
        for (name, v) in positive {
            if v == 0 {
                return Err(format!("generator.{name} must be at least 1, got 0"));
            }
        }
        if !self.width.is_multiple_of(self.heads) {
            return Err(format!("generator.heads ({}) must divide generator.width ({})", self.heads, self.width));
        }
        self.priors.validate("generator")?;
        let slots = matches!(self.w1_readout, W1Readout::SignedSlots | W1Readout::SignedSlotsSpare);
        if self.slot_messages && !slots {
            return Err("generator.slot_messages needs w1_readout = \"signed-slots\" or \"signed-slots-spare\"; remove it or change the readout".into());
        }
        if self.optional_slots && self.w1_readout != W1Readout::SignedSlotsSpare {
            return Err("generator.optional_slots needs w1_readout = \"signed-slots-spare\" (the spare column takes the displaced neurons); remove it or change the readout".into());
        }
        if !self.sum_slot_bias.is_finite() || (self.sum_slot_bias != 0.0 && !self.sum_slot) {
            return Err(format!("generator.sum_slot_bias needs sum_slot = true and a finite value, got {}", self.sum_slot_bias));
        }
        if self.sum_slot && (self.w1_readout != W1Readout::SignedSlotsSpare || self.optional_slots) {
            return Err("generator.sum_slot needs w1_readout = \"signed-slots-spare\" and optional_slots = false; remove it or change those".into());
        }
        if self.latent_prior != LatentPrior::Standard && self.complexity != ComplexityMeasure::HierarchicalVae {
            return Err("generator.latent_prior needs complexity = \"hierarchical-vae\"; remove it or change the measure".into());
        }
        for (name, gain) in [("pointer_gain", Some(self.pointer_gain)), ("pointer_gain_start", self.pointer_gain_start)] {
            if let Some(g) = gain.filter(|g| !(*g > 0.0 && g.is_finite())) {
                return Err(format!("generator.{name} must be positive and finite, got {g}"));
            }
        }
        if !(self.initial_sigma_fraction > 0.0 && self.initial_sigma_fraction < 1.0) {
            return Err(format!("generator.initial_sigma_fraction must be in (0, 1), got {}", self.initial_sigma_fraction));
        }
        if !(self.log10_beta_halfwidth > 0.0 && self.log10_beta_halfwidth.is_finite() && self.log10_beta_center.is_finite()) {
            return Err(format!(
                "generator.log10_beta_center must be finite and generator.log10_beta_halfwidth positive and finite, got {} and {}",
                self.log10_beta_center, self.log10_beta_halfwidth
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use approx::abs_diff_eq;
    use super::*;
    use crate::config_parse::parse_toml;

    #[test]
    fn every_choice_parses_by_its_kebab_case_name() {
        for w1_readout in W1Readout::ALL {
            for complexity in ComplexityMeasure::ALL {
                let cfg = GeneratorConfig { w1_readout, complexity, ..GeneratorConfig::default() };
                assert_eq!(parse_toml::<GeneratorConfig>(&toml::to_string(&cfg).unwrap()).unwrap(), cfg);
            }
        }
        let cfg: GeneratorConfig = parse_toml("w1_readout = \"balanced-pointer\"\ncomplexity = \"node-latent\"\n").unwrap();
        assert_eq!((cfg.w1_readout, cfg.complexity), (W1Readout::BalancedPointer, ComplexityMeasure::NodeLatent));
    }

    #[test]
    fn the_pointer_gain_anneals_log_linearly_to_its_final_value() {
        let fixed = GeneratorConfig { pointer_gain: 10.0, ..GeneratorConfig::default() };
        assert_eq!((fixed.pointer_gain_at(0, 101), fixed.pointer_gain_at(100, 101)), (10.0, 10.0));
        let annealed = GeneratorConfig { pointer_gain: 40.0, pointer_gain_start: Some(10.0), ..GeneratorConfig::default() };
        let at = |t| annealed.pointer_gain_at(t, 101);
        assert_eq!(at(0), 10.0);
        assert!(abs_diff_eq!(at(50), 20.0, epsilon = 1e-12), "half way, the geometric mean: {}", at(50));
        assert!(abs_diff_eq!(at(100), 40.0, epsilon = 1e-12) && at(500) == at(100), "ends at pointer_gain: {} {}", at(100), at(500));
        let bad = GeneratorConfig { pointer_gain_start: Some(0.0), ..GeneratorConfig::default() };
        assert!(bad.validate().unwrap_err().contains("pointer_gain_start"));
    }

    #[test]
    fn a_misspelt_choice_names_the_nearest_one() {
        for (text, nearest) in [
            ("w1_readout = \"signed-slot-spare\"", "signed-slots-spare"),
            ("w1_readout = \"ballanced-pointer\"", "balanced-pointer"),
            ("complexity = \"node-latnet\"", "node-latent"),
            ("complexity = \"node-latents\"", "node-latent"),
        ] {
            let err = parse_toml::<GeneratorConfig>(text).unwrap_err();
            assert!(err.contains(&format!("did you mean `{nearest}`?")), "{text}: {err}");
        }
    }
}
