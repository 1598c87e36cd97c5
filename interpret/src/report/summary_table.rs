//! The summary printed at the end of `hnet reproduce`: the claims of `summary.json`
//! as a plain-text table.

use crate::studies::claims::{Summary, SweepClaims};
use crate::studies::family::Family;
use crate::studies::reproduce_config::Preset;
use std::fmt::Write;

fn cell(c: &SweepClaims, name: &str) -> String {
    let a = &c.algorithms[name];
    let range = a.log10_beta_range.map_or("-".to_string(), |[lo, hi]| format!("[{lo:+.2}, {hi:+.2}]"));
    let centroid = a.log10_beta_centroid.map_or("-".to_string(), |v| format!("{v:+.2}"));
    format!("{:<4} {:>5.0}% {:<17} {:>6}", if a.appeared { "yes" } else { "no" }, 100.0 * a.peak_fraction, range, centroid)
}

/// The claims, one line per algorithm and one per overall claim.
pub fn summary_table(s: &Summary) -> String {
    let g = &s.generator;
    let mut out = String::new();
    if s.preset == Preset::Quick.name() {
        let _ = writeln!(out, "SMOKE TEST (the quick preset, toy sizes): the numbers below are not findings.");
    }
    let _ = writeln!(out, "claims (an algorithm appears where at least {:.0}% of the networks implement it; log10 beta):", 100.0 * s.appear_min_fraction);
    let _ = writeln!(out, "  {:<13} | {:<36} | {:<7} | variational MLP", "algorithm", "generator: appeared peak range centroid", "seeds");
    for f in Family::ALGORITHMS {
        let name = f.name();
        let seeds = format!("{}/{}", g.seed_spread.appeared_in_seeds[name], g.seed_spread.seeds);
        let _ = writeln!(out, "  {name:<13} | {} | {seeds:<7} | {}", cell(&g.pooled, name), cell(&s.variational_mlp, name));
    }
    let yes = |b: bool| if b { "yes" } else { "no" };
    let _ = writeln!(
        out,
        "  ordered double-sided < pudding < convexity: generator {} ({} of {} seeds), variational MLP {}",
        yes(g.pooled.ordered),
        g.seed_spread.ordered_in_seeds,
        g.seed_spread.seeds,
        yes(s.variational_mlp.ordered)
    );
    let _ = writeln!(out, "  nMSE at the lowest beta: generator {:.4} (seed sd {:.4}), variational MLP {:.4}", g.pooled.nmse_at_lowest_beta, g.seed_spread.nmse_at_lowest_beta.std, s.variational_mlp.nmse_at_lowest_beta);
    for c in &s.generalisation {
        let _ = writeln!(
            out,
            "  generalisation at log10 beta {:+.2}: nMSE trained {:.4}, unseen {:.4}, unseen/trained {:.2} (seed sd {:.2})",
            c.log10_beta, c.trained_nmse.mean, c.unseen_nmse.mean, c.unseen_over_trained.mean, c.unseen_over_trained.std
        );
    }
    out
}
