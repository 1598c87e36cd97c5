//! What the landscape says: per measure and beta, the run with the lowest loss (its
//! start and the family of its final label), the best loss each start and each final
//! family reached, the betas where the winning family changes, and whether the winning
//! families follow the paper's order, double-sided < pudding < convexity, as beta grows.
//!
//! Everything here is computed from the rows, so it can be checked on synthetic rows.

use crate::landscape::run::LandscapeRow;
use crate::landscape::starts::Start;
use crate::studies::family::Family;
use hypernet::vmlp::SigmaSharing;
use serde_json::{json, Value};

/// The outcome at one beta.
#[derive(Clone, Debug, PartialEq)]
pub struct BetaVerdict {
    pub log10_beta: f64,
    /// The run with the lowest loss.
    pub winner: LandscapeRow,
    /// The lowest loss of the runs from each start (in the configuration's order).
    pub best_by_start: Vec<(Start, f64)>,
    /// The lowest loss of the runs whose final label is in each family (absent
    /// families are left out), in [`Family::ALL`] order.
    pub best_by_family: Vec<(Family, f64)>,
}

impl BetaVerdict {
    pub fn winner_family(&self) -> Family {
        Family::of(self.winner.final_label)
    }

    /// How much lower the winner's loss is than the best run of any other family,
    /// relative to the winner's loss (`None` when no other family appears).
    pub fn margin(&self) -> Option<f64> {
        let own = self.winner_family();
        let other = self.best_by_family.iter().filter(|(f, _)| *f != own).map(|p| p.1).fold(f64::INFINITY, f64::min);
        other.is_finite().then(|| (other - self.winner.loss) / self.winner.loss.abs().max(f64::MIN_POSITIVE))
    }
}

/// A beta between two neighbouring betas of the grid where the winning family changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Boundary {
    pub below: Family,
    pub above: Family,
    /// The last beta won by `below` and the first won by `above` (log10).
    pub last_below: f64,
    pub first_above: f64,
}

/// Everything the landscape says about one measure.
#[derive(Clone, Debug, PartialEq)]
pub struct MeasureVerdict {
    pub measure: SigmaSharing,
    /// In increasing beta.
    pub per_beta: Vec<BetaVerdict>,
    pub boundaries: Vec<Boundary>,
    /// The winning families in increasing beta, repeats merged.
    pub sequence: Vec<Family>,
}

impl MeasureVerdict {
    /// Whether the winners, read in increasing beta with "other" left out (as the
    /// generator's claim leaves it out: `studies/claims.rs`), are double-sided, then
    /// pudding, then convexity, each once.
    pub fn orders_paper(&self) -> bool {
        let mut algorithms: Vec<Family> = self.sequence.iter().copied().filter(|f| *f != Family::Other).collect();
        algorithms.dedup();
        algorithms == Family::ALGORITHMS
    }
}

/// The verdict for `measure` from its rows (the rows of other measures are ignored).
pub fn verdict(rows: &[LandscapeRow], measure: SigmaSharing) -> MeasureVerdict {
    let rows: Vec<&LandscapeRow> = rows.iter().filter(|r| r.measure == measure).collect();
    let mut betas: Vec<f64> = rows.iter().map(|r| r.log10_beta).collect();
    betas.sort_by(f64::total_cmp);
    betas.dedup();
    let lowest = |it: &mut dyn Iterator<Item = &&LandscapeRow>| it.map(|r| r.loss).fold(f64::INFINITY, f64::min);
    let per_beta: Vec<BetaVerdict> = (betas.iter())
        .map(|&lb| {
            let here: Vec<&LandscapeRow> = rows.iter().copied().filter(|r| r.log10_beta == lb).collect();
            let winner = (*here.iter().min_by(|a, b| a.loss.total_cmp(&b.loss)).expect("a beta has rows")).clone();
            let mut starts: Vec<Start> = here.iter().map(|r| r.start).collect();
            starts.dedup();
            let best_by_start = starts.iter().map(|&s| (s, lowest(&mut here.iter().filter(|r| r.start == s)))).collect();
            let best_by_family = (Family::ALL.into_iter())
                .map(|f| (f, lowest(&mut here.iter().filter(|r| Family::of(r.final_label) == f))))
                .filter(|(_, loss)| loss.is_finite())
                .collect();
            BetaVerdict { log10_beta: lb, winner, best_by_start, best_by_family }
        })
        .collect();
    let boundaries: Vec<Boundary> = (per_beta.windows(2))
        .filter(|w| w[0].winner_family() != w[1].winner_family())
        .map(|w| Boundary { below: w[0].winner_family(), above: w[1].winner_family(), last_below: w[0].log10_beta, first_above: w[1].log10_beta })
        .collect();
    let mut sequence: Vec<Family> = per_beta.iter().map(BetaVerdict::winner_family).collect();
    sequence.dedup();
    MeasureVerdict { measure, per_beta, boundaries, sequence }
}

/// The verdicts as JSON (the body of `landscape.json`'s `measures`).
pub fn verdict_json(v: &MeasureVerdict) -> Value {
    let per_beta: Vec<Value> = (v.per_beta.iter())
        .map(|b| {
            json!({
                "log10_beta": b.log10_beta,
                "winner_family": b.winner_family().name(),
                "winner_label": b.winner.final_label.name(),
                "winner_start": b.winner.start.name(),
                "winner_seed": b.winner.seed,
                "loss": b.winner.loss,
                "nmse": b.winner.nmse,
                "bits": b.winner.bits,
                "margin_over_other_families": b.margin(),
                "best_loss_by_start": b.best_by_start.iter().map(|(s, l)| (s.name().to_string(), json!(l))).collect::<serde_json::Map<_, _>>(),
                "best_loss_by_final_family": b.best_by_family.iter().map(|(f, l)| (f.name().to_string(), json!(l))).collect::<serde_json::Map<_, _>>(),
            })
        })
        .collect();
    let boundaries: Vec<Value> = (v.boundaries.iter())
        .map(|b| json!({"below": b.below.name(), "above": b.above.name(), "last_log10_beta_below": b.last_below, "first_log10_beta_above": b.first_above}))
        .collect();
    json!({
        "measure": v.measure.name(),
        "winner_sequence": v.sequence.iter().map(|f| f.name()).collect::<Vec<_>>(),
        "orders_double_sided_pudding_convexity": v.orders_paper(),
        "boundaries": boundaries,
        "per_beta": per_beta,
    })
}

#[cfg(test)]
mod tests {
    use approx::abs_diff_eq;
    use super::*;
    use crate::classify::Label;

    fn row(lb: f64, start: Start, label: Label, loss: f64) -> LandscapeRow {
        LandscapeRow {
            measure: SigmaSharing::NeuronSigma,
            log10_beta: lb,
            start,
            seed: 0,
            final_label: label,
            label_share: 1.0,
            mean_label: label,
            nmse: loss,
            nmse_mean: loss,
            bits: 1.0,
            loss,
        }
    }

    /// Synthetic rows in which double-sided wins low beta, a pudding (reached from
    /// the double-sided start: the label counts, not the start) the middle and
    /// convexity high beta.
    fn ordered() -> Vec<LandscapeRow> {
        use Label::*;
        vec![
            row(-4.0, Start::DoubleSided, DoubleSided, 0.01),
            row(-4.0, Start::PositivePudding, PositivePudding, 0.02),
            row(-4.0, Start::Convexity, Convexity, 0.3),
            row(-2.0, Start::DoubleSided, MixedPudding, 0.05),
            row(-2.0, Start::PositivePudding, PositivePudding, 0.06),
            row(-2.0, Start::Convexity, Convexity, 0.3),
            row(0.0, Start::DoubleSided, Other, 0.9),
            row(0.0, Start::PositivePudding, PositivePudding, 0.8),
            row(0.0, Start::Convexity, Convexity, 0.4),
            row(1.0, Start::Convexity, Convexity, 0.5),
        ]
    }

    #[test]
    fn winners_boundaries_and_the_order_come_from_the_lowest_losses() {
        let v = verdict(&ordered(), SigmaSharing::NeuronSigma);
        let winners: Vec<(Family, Start)> = v.per_beta.iter().map(|b| (b.winner_family(), b.winner.start)).collect();
        assert_eq!(
            winners,
            vec![(Family::DoubleSided, Start::DoubleSided), (Family::Pudding, Start::DoubleSided), (Family::Convexity, Start::Convexity), (Family::Convexity, Start::Convexity)]
        );
        assert_eq!(v.sequence, Family::ALGORITHMS.to_vec());
        assert!(v.orders_paper());
        assert_eq!(v.boundaries.len(), 2);
        assert_eq!((v.boundaries[0].last_below, v.boundaries[0].first_above), (-4.0, -2.0));
        assert_eq!((v.boundaries[1].below, v.boundaries[1].above), (Family::Pudding, Family::Convexity));
        let low = &v.per_beta[0];
        assert!(abs_diff_eq!(low.margin().unwrap(), 1.0, epsilon = 1e-12), "pudding's 0.02 is 100% above 0.01");
        assert_eq!(v.per_beta[1].best_by_family, vec![(Family::Pudding, 0.05), (Family::Convexity, 0.3)]);
        assert_eq!(v.per_beta[3].margin(), None);
        let json = verdict_json(&v);
        assert_eq!(json["orders_double_sided_pudding_convexity"], true);
        assert_eq!(json["per_beta"][1]["winner_start"], "double-sided");
    }

    #[test]
    fn a_missing_or_reordered_phase_is_not_the_paper_order() {
        let mut rows = ordered();
        rows.retain(|r| r.log10_beta != -2.0);
        let v = verdict(&rows, SigmaSharing::NeuronSigma);
        assert_eq!(v.sequence, vec![Family::DoubleSided, Family::Convexity]);
        assert!(!v.orders_paper());
        let mut rows = ordered();
        rows.push(row(2.0, Start::DoubleSided, Label::DoubleSided, 0.1));
        assert!(!verdict(&rows, SigmaSharing::NeuronSigma).orders_paper(), "double-sided again at the top");
        let mut rows = ordered();
        rows.push(row(2.0, Start::Random, Label::Constant, 0.1));
        let v = verdict(&rows, SigmaSharing::NeuronSigma);
        assert_eq!(v.sequence.last(), Some(&Family::Other));
        assert!(v.orders_paper(), "a constant network above convexity does not break the order");
        assert!(verdict(&rows, SigmaSharing::TensorSigma).per_beta.is_empty(), "other measures' rows are ignored");
    }
}
