//! The paper's claims, checked against the measurements: the content of
//! `summary.json`. Nothing here is set by hand and nothing depends on wall time, so
//! the same configuration and seed give the same bytes.
//!
//! For one sweep (one generator, all generators pooled, or the variational MLPs) and
//! each of the three algorithms, with `f_k` the fraction of its networks at beta `k`
//! and `t` = `claims.appear_min_fraction`:
//! * appeared: `max_k f_k >= t`;
//! * beta range: the smallest and largest `log10 beta_k` with `f_k >= t`;
//! * centroid: `sum_k f_k log10 beta_k / sum_k f_k`, where in beta the algorithm lives;
//! * ordered: all three appeared and their centroids increase in the paper's order
//!   double-sided < pudding < convexity.
//!
//! Seed to seed: each claim per generator, then how many generators agree and the
//! spread (mean, standard deviation) of the numbers.
//!
//! Generalisation, per beta: each generator's mean nMSE over the trained sizes and over
//! the unseen sizes, and their ratio unseen / trained (1: no loss at unseen sizes).

use crate::studies::beta_sweep::Spread;
use crate::studies::family::Family;
use crate::studies::generalisation::SizeResult;
use crate::studies::sweep_record::SweepRecord;
use serde::Serialize;
use std::collections::BTreeMap;

/// Identifies the layout of `summary.json`.
/// v2: `preset` and `changed_from_preset`; `log10_beta_at_peak` is `null` for an absent
/// algorithm.
pub const SUMMARY_FORMAT: &str = "hnet-reproduce-summary-v2";

/// Where one algorithm appeared in one sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlgorithmClaim {
    pub appeared: bool,
    pub peak_fraction: f64,
    /// The (lowest) log10 beta of the peak; `None` (`null`) when the fraction is 0 at
    /// every beta: an absent algorithm has no peak.
    pub log10_beta_at_peak: Option<f64>,
    /// `[lowest, highest]` log10 beta where its fraction reaches the threshold.
    pub log10_beta_range: Option<[f64; 2]>,
    pub log10_beta_centroid: Option<f64>,
}

/// The claims read off one sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepClaims {
    /// By family name: `double-sided`, `pudding`, `convexity`.
    pub algorithms: BTreeMap<&'static str, AlgorithmClaim>,
    pub all_appeared: bool,
    pub ordered: bool,
    /// Mean nMSE and bits of the networks at the lowest and highest beta.
    pub nmse_at_lowest_beta: f64,
    pub nmse_at_highest_beta: f64,
    pub bits_at_lowest_beta: f64,
    pub bits_at_highest_beta: f64,
}

/// How the per-generator claims vary from seed to seed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeedSpread {
    pub seeds: usize,
    /// Generators in which each algorithm appeared.
    pub appeared_in_seeds: BTreeMap<&'static str, usize>,
    pub all_appeared_in_seeds: usize,
    pub ordered_in_seeds: usize,
    pub peak_fraction: BTreeMap<&'static str, Spread>,
    /// Over the generators in which the algorithm occurs at all (none: `null`).
    pub log10_beta_centroid: BTreeMap<&'static str, Option<Spread>>,
    pub nmse_at_lowest_beta: Spread,
    pub bits_at_lowest_beta: Spread,
}

/// The generators' claims: pooled over seeds, per seed, and the spread.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GeneratorClaims {
    pub pooled: SweepClaims,
    pub seed_spread: SeedSpread,
    /// In seed order.
    pub per_seed: Vec<SeedClaims>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeedClaims {
    pub seed: u64,
    #[serde(flatten)]
    pub claims: SweepClaims,
}

/// One input size at one beta.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SizeClaim {
    pub n: usize,
    pub trained: bool,
    /// Seed to seed.
    pub nmse: Spread,
    pub dominant_algorithm: &'static str,
    pub fractions: BTreeMap<&'static str, f64>,
}

/// Error at unseen sizes relative to trained sizes, at one beta.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GeneralisationClaim {
    pub log10_beta: f64,
    /// Seed to seed, of each generator's mean over the trained sizes.
    pub trained_nmse: Spread,
    /// Seed to seed, of each generator's mean over the unseen sizes.
    pub unseen_nmse: Spread,
    /// Seed to seed, of each generator's unseen / trained ratio.
    pub unseen_over_trained: Spread,
    pub per_n: Vec<SizeClaim>,
}

/// The whole of `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub format: &'static str,
    /// The preset the configuration started from: `quick` (a smoke test at toy size,
    /// not findings), `default` or `full`.
    pub preset: &'static str,
    /// Dotted keys of `config.toml` changed from the preset (not `seed` or `seeds`).
    pub changed_from_preset: Vec<String>,
    pub seeds: Vec<u64>,
    pub sweep_inputs: usize,
    pub log10_betas: Vec<f64>,
    pub appear_min_fraction: f64,
    pub trained_inputs: Vec<usize>,
    pub unseen_inputs: Vec<usize>,
    pub generator: GeneratorClaims,
    pub variational_mlp: SweepClaims,
    pub generalisation: Vec<GeneralisationClaim>,
}

/// The claims of one sweep (its records in ascending beta).
pub fn sweep_claims(sweep: &[SweepRecord], threshold: f64) -> SweepClaims {
    let algorithms: BTreeMap<&'static str, AlgorithmClaim> = Family::ALGORITHMS.iter().map(|f| (f.name(), algorithm_claim(*f, sweep, threshold))).collect();
    let all_appeared = algorithms.values().all(|a| a.appeared);
    let centroids: Vec<Option<f64>> = Family::ALGORITHMS.iter().map(|f| algorithms[f.name()].log10_beta_centroid).collect();
    let ordered = all_appeared && centroids.windows(2).all(|w| matches!((w[0], w[1]), (Some(a), Some(b)) if a < b));
    let (first, last) = (sweep.first().expect("a sweep has a beta"), sweep.last().expect("a sweep has a beta"));
    SweepClaims {
        algorithms,
        all_appeared,
        ordered,
        nmse_at_lowest_beta: first.nmse.mean,
        nmse_at_highest_beta: last.nmse.mean,
        bits_at_lowest_beta: first.bits.mean,
        bits_at_highest_beta: last.bits.mean,
    }
}

fn algorithm_claim(family: Family, sweep: &[SweepRecord], threshold: f64) -> AlgorithmClaim {
    let fractions: Vec<(f64, f64)> = sweep.iter().map(|r| (r.log10_beta, family.fraction(&r.labels))).collect();
    let (log10_beta_at_peak, peak_fraction) = fractions.iter().fold(fractions[0], |best, &p| if p.1 > best.1 { p } else { best });
    let above: Vec<f64> = fractions.iter().filter(|p| p.1 >= threshold).map(|p| p.0).collect();
    let weight: f64 = fractions.iter().map(|p| p.1).sum();
    AlgorithmClaim {
        appeared: !above.is_empty(),
        peak_fraction,
        log10_beta_at_peak: (peak_fraction > 0.0).then_some(log10_beta_at_peak),
        log10_beta_range: (!above.is_empty()).then(|| [above[0], above[above.len() - 1]]),
        log10_beta_centroid: (weight > 0.0).then(|| fractions.iter().map(|p| p.0 * p.1).sum::<f64>() / weight),
    }
}

/// The per-seed claims and their spread.
pub fn generator_claims(pooled: &[SweepRecord], per_seed: &[(u64, Vec<SweepRecord>)], threshold: f64) -> GeneratorClaims {
    let per_seed: Vec<SeedClaims> = per_seed.iter().map(|(seed, sweep)| SeedClaims { seed: *seed, claims: sweep_claims(sweep, threshold) }).collect();
    let claims: Vec<&SweepClaims> = per_seed.iter().map(|s| &s.claims).collect();
    let names = Family::ALGORITHMS.map(Family::name);
    let count = |pick: &dyn Fn(&SweepClaims) -> bool| claims.iter().filter(|c| pick(c)).count();
    let spread = |pick: &dyn Fn(&SweepClaims) -> f64| Spread::of(&claims.iter().map(|c| pick(c)).collect::<Vec<_>>());
    let seed_spread = SeedSpread {
        seeds: claims.len(),
        appeared_in_seeds: names.iter().map(|&a| (a, count(&|c| c.algorithms[a].appeared))).collect(),
        all_appeared_in_seeds: count(&|c| c.all_appeared),
        ordered_in_seeds: count(&|c| c.ordered),
        peak_fraction: names.iter().map(|&a| (a, spread(&|c| c.algorithms[a].peak_fraction))).collect(),
        log10_beta_centroid: names
            .iter()
            .map(|&a| {
                let present: Vec<f64> = claims.iter().filter_map(|c| c.algorithms[a].log10_beta_centroid).collect();
                (a, (!present.is_empty()).then(|| Spread::of(&present)))
            })
            .collect(),
        nmse_at_lowest_beta: spread(&|c| c.nmse_at_lowest_beta),
        bits_at_lowest_beta: spread(&|c| c.bits_at_lowest_beta),
    };
    GeneratorClaims { pooled: sweep_claims(pooled, threshold), seed_spread, per_seed }
}

/// Unseen against trained sizes, per beta (results as [`crate::studies::generalisation::generalise`]
/// orders them).
pub fn generalisation_claims(results: &[SizeResult], log10_betas: &[f64]) -> Vec<GeneralisationClaim> {
    log10_betas
        .iter()
        .map(|&lb| {
            let at: Vec<&SizeResult> = results.iter().filter(|r| r.log10_beta == lb).collect();
            let seeds = at.first().map_or(0, |r| r.per_seed_nmse.len());
            let mean_over = |trained: bool, seed: usize| {
                let v: Vec<f64> = at.iter().filter(|r| r.trained == trained).map(|r| r.per_seed_nmse[seed]).collect();
                v.iter().sum::<f64>() / v.len() as f64
            };
            let trained: Vec<f64> = (0..seeds).map(|s| mean_over(true, s)).collect();
            let unseen: Vec<f64> = (0..seeds).map(|s| mean_over(false, s)).collect();
            let ratio: Vec<f64> = unseen.iter().zip(&trained).map(|(u, t)| u / t).collect();
            GeneralisationClaim {
                log10_beta: lb,
                trained_nmse: Spread::of(&trained),
                unseen_nmse: Spread::of(&unseen),
                unseen_over_trained: Spread::of(&ratio),
                per_n: at
                    .iter()
                    .map(|r| SizeClaim {
                        n: r.n,
                        trained: r.trained,
                        nmse: r.nmse,
                        dominant_algorithm: Family::dominant(&r.labels).name(),
                        fractions: Family::ALL.iter().map(|f| (f.name(), f.fraction(&r.labels))).collect(),
                    })
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use approx::abs_diff_eq;
    use super::*;
    use crate::classify::Label;
    use crate::studies::label_counts::LabelCounts;

    fn record(lb: f64, labels: &[Label]) -> SweepRecord {
        SweepRecord { log10_beta: lb, nmse: Spread::of(&[lb + 10.0]), bits: Spread::of(&[-lb]), labels: LabelCounts::new(labels.iter().copied()), networks: vec![] }
    }

    fn paper_like() -> Vec<SweepRecord> {
        use Label::*;
        vec![
            record(-3.0, &[DoubleSided, DoubleSided, Other]),
            record(-2.0, &[DoubleSided, PositivePudding, Other]),
            record(-1.0, &[NegativePudding, MixedPudding, Convexity]),
            record(0.0, &[Convexity, Convexity, Convexity]),
        ]
    }

    #[test]
    fn the_paper_order_is_recognised_and_its_ranges_read_off() {
        let c = sweep_claims(&paper_like(), 0.3);
        assert!(c.all_appeared && c.ordered, "{c:?}");
        assert_eq!(c.algorithms["double-sided"].log10_beta_range, Some([-3.0, -2.0]));
        assert_eq!(c.algorithms["pudding"].log10_beta_range, Some([-2.0, -1.0]));
        assert_eq!(c.algorithms["convexity"].log10_beta_range, Some([-1.0, 0.0]));
        assert_eq!((c.nmse_at_lowest_beta, c.bits_at_highest_beta), (7.0, 0.0));
    }

    #[test]
    fn a_reversed_sweep_is_not_ordered_and_a_missing_algorithm_did_not_appear() {
        let mut reversed = paper_like();
        let betas: Vec<f64> = reversed.iter().rev().map(|r| r.log10_beta).collect();
        reversed.iter_mut().zip(betas).for_each(|(r, b)| r.log10_beta = b);
        reversed.reverse();
        let c = sweep_claims(&reversed, 0.3);
        assert!(c.all_appeared && !c.ordered, "{c:?}");
        let no_pudding: Vec<SweepRecord> = vec![record(-1.0, &[Label::DoubleSided]), record(0.0, &[Label::Convexity])];
        let c = sweep_claims(&no_pudding, 0.3);
        assert!(!c.algorithms["pudding"].appeared && c.algorithms["pudding"].log10_beta_centroid.is_none() && !c.ordered);
        assert_eq!(c.algorithms["pudding"].log10_beta_at_peak, None, "an absent algorithm has no peak");
        assert_eq!(c.algorithms["convexity"].log10_beta_at_peak, Some(0.0));
    }

    #[test]
    fn seeds_are_counted_and_spread() {
        let one = paper_like();
        let other = vec![record(-3.0, &[Label::Convexity]), record(-2.0, &[Label::Convexity]), record(-1.0, &[Label::Convexity]), record(0.0, &[Label::Convexity])];
        let g = generator_claims(&one, &[(0, one.clone()), (1, other)], 0.3);
        assert_eq!((g.seed_spread.ordered_in_seeds, g.seed_spread.appeared_in_seeds["convexity"], g.seed_spread.appeared_in_seeds["pudding"]), (1, 2, 1));
        assert_eq!(g.seed_spread.log10_beta_centroid["pudding"].unwrap().std, 0.0, "one seed has no pudding: spread over the other");
    }

    #[test]
    fn generalisation_ratio_is_unseen_over_trained_per_seed() {
        let size = |n, trained, per_seed_nmse: Vec<f64>| SizeResult { n, trained, log10_beta: -1.0, nmse: Spread::of(&per_seed_nmse), per_seed_nmse, labels: LabelCounts::new([Label::Convexity]) };
        let results = vec![size(4, false, vec![0.4, 0.9]), size(8, true, vec![0.1, 0.3]), size(16, false, vec![0.2, 0.3])];
        let g = &generalisation_claims(&results, &[-1.0])[0];
        assert!(abs_diff_eq!(g.unseen_over_trained.mean, (3.0 + 2.0) / 2.0, epsilon = 1e-12), "{g:?}");
        assert_eq!(g.per_n.len(), 3);
        assert_eq!(g.per_n[0].dominant_algorithm, "convexity");
    }
}
