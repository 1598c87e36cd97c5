//! Configs as TOML files. Reading: any field left out takes its default (the config
//! structs carry `#[serde(default)]`), an unknown field is an error naming it.
//! Writing: every field, defaults included, so a run's folder records exactly what
//! ran; written atomically.

use crate::weights_io::write_atomic;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::Path;

/// Reads a config, with a message naming the file and the line at fault.
pub fn load_toml<C: DeserializeOwned>(path: &Path) -> Result<C, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read config {}: {e}", path.display()))?;
    crate::config_parse::parse_toml(&text).map_err(|e| format!("config {} is not valid: {e}", path.display()))
}

/// The config as TOML text, every field written out.
pub fn to_toml<C: Serialize>(config: &C) -> String {
    toml::to_string(config).expect("configs serialise to TOML")
}

/// Writes the config with every field, atomically.
pub fn save_toml<C: Serialize>(path: &Path, config: &C) -> Result<(), String> {
    write_atomic(path, to_toml(config).as_bytes()).map_err(|e| format!("cannot write config {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vmlp::VmlpConfig;

    #[test]
    fn partial_files_take_defaults_and_unknown_fields_are_named() {
        let dir = std::env::temp_dir().join(format!("hypernet-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("partial.toml");
        std::fs::write(&path, "steps = 7\n[problem]\ninputs = 4\n").unwrap();
        let cfg: VmlpConfig = load_toml(&path).unwrap();
        assert_eq!((cfg.steps, cfg.problem.inputs, cfg.problem.hidden), (7, 4, 48));
        assert_eq!(cfg.log10_betas, VmlpConfig::default().log10_betas);

        save_toml(&path, &cfg).unwrap();
        assert_eq!(load_toml::<VmlpConfig>(&path).unwrap(), cfg, "round trip");

        std::fs::write(&path, "step = 7\n").unwrap();
        let err = load_toml::<VmlpConfig>(&path).unwrap_err();
        assert!(err.contains("partial.toml") && err.contains("unknown field `step`"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
