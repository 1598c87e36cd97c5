//! Every experiment configuration of `NOTES.md` (`experiments/*.toml`) still parses as a
//! `GeneratorTrainConfig` and validates, so each figure can be rerun from its file, and
//! states the generator settings whose defaults have changed since (pointer gain,
//! Sinkhorn rounds, hard assignment, complexity), so a later default cannot move an old figure.

use hypernet::generator::GeneratorTrainConfig;

#[test]
fn every_experiment_file_parses_and_validates() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../experiments");
    let mut checked = 0;
    for entry in std::fs::read_dir(&folder).expect("experiments/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).expect("experiment file is readable");
            let config: GeneratorTrainConfig = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            config.validate().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            for key in ["pointer_gain", "sinkhorn_iterations", "hard_assignment", "complexity"] {
                assert!(text.lines().any(|l| l.trim_start().starts_with(&format!("{key} ="))), "{} does not state {key}", path.display());
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "found only {checked} experiment files in {}", folder.display());
}
