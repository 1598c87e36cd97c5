//! Claiming, replacing and protecting output folders.

use super::*;

const KIND: FolderKind = FolderKind { command: "mine", entries: &[CONFIG_FILE, "data", "net_*.safetensors"], kept: &["mine.lock"] };
const OTHER: FolderKind = FolderKind { command: "other", entries: &[CONFIG_FILE, "data"], kept: &[] };

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hnet-output-folder-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn a_missing_folder_is_created_and_marked() {
    let dir = scratch("new").join("deeper");
    KIND.claim(&dir, false).unwrap();
    assert_eq!(recorded_kind(&dir).unwrap().as_deref(), Some("mine"));
    std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
}

#[test]
fn another_commands_folder_is_refused_even_with_force() {
    let dir = scratch("other");
    OTHER.claim(&dir, false).unwrap();
    std::fs::write(dir.join(CONFIG_FILE), "theirs").unwrap();
    for force in [false, true] {
        let err = KIND.replace(&dir, force).unwrap_err();
        assert!(err.contains("belongs to `hnet other`") && err.contains("`hnet mine` does not write into it"), "{err}");
    }
    assert_eq!(std::fs::read_to_string(dir.join(CONFIG_FILE)).unwrap(), "theirs");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn foreign_entries_are_refused_unless_forced_and_then_kept() {
    let dir = scratch("foreign");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "the user's").unwrap();
    std::fs::write(dir.join("net_0.safetensors"), "old").unwrap();
    let err = KIND.replace(&dir, false).unwrap_err();
    assert!(err.contains("an entry that `hnet mine` did not write (notes.txt)") && err.contains("--force"), "{err}");
    assert!(dir.join("net_0.safetensors").exists() && recorded_kind(&dir).unwrap().is_none(), "a refusal changes nothing");
    KIND.replace(&dir, true).unwrap();
    assert!(!dir.join("net_0.safetensors").exists(), "its own old output is cleared");
    assert_eq!(std::fs::read_to_string(dir.join("notes.txt")).unwrap(), "the user's");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn own_entries_temporaries_and_kept_files_are_not_foreign_and_kept_files_survive_a_clear() {
    let dir = scratch("own");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    for name in ["net_12.safetensors", ".config.toml.tmp-42-0", "mine.lock"] {
        std::fs::write(dir.join(name), "x").unwrap();
    }
    KIND.replace(&dir, false).unwrap();
    let mut left: Vec<String> = names(&dir).unwrap();
    left.sort();
    assert_eq!(left, [KIND_FILE, "mine.lock"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn output_of_another_configuration_is_protected_unless_forced_and_the_same_is_replaced() {
    let dir = scratch("config");
    KIND.replace_same_config(&dir, "a = 1\n", false).unwrap();
    std::fs::write(dir.join(CONFIG_FILE), "a = 1\n").unwrap();
    std::fs::create_dir_all(dir.join("data")).unwrap();
    KIND.replace_same_config(&dir, "a = 1\n", false).unwrap();
    assert!(!dir.join("data").exists() && !dir.join(CONFIG_FILE).exists(), "a rerun clears the old output");

    std::fs::write(dir.join(CONFIG_FILE), "a = 1\n").unwrap();
    let err = KIND.replace_same_config(&dir, "a = 2\n", false).unwrap_err();
    assert!(err.contains("output of another configuration") && err.contains("--force"), "{err}");
    assert!(dir.join(CONFIG_FILE).exists());
    KIND.replace_same_config(&dir, "a = 2\n", true).unwrap();
    assert!(!dir.join(CONFIG_FILE).exists());

    std::fs::create_dir_all(dir.join("data")).unwrap();
    let err = KIND.replace_same_config(&dir, "a = 2\n", false).unwrap_err();
    assert!(err.contains("configuration is missing"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn patterns_match_one_star() {
    assert!(matches("net_*.safetensors", "net_0.safetensors") && matches("net_*.safetensors", "net_.safetensors"));
    assert!(!matches("net_*.safetensors", "net_0.safetensors.bak") && !matches("net_*.safetensors", "net.safetensors"));
    assert!(matches(CONFIG_FILE, CONFIG_FILE) && !matches(CONFIG_FILE, "config.toml~"));
}
