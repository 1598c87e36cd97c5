//! The output folder of each `hnet` command that writes one, with the entries it owns.

use super::{FolderKind, CONFIG_FILE};

/// The lock a running `hnet train` holds in its folder.
pub const TRAIN_LOCK: &str = "train.lock";

/// `hnet train`: a generator training run.
pub const TRAIN: FolderKind = FolderKind {
    command: "train",
    entries: &[CONFIG_FILE, "metrics.jsonl", "checkpoint.safetensors", "metrics.jsonl.cut-at-line-*"],
    kept: &[TRAIN_LOCK],
};

/// `hnet train-mlp`: one target network trained with Adam.
pub const TRAIN_MLP: FolderKind = FolderKind {
    command: "train-mlp",
    entries: &[CONFIG_FILE, "metrics.jsonl", "weights.safetensors", "summary.json"],
    kept: &[],
};

/// `hnet train-vmlp`: variational MLPs over a list of betas.
pub const TRAIN_VMLP: FolderKind = FolderKind {
    command: "train-vmlp",
    entries: &[CONFIG_FILE, "metrics.jsonl", "summary.json", "networks"],
    kept: &[],
};

/// `hnet generate`: target networks from a generator checkpoint.
pub const GENERATE: FolderKind = FolderKind { command: "generate", entries: &["generated.json", "net_*.safetensors"], kept: &[] };

/// `hnet reproduce`: a report, or the generators of one `--train-only` job.
pub const REPRODUCE: FolderKind = FolderKind {
    command: "reproduce",
    entries: &["index.html", "summary.json", "run.json", CONFIG_FILE, "data", "figures", "networks", "checkpoints", "logs"],
    kept: &[],
};

/// `hnet landscape`: the objective's phase diagram.
pub const LANDSCAPE: FolderKind = FolderKind {
    command: "landscape",
    entries: &[CONFIG_FILE, "landscape.csv", "landscape.json", "landscape-*.svg"],
    kept: &[],
};
