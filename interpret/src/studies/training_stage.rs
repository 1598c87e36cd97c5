//! What the training schedule was doing when a snapshot was taken, so that a figure over
//! training can mark the snapshots whose networks show a schedule (the warm start, a
//! curriculum) rather than free training: a change there is a schedule switch, not a
//! phase transition.

use hypernet::generator::GeneratorTrainConfig;

/// A schedule still in force at a snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Every step so far had the complexity term off and deterministic weights
    /// (`training.complexity_warmup_fraction`).
    WarmStart,
    /// The last step drew beta from a range that had not yet reached
    /// `training.log10_beta_min` (`training.beta_curriculum_fraction`).
    BetaCurriculum,
    /// The last step gated the `-` slots' output weights by a factor below 1
    /// (`training.pudding_curriculum_fraction`).
    PuddingCurriculum,
}

impl Stage {
    /// Every stage, in the order they are listed.
    pub const ALL: [Stage; 3] = [Stage::WarmStart, Stage::BetaCurriculum, Stage::PuddingCurriculum];

    /// The name on figures and in data files.
    pub fn name(self) -> &'static str {
        match self {
            Stage::WarmStart => "warm start",
            Stage::BetaCurriculum => "beta curriculum",
            Stage::PuddingCurriculum => "pudding curriculum",
        }
    }

    /// Whether it is in force at a snapshot taken after `step` steps of `training`.
    pub fn in_force(self, training: &GeneratorTrainConfig, step: usize) -> bool {
        let last = step.saturating_sub(1);
        match self {
            Stage::WarmStart => step <= training.complexity_warmup_steps(),
            Stage::BetaCurriculum => training.log10_beta_range_at(last).0 > training.log10_beta_min,
            Stage::PuddingCurriculum => training.minus_slot_gate_at(last) < 1.0,
        }
    }
}

/// The stages in force at a snapshot after `step` steps (empty: free training).
pub fn stages_at(training: &GeneratorTrainConfig, step: usize) -> Vec<Stage> {
    Stage::ALL.into_iter().filter(|s| s.in_force(training, step)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_inside_each_schedule_are_marked_and_later_ones_are_free() {
        let training = GeneratorTrainConfig {
            steps: 1000,
            complexity_warmup_fraction: 0.5,
            beta_curriculum_fraction: 0.3,
            pudding_curriculum_fraction: 0.7,
            generator: hypernet::generator::GeneratorConfig { w1_readout: hypernet::generator::W1Readout::SignedSlots, ..Default::default() },
            ..GeneratorTrainConfig::default()
        };
        training.validate().unwrap();
        assert_eq!(stages_at(&training, 250), Stage::ALL.to_vec());
        assert_eq!(stages_at(&training, 300), Stage::ALL.to_vec(), "step 300 ends the 300-step beta curriculum: its last step had not reached the range");
        assert_eq!(stages_at(&training, 500), vec![Stage::WarmStart, Stage::PuddingCurriculum], "step 500 ends the 500-step warm start");
        assert_eq!(stages_at(&training, 501), vec![Stage::PuddingCurriculum]);
        assert_eq!(stages_at(&training, 700), vec![Stage::PuddingCurriculum], "the gate opens fully at step 700");
        assert_eq!(stages_at(&training, 701), vec![]);
        assert_eq!(stages_at(&GeneratorTrainConfig { complexity_warmup_fraction: 0.0, ..GeneratorTrainConfig::default() }, 1), vec![]);
    }
}
