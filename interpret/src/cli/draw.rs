//! `hnet draw FILE --out SVG [--heatmap SVG]`: pictures of a network.

use super::memory_limit::check_analysis_memory;
use super::files::{distinct_outputs, load_weights, write_text};
use interpret::classify::classify;
use interpret::draw::network_svg;
use interpret::heatmap::heatmap_svg;
use interpret::analysis_memory::Analysis;
use std::path::PathBuf;

/// Draw a network as a force-directed graph (and optionally its weights as a
/// heatmap), as SVG.
#[derive(clap::Args)]
pub struct Args {
    /// Target weights (safetensors: W1, b1, w2, b2).
    file: PathBuf,
    /// Refuse a job that needs more memory than this, e.g. 8G (default: the memory
    /// available now, MemAvailable in /proc/meminfo).
    #[arg(long)]
    max_memory: Option<String>,
    /// Where to write the graph drawing (SVG).
    #[arg(long)]
    out: PathBuf,
    /// Where to write a heatmap of the input weights, neurons sorted by role (SVG).
    #[arg(long)]
    heatmap: Option<PathBuf>,
}

impl Args {
    pub fn run(self) -> Result<(), String> {
        let outputs: Vec<&std::path::Path> = std::iter::once(self.out.as_path()).chain(self.heatmap.as_deref()).collect();
        distinct_outputs(&[&self.file], &outputs)?;
        let net = load_weights(&self.file)?;
        check_analysis_memory(self.max_memory.as_deref(), Analysis::Draw { heatmap: self.heatmap.is_some() }, &net, &self.file)?;
        let classification = classify(&net);
        write_text(&self.out, &network_svg(&net, &classification))?;
        println!("wrote {} ({})", self.out.display(), classification.label);
        if let Some(path) = &self.heatmap {
            let title = format!("{}: W1 directions ({})", self.file.display(), classification.label);
            write_text(path, &heatmap_svg(&net, &classification.params, &title))?;
            println!("wrote {}", path.display());
        }
        Ok(())
    }
}
