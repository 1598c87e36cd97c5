//! Embeds the source commit in `hnet` at build time as `HNET_COMMIT`, so that a report
//! names it wherever the program runs: `git rev-parse HEAD` of the checkout being
//! built, with `-modified` when the sources compiled into the program ([`SOURCES`])
//! differ from that commit (or git cannot tell), or `unknown` when the build is not
//! from a git checkout (or git is missing).
//!
//! Cargo reruns this script when the commit moves (HEAD, the branch's ref, packed
//! refs) or a source file changes.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace paths, relative to its root, whose contents make up `hnet`.
const SOURCES: [&str; 10] =
    ["Cargo.toml", "Cargo.lock", "kernels/Cargo.toml", "kernels/src", "autodiff/Cargo.toml", "autodiff/src", "hypernet/Cargo.toml", "hypernet/src", "interpret/Cargo.toml", "interpret/src"];

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git").arg("-C").arg(root).args(args).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("..");
    let commit = match git(&root, &["rev-parse", "HEAD"]) {
        Some(head) if !head.is_empty() => {
            watch_git(&root);
            // --no-optional-locks: no index refresh, which would rerun this script next build.
            let mut status = vec!["--no-optional-locks", "status", "--porcelain", "--untracked-files=no", "--"];
            status.extend(SOURCES);
            let modified = git(&root, &status).is_none_or(|s| !s.is_empty());
            if modified {
                format!("{head}-modified")
            } else {
                head
            }
        }
        _ => "unknown".to_string(),
    };
    println!("cargo:rustc-env=HNET_COMMIT={commit}");
}

/// Asks Cargo to rerun this script when the commit or a source file changes (only paths
/// that exist: a missing one would rerun it on every build).
fn watch_git(root: &Path) {
    let path_of = |args: &[&str]| git(root, args).map(|p| root.join(p));
    let mut watched: Vec<PathBuf> = SOURCES.iter().map(|s| root.join(s)).collect();
    let branch = git(root, &["symbolic-ref", "-q", "HEAD"]);
    for name in ["HEAD", "packed-refs"].into_iter().chain(branch.as_deref()) {
        watched.extend(path_of(&["rev-parse", "--git-path", name]));
    }
    for path in watched.into_iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}
