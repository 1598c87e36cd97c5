//! Wall-clock timing of a repeated step: warm-up runs, then timed repetitions
//! summarised by their median and minimum.

use std::hint::black_box;
use std::time::Instant;

/// Milliseconds per step.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    pub median_ms: f64,
    pub min_ms: f64,
}

/// Runs `step` `warmup` times untimed, then `reps` times (at least one) timed. Its
/// result is passed through `black_box` so that the work cannot be optimised away.
pub fn measure<R>(warmup: usize, reps: usize, mut step: impl FnMut() -> R) -> Timing {
    for _ in 0..warmup {
        black_box(step());
    }
    let mut ms: Vec<f64> = (0..reps.max(1))
        .map(|_| {
            let start = Instant::now();
            black_box(step());
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    let mid = ms.len() / 2;
    let median_ms = if ms.len() % 2 == 1 { ms[mid] } else { 0.5 * (ms[mid - 1] + ms[mid]) };
    Timing { median_ms, min_ms: ms[0] }
}
