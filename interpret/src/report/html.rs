//! `index.html`: the whole report on one self-contained page (inline CSS, figures as
//! inline SVG, no scripts, no network), in sections with fixed anchors
//! ([`SECTIONS`]): the run, the claims with their tables, each figure, the drawings,
//! the configuration and the files written. A run of the `quick` preset opens with a
//! banner saying it is a smoke test ([`SMOKE_TEST_BANNER`]).

use crate::report::figure::Figure;
use crate::report::run_info::RunInfo;
use crate::studies::beta_sweep::Spread;
use crate::studies::claims::{AlgorithmClaim, Summary, SweepClaims};
use crate::studies::drawings::Drawing;
use crate::studies::family::Family;
use crate::studies::reproduce_config::Preset;
use crate::svg::escape;
use std::fmt::Write;

/// The anchors of the page's sections, in order.
/// The landscape's section (after "phase") appears only when the report is given one.
pub const SECTIONS: [&str; 10] = ["run", "claims", "pareto", "fractions", "phase", "drawings", "generalisation", "training", "config", "files"];

const STYLE: &str = "body{font-family:DejaVu Sans,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
table{border-collapse:collapse;margin:0.8em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:0.92em}\
th{background:#f3f3f3}pre{background:#f7f7f7;padding:0.8em;overflow-x:auto;font-size:0.85em}figure{margin:1em 0}\
figcaption{font-size:0.9em;color:#444;max-width:760px}.yes{color:#1a7f37;font-weight:bold}.no{color:#b42318;font-weight:bold}\
.drawing{border-top:1px solid #ddd;padding-top:0.5em}nav a{margin-right:0.8em}\
.smoke{border:2px solid #b42318;background:#fdecea;padding:0.6em 1em;font-size:1.05em}";

/// The banner of a `quick` run (its id, `smoke-test`, marks it for tests).
pub const SMOKE_TEST_BANNER: &str = "<p class=\"smoke\" id=\"smoke-test\"><strong>Smoke test, not findings.</strong> This report comes from the \
     <code>quick</code> preset: every stage runs at toy size to check that the pipeline works end to end. Its numbers, \
     yes/no claims included, say nothing about the paper; run <code>hnet reproduce</code> (or <code>--full</code>) for results.</p>\n";

/// The page.
pub fn index_html(config_toml: &str, summary: &Summary, figures: &[Figure], drawings: &[Drawing], info: &RunInfo, files: &[String]) -> String {
    let mut page = String::new();
    let _ = write!(page, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>hnet reproduce: report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n");
    page.push_str("<h1>Generating interpretable networks with hypernetworks: reproduction report</h1>\n<nav>");
    let has_landscape = figures.iter().any(|f| f.id == "landscape");
    for id in SECTIONS {
        let _ = write!(page, "<a href=\"#{id}\">{id}</a>");
        if id == "phase" && has_landscape {
            page.push_str("<a href=\"#landscape\">landscape</a>");
        }
    }
    page.push_str("</nav>\n");
    if summary.preset == Preset::Quick.name() {
        page.push_str(SMOKE_TEST_BANNER);
    }
    run_section(&mut page, summary, info);
    claims_section(&mut page, summary);
    for id in ["pareto", "fractions", "phase"] {
        figure_section(&mut page, figures, id, "");
    }
    if has_landscape {
        figure_section(&mut page, figures, "landscape", "");
    }
    drawings_section(&mut page, drawings);
    figure_section(&mut page, figures, "generalisation", &generalisation_table(summary));
    figure_section(&mut page, figures, "training", "");
    let _ = write!(page, "<section id=\"config\">\n<h2>Configuration</h2>\n<p>Rerun with <code>hnet reproduce --config config.toml</code>.</p>\n<pre>{}</pre>\n</section>\n", escape(config_toml));
    page.push_str("<section id=\"files\">\n<h2>Files</h2>\n<ul>\n");
    for f in files {
        let _ = writeln!(page, "<li><a href=\"{f}\">{f}</a></li>", f = escape(f));
    }
    page.push_str("</ul>\n</section>\n</body>\n</html>\n");
    page
}

fn run_section(page: &mut String, summary: &Summary, info: &RunInfo) {
    page.push_str("<section id=\"run\">\n<h2>The run</h2>\n<table>\n");
    let seeds: Vec<String> = summary.seeds.iter().map(u64::to_string).collect();
    let preset = match summary.changed_from_preset.as_slice() {
        [] => summary.preset.to_string(),
        changed => format!("{}, with {} keys changed: {}", summary.preset, changed.len(), changed.join(", ")),
    };
    let rows = [
        ("command", info.command.clone()),
        ("commit", info.commit.clone()),
        ("preset", preset),
        ("seeds", seeds.join(", ")),
        ("time taken", format!("{:.1} s on {} threads", info.total_seconds, info.threads)),
    ];
    for (k, v) in rows {
        let _ = writeln!(page, "<tr><th>{k}</th><td><code>{}</code></td></tr>", escape(&v));
    }
    for (stage, seconds) in &info.stages {
        let _ = writeln!(page, "<tr><th>stage</th><td>{}: {seconds:.1} s</td></tr>", escape(stage));
    }
    page.push_str("</table>\n</section>\n");
}

fn yes_no(v: bool) -> &'static str {
    if v {
        "<span class=\"yes\">yes</span>"
    } else {
        "<span class=\"no\">no</span>"
    }
}

/// A number with four significant digits.
fn num(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        format!("{v}")
    } else if v.abs() >= 1e4 || v.abs() < 1e-3 {
        format!("{v:.3e}")
    } else {
        let decimals = (3 - v.abs().log10().floor() as i32).max(0) as usize;
        format!("{v:.decimals$}")
    }
}

fn spread(s: &Spread) -> String {
    format!("{} &plusmn; {}", num(s.mean), num(s.std))
}

/// The peak fraction and its beta, or `absent` for an algorithm no network implements.
fn peak(a: &AlgorithmClaim) -> String {
    a.log10_beta_at_peak.map_or("absent".into(), |lb| format!("{:.0}% ({lb:+.2})", 100.0 * a.peak_fraction))
}

fn range(a: &AlgorithmClaim) -> String {
    a.log10_beta_range.map_or("&ndash;".into(), |[lo, hi]| format!("[{lo:+.2}, {hi:+.2}]"))
}

fn claims_section(page: &mut String, s: &Summary) {
    let g = &s.generator;
    let _ = write!(
        page,
        "<section id=\"claims\">\n<h2>Claims checked on the data</h2>\n<p>Computed from the measurements (the same numbers are in \
         <a href=\"summary.json\">summary.json</a>). An algorithm <em>appeared</em> at a beta when at least {:.0}% of the networks \
         sampled there implement it; its <em>centroid</em> is the fraction-weighted mean log10 beta. <em>Ordered</em>: all three \
         appeared with centroids double-sided &lt; pudding &lt; convexity, as in the paper. Sweep at n = {} over log10 beta in \
         [{:+.2}, {:+.2}].</p>\n",
        100.0 * s.appear_min_fraction,
        s.sweep_inputs,
        s.log10_betas.first().copied().unwrap_or(0.0),
        s.log10_betas.last().copied().unwrap_or(0.0),
    );
    page.push_str("<table>\n<tr><th>algorithm</th><th>method</th><th>appeared</th><th>peak fraction (at log10 beta)</th><th>range of log10 beta</th><th>centroid</th><th>seeds where it appeared</th><th>centroid, seed to seed</th></tr>\n");
    for f in Family::ALGORITHMS {
        let name = f.name();
        let row = |page: &mut String, method: &str, c: &SweepClaims, seeds: String, centroid_spread: String| {
            let a = &c.algorithms[name];
            let _ = writeln!(
                page,
                "<tr><td>{name}</td><td>{method}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{seeds}</td><td>{centroid_spread}</td></tr>",
                yes_no(a.appeared),
                peak(a),
                range(a),
                a.log10_beta_centroid.map_or("&ndash;".into(), |v| format!("{v:+.2}")),
            );
        };
        let centroid = g.seed_spread.log10_beta_centroid[name].as_ref().map_or("&ndash;".into(), spread);
        row(page, "generator", &g.pooled, format!("{} of {}", g.seed_spread.appeared_in_seeds[name], g.seed_spread.seeds), centroid);
        row(page, "variational MLP", &s.variational_mlp, "&ndash;".into(), "&ndash;".into());
    }
    page.push_str("</table>\n<table>\n<tr><th>claim</th><th>generator (seeds pooled)</th><th>generator (per seed)</th><th>variational MLP</th></tr>\n");
    let per_seed = |k: usize| format!("{k} of {}", g.seed_spread.seeds);
    let _ = writeln!(page, "<tr><td>all three algorithms appeared</td><td>{}</td><td>{}</td><td>{}</td></tr>", yes_no(g.pooled.all_appeared), per_seed(g.seed_spread.all_appeared_in_seeds), yes_no(s.variational_mlp.all_appeared));
    let _ = writeln!(page, "<tr><td>ordered double-sided &lt; pudding &lt; convexity</td><td>{}</td><td>{}</td><td>{}</td></tr>", yes_no(g.pooled.ordered), per_seed(g.seed_spread.ordered_in_seeds), yes_no(s.variational_mlp.ordered));
    let _ = writeln!(page, "<tr><td>nMSE at the lowest beta</td><td>{}</td><td>{}</td><td>{}</td></tr>", num(g.pooled.nmse_at_lowest_beta), spread(&g.seed_spread.nmse_at_lowest_beta), num(s.variational_mlp.nmse_at_lowest_beta));
    let _ = writeln!(page, "<tr><td>bits at the lowest beta</td><td>{}</td><td>{}</td><td>{}</td></tr>", num(g.pooled.bits_at_lowest_beta), spread(&g.seed_spread.bits_at_lowest_beta), num(s.variational_mlp.bits_at_lowest_beta));
    let _ = writeln!(page, "<tr><td>nMSE at the highest beta</td><td>{}</td><td></td><td>{}</td></tr>", num(g.pooled.nmse_at_highest_beta), num(s.variational_mlp.nmse_at_highest_beta));
    page.push_str("</table>\n<table>\n<tr><th>log10 beta</th><th>nMSE at trained n</th><th>nMSE at unseen n</th><th>unseen / trained</th></tr>\n");
    for c in &s.generalisation {
        let _ = writeln!(page, "<tr><td>{:+.2}</td><td>{}</td><td>{}</td><td>{}</td></tr>", c.log10_beta, spread(&c.trained_nmse), spread(&c.unseen_nmse), spread(&c.unseen_over_trained));
    }
    let _ = writeln!(page, "</table>\n<p>Trained sizes {:?}, unseen sizes {:?}; &plusmn; is the seed-to-seed standard deviation.</p>\n</section>", s.trained_inputs, s.unseen_inputs);
}

/// A figure in its section, followed by `extra` HTML.
fn figure_section(page: &mut String, figures: &[Figure], id: &str, extra: &str) {
    let f = figures.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("index_html: no figure `{id}`"));
    let links: Vec<String> = f.data.iter().map(|(name, _)| format!("<a href=\"data/{name}\">data/{name}</a>")).collect();
    let _ = write!(
        page,
        "<section id=\"{id}\">\n<h2>{}</h2>\n<figure>\n{}<figcaption>{} Data: {}; figure: <a href=\"figures/{id}.svg\">figures/{id}.svg</a>.</figcaption>\n</figure>\n{extra}</section>\n",
        escape(&f.title),
        f.svg,
        f.caption,
        links.join(", ")
    );
}

fn drawings_section(page: &mut String, drawings: &[Drawing]) {
    page.push_str(
        "<section id=\"drawings\">\n<h2>Drawings</h2>\n<p>For each algorithm the generators produced in the final sweep, the sampled network \
         with the lowest nMSE, drawn on a force-directed layout, with the formula read off it; then the same for the variational \
         MLPs; last, a network trained directly with Adam for contrast. Weights: <code>networks/&lt;id&gt;.safetensors</code> (try <code>hnet explain</code> on them).</p>\n",
    );
    for d in drawings {
        let bits = d.bits.map_or("no weight noise".into(), |b| format!("{} bits", num(b)));
        let _ = write!(
            page,
            "<div class=\"drawing\" id=\"drawing-{id}\">\n<h3>{} &mdash; {}</h3>\n<p>nMSE {}, {bits}. <a href=\"networks/{id}.safetensors\">weights</a>, <a href=\"figures/drawing-{id}.svg\">figure</a>.</p>\n{}<pre>{}</pre>\n</div>\n",
            d.label,
            escape(&d.source),
            num(d.nmse),
            d.svg,
            escape(&d.explanation),
            id = d.id,
        );
    }
    page.push_str("</section>\n");
}

/// nMSE and dominant algorithm per input size and beta.
fn generalisation_table(s: &Summary) -> String {
    let mut page = String::new();
    page.push_str("<table>\n<tr><th>n</th><th>trained</th>");
    for c in &s.generalisation {
        let _ = write!(page, "<th>log10 beta {:+.1}: nMSE (dominant algorithm)</th>", c.log10_beta);
    }
    page.push_str("</tr>\n");
    let sizes: Vec<(usize, bool)> = s.generalisation.first().map_or(Vec::new(), |c| c.per_n.iter().map(|p| (p.n, p.trained)).collect());
    for (row, (n, trained)) in sizes.iter().enumerate() {
        let _ = write!(page, "<tr><td>{n}</td><td>{}</td>", if *trained { "yes" } else { "no" });
        for c in &s.generalisation {
            let p = &c.per_n[row];
            let _ = write!(page, "<td>{} ({})</td>", spread(&p.nmse), p.dominant_algorithm);
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</table>\n");
    page
}
