//! Parsing TOML configs with errors a user can act on: every TOML loader goes through
//! [`parse_toml`], so a misspelt key or value name is answered with the nearest valid
//! one ("did you mean `steps`?") besides the line and column TOML reports.
//!
//! Nearest means the smallest edit distance (optimal string alignment: inserting,
//! deleting or substituting a character, or swapping two adjacent ones, costs 1 each),
//! ties broken alphabetically, among the names serde lists as expected.

use serde::de::DeserializeOwned;

/// Choices that existed once and were retired: (name, a choice of the same setting that
/// still exists, so the message can tell settings apart). No experiment file used them;
/// the commit in [`RETIRED_AT`] is the last that has them.
const RETIRED: [(&str, &str); 3] = [("bilinear", "pointer"), ("edge-mlp", "pointer"), ("none", "tensor-sigma")];

/// The last commit with the retired choices (the `w1_readout` choices
/// `bilinear` and `edge-mlp`, the `complexity` choice `none`; NOTES.md, 2026-12-07).
pub const RETIRED_AT: &str = "e510b2c";

/// Parses `text` as a `C`; on failure, TOML's message (line, column, what is wrong)
/// plus, for a retired choice, the commit that still has it, and for another unknown
/// field or variant, the nearest valid name.
pub fn parse_toml<C: DeserializeOwned>(text: &str) -> Result<C, String> {
    toml::from_str(text).map_err(|e: toml::de::Error| match retired(e.message()).or_else(|| suggestion(e.message())) {
        Some(hint) => format!("{}\n{hint}", e.to_string().trim_end()),
        None => e.to_string().trim_end().to_string(),
    })
}

/// For serde's "unknown variant `edge-mlp`, expected one of `pointer`, ..." where the
/// variant is a retired choice of that setting, where to find it.
fn retired(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown variant `")?;
    let (unknown, expected) = rest.split_once('`')?;
    RETIRED.iter().find(|(name, sibling)| *name == unknown && expected.contains(&format!("`{sibling}`")))?;
    Some(format!("`{unknown}` was retired after commit {RETIRED_AT}, which no experiment needed; to run this file, check out {RETIRED_AT}"))
}

/// For serde's "unknown field `stpes`, expected one of `seed`, `steps`" (or "unknown
/// variant ..."), the hint "did you mean `steps`?"; `None` for any other message.
pub fn suggestion(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `").or_else(|| message.strip_prefix("unknown variant `"))?;
    let (unknown, expected) = rest.split_once('`')?;
    // The expected names are the odd pieces between backticks.
    let best = expected.split('`').skip(1).step_by(2).min_by_key(|name| (edit_distance(unknown, name), *name))?;
    Some(format!("did you mean `{best}`?"))
}

/// The optimal-string-alignment distance between `a` and `b` (in characters).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // d[i][j]: distance between the first i characters of a and the first j of b.
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let substitution = d[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut best = substitution.min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::GeneratorTrainConfig;
    use crate::problem::ProblemConfig;

    #[test]
    fn edit_distance_counts_insertions_deletions_substitutions_and_swaps() {
        assert_eq!(edit_distance("steps", "steps"), 0);
        assert_eq!(edit_distance("step", "steps"), 1);
        assert_eq!(edit_distance("stepss", "steps"), 1);
        assert_eq!(edit_distance("stems", "steps"), 1);
        assert_eq!(edit_distance("stpes", "steps"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn an_unknown_key_names_the_nearest_valid_one_and_its_line() {
        let err = parse_toml::<GeneratorTrainConfig>("seed = 1\nstpes = 7\n").unwrap_err();
        assert!(err.contains("unknown field `stpes`") && err.contains("did you mean `steps`?"), "{err}");
        assert!(err.contains("line 2"), "{err}");

        let err = parse_toml::<GeneratorTrainConfig>("[generator]\nwidht = 8\n").unwrap_err();
        assert!(err.contains("did you mean `width`?"), "{err}");
    }

    #[test]
    fn an_unknown_variant_names_the_nearest_valid_one() {
        let err = parse_toml::<ProblemConfig>("task = \"l3\"\n").unwrap_err();
        assert!(err.contains("unknown variant `l3`"), "{err}");
        assert!(err.contains("did you mean `l1`?") || err.contains("did you mean `l2`?"), "{err}");
    }

    #[test]
    fn other_errors_carry_no_hint() {
        let err = parse_toml::<GeneratorTrainConfig>("steps = \"many\"\n").unwrap_err();
        assert!(!err.contains("did you mean"), "{err}");
        assert_eq!(suggestion("invalid type: string, expected usize"), None);
    }

    #[test]
    fn a_retired_choice_names_the_commit_that_has_it() {
        for text in ["[generator]\nw1_readout = \"edge-mlp\"\n", "[generator]\nw1_readout = \"bilinear\"\n", "[generator]\ncomplexity = \"none\"\n"] {
            let err = parse_toml::<GeneratorTrainConfig>(text).unwrap_err();
            assert!(err.contains(&format!("retired after commit {RETIRED_AT}")), "{text}: {err}");
        }
        let err = parse_toml::<GeneratorTrainConfig>("[generator]\nw1_readout = \"pointr\"\n").unwrap_err();
        assert!(err.contains("did you mean `pointer`?") && !err.contains("retired"), "{err}");
    }
}
