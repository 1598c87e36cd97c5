//! A trained generator's snapshots and training curve on disk, so that seeds can be
//! trained as separate jobs and analysed together later:
//! `checkpoints/seed-<seed>/step-<step>.safetensors` (one verified checkpoint per
//! snapshot) and `checkpoints/seed-<seed>/curve.json` (the training curve; JSON numbers
//! read back bit for bit, as serde_json's `float_roundtrip` feature guarantees, so a
//! report assembled from saved runs equals one made in memory).

use crate::studies::seed_training::{CurvePoint, SeedRun, Snapshot};
use hypernet::checkpoint::{load_checkpoint, save_checkpoint};
use hypernet::weights_io::write_atomic;
use std::path::{Path, PathBuf};

/// The folder of one seed's run, relative to a report folder.
pub fn seed_folder(seed: u64) -> PathBuf {
    PathBuf::from(format!("checkpoints/seed-{seed}"))
}

/// The checkpoint file of a snapshot, relative to a report folder.
pub fn checkpoint_path(seed: u64, step: usize) -> PathBuf {
    seed_folder(seed).join(format!("step-{step:07}.safetensors"))
}

/// Writes `run` under `out`.
pub fn save_seed_run(out: &Path, run: &SeedRun) -> Result<(), String> {
    let dir = out.join(seed_folder(run.seed));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for s in &run.snapshots {
        save_checkpoint(&out.join(checkpoint_path(run.seed, s.step)), &s.checkpoint).map_err(|e| e.to_string())?;
    }
    let curve = serde_json::to_string(&run.curve).expect("the curve serialises");
    write_atomic(&dir.join("curve.json"), curve.as_bytes()).map_err(|e| format!("cannot write {}: {e}", dir.join("curve.json").display()))
}

/// Every seed's run saved under `dir`, in order of seed.
pub fn load_seed_runs(dir: &Path) -> Result<Vec<SeedRun>, String> {
    let root = dir.join("checkpoints");
    let listing = std::fs::read_dir(&root).map_err(|e| format!("cannot read {}: {e} (is {} the output of `hnet reproduce`?)", root.display(), dir.display()))?;
    let mut seeds: Vec<u64> = listing.filter_map(|e| e.ok()?.file_name().to_str()?.strip_prefix("seed-")?.parse().ok()).collect();
    seeds.sort_unstable();
    seeds.into_iter().map(|seed| load_seed_run(dir, seed)).collect()
}

fn load_seed_run(dir: &Path, seed: u64) -> Result<SeedRun, String> {
    let folder = dir.join(seed_folder(seed));
    let listing = std::fs::read_dir(&folder).map_err(|e| format!("cannot read {}: {e}", folder.display()))?;
    let mut steps: Vec<usize> = listing.filter_map(|e| e.ok()?.file_name().to_str()?.strip_prefix("step-")?.strip_suffix(".safetensors")?.parse().ok()).collect();
    steps.sort_unstable();
    if steps.is_empty() {
        return Err(format!("{} holds no snapshot (step-*.safetensors); its training did not finish", folder.display()));
    }
    let snapshots = steps
        .into_iter()
        .map(|step| Ok(Snapshot { step, checkpoint: load_checkpoint(&dir.join(checkpoint_path(seed, step))).map_err(|e| e.to_string())? }))
        .collect::<Result<Vec<_>, String>>()?;
    let curve_path = folder.join("curve.json");
    let text = std::fs::read_to_string(&curve_path).map_err(|e| format!("cannot read {}: {e}", curve_path.display()))?;
    let curve: Vec<CurvePoint> = serde_json::from_str(&text).map_err(|e| format!("{} is not a training curve: {e}", curve_path.display()))?;
    Ok(SeedRun { seed, snapshots, curve })
}
