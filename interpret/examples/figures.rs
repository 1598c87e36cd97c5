//! Writes the example figures in `docs/figures/`: for each reference algorithm at
//! n = 8, the force-directed graph and the weight heatmap, plus a noisy, permuted,
//! padded double-sided network to show what robustness looks like.
//!
//! Run from the workspace root: `cargo run -p interpret --release --example figures`
//! (an optional argument replaces the output folder).

use autodiff::Key;
use interpret::classify::classify;
use interpret::draw::network_svg;
use interpret::heatmap::heatmap_svg;
use interpret::reference::{pad_with_dead_neurons, Algorithm, SHARP};
use interpret::transform::{add_weight_noise, permute_inputs, random_permutation, select_neurons};
use std::path::PathBuf;

fn main() -> Result<(), String> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "docs/figures".into()));
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let n = 8;
    let key = Key::new(2023);
    let mut networks: Vec<(String, hypernet::TargetWeights)> =
        Algorithm::ALL.iter().map(|a| (a.name().to_string(), a.build(n, SHARP, key))).collect();
    let base = pad_with_dead_neurons(&Algorithm::DoubleSided.build(n, SHARP, key), 3 * n, key.fold_in(1));
    let shuffled = select_neurons(&permute_inputs(&base, &random_permutation(key.fold_in(2), n)), &random_permutation(key.fold_in(3), 3 * n));
    networks.push(("double-sided-noisy-permuted-padded".into(), add_weight_noise(&shuffled, 0.1, key.fold_in(4))));
    for (name, net) in networks {
        let c = classify(&net);
        let write = |suffix: &str, text: String| {
            let path = out.join(format!("{name}-{suffix}.svg"));
            std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            println!("wrote {} ({})", path.display(), c.label);
            Ok::<(), String>(())
        };
        write("graph", network_svg(&net, &c))?;
        write("heatmap", heatmap_svg(&net, &c.params, &format!("{name}: W1 directions, neurons sorted by role")))?;
    }
    Ok(())
}
