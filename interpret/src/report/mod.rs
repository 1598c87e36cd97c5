//! The report of `hnet reproduce`: one folder with a self-contained `index.html`,
//! `summary.json`, the CSVs behind every figure, the figures as SVG, the drawn
//! networks and the checkpoints. [`write::reproduce`] runs the studies and writes it.

pub mod chart;
pub mod csv;
pub mod figure;
pub mod fractions_figure;
pub mod generalisation_figure;
pub mod html;
pub mod landscape_figure;
pub mod palette;
pub mod pareto_figure;
pub mod phase_figure;
pub mod run_info;
pub mod summary_table;
pub mod svg_writer;
pub mod training_figure;
pub mod write;
