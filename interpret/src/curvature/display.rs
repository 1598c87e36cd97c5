//! The curvature report as `hnet explain` prints it.

use super::{CurvatureReport, TopMethod};
use std::fmt;

/// Eigenvalues within this fraction of the largest magnitude count as flat (rounding).
const FLAT: f64 = 1e-6;

/// The first and last few of a sorted list, `…` between.
fn ends(values: &[f64], each: usize) -> String {
    let show = |v: &[f64]| v.iter().map(|x| format!("{x:.3e}")).collect::<Vec<_>>().join(" ");
    if values.len() <= 2 * each {
        show(values)
    } else {
        format!("{} … {}", show(&values[..each]), show(&values[values.len() - each..]))
    }
}

impl fmt::Display for CurvatureReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "curvature of the nMSE in the {} weights:", self.weights)?;
        writeln!(f, "  nMSE {:.5}, gradient norm {:.3e}", self.nmse, self.gradient_norm)?;
        let top: Vec<String> = self.top.iter().map(|v| format!("{v:.4e}")).collect();
        let method = match self.top_method {
            TopMethod::FullSpectrum => "from the full spectrum",
            TopMethod::PowerIteration => "power iteration on Hessian-vector products",
        };
        writeln!(f, "  largest Hessian eigenvalues ({method}): {}", top.join(" "))?;
        let Some(s) = &self.spectrum else {
            return writeln!(f, "  (more weights than --max-full-hessian: no full spectrum and no Laplace bits)");
        };
        let scale = s.hessian.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let negative = s.hessian.iter().filter(|&&v| v < -FLAT * scale).count();
        let flat = s.hessian.iter().filter(|&&v| v.abs() <= FLAT * scale).count();
        writeln!(f, "  Hessian spectrum (ascending): {}", ends(&s.hessian, 3))?;
        writeln!(f, "  prior-whitened D H D (ascending): {}", ends(&s.whitened, 3))?;
        writeln!(
            f,
            "  {negative} negative and {flat} flat (|lambda| <= {FLAT:e} of the largest) eigenvalues; negative ones count as flat below; |H - H^T| at most {:.1e}",
            s.asymmetry
        )?;
        writeln!(f, "  Laplace description length (posterior precision = prior + H W ln2 / beta; docs/curvature.md):")?;
        writeln!(f, "    {:>10} {:>10} {:>11} {:>10} {:>12} {:>14}", "log10 beta", "bits", "bits/weight", "mean bits", "extra nMSE", "nMSE+beta b/W")?;
        for l in &s.laplace {
            writeln!(
                f,
                "    {:>10.1} {:>10.1} {:>11.3} {:>10.1} {:>12.3e} {:>14.5}",
                l.log10_beta,
                l.bits,
                l.bits / self.weights as f64,
                l.mean_bits,
                l.extra_nmse,
                l.objective
            )?;
        }
        Ok(())
    }
}
