//! Overriding a complete TOML configuration with a partial one: tables merge key by
//! key, every other value (numbers, strings, arrays) is replaced whole, and a key the
//! complete configuration lacks is refused with its dotted path, so a typo in a
//! config file is an error, not a silently ignored setting. [`changed_keys`] is the
//! reverse: the dotted paths where two configurations differ.

use serde::de::DeserializeOwned;
use serde::Serialize;
use toml::{Table, Value};

/// `base` with the keys of the TOML `text` replacing its own ([`merge_into`]);
/// `origin` names the text in messages.
pub fn with_overrides<T: Serialize + DeserializeOwned>(base: &T, text: &str, origin: &str) -> Result<T, String> {
    let overrides: Table = text.parse().map_err(|e| format!("{origin} is not valid TOML: {e}"))?;
    let mut merged = Table::try_from(base).expect("the config serialises to a TOML table");
    merge_into(&mut merged, overrides, "").map_err(|e| format!("{origin}: {e}"))?;
    Value::Table(merged).try_into().map_err(|e| format!("{origin}: {e}"))
}

/// Merges `overrides` into `base`; `path` is the dotted path of `base` ("" at the root).
pub fn merge_into(base: &mut Table, overrides: Table, path: &str) -> Result<(), String> {
    for (key, value) in overrides {
        let here = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
        let Some(slot) = base.get_mut(&key) else {
            let known: Vec<&String> = base.keys().collect();
            return Err(format!("unknown key `{here}`; the keys here are {known:?}"));
        };
        match (slot, value) {
            (Value::Table(inner), Value::Table(value)) => merge_into(inner, value, &here)?,
            (Value::Table(_), other) => return Err(format!("`{here}` must be a table, got {}", other.type_str())),
            (slot, value) => *slot = value,
        }
    }
    Ok(())
}

/// The dotted paths of the values that differ between `a` and `b` (tables compared
/// key by key, every other value whole; a key in only one of them counts), sorted.
pub fn changed_keys(a: &Table, b: &Table) -> Vec<String> {
    let mut changed = Vec::new();
    collect_changes(a, b, "", &mut changed);
    changed.sort();
    changed
}

fn collect_changes(a: &Table, b: &Table, path: &str, changed: &mut Vec<String>) {
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for key in keys {
        let here = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
        match (a.get(key), b.get(key)) {
            (Some(Value::Table(x)), Some(Value::Table(y))) => collect_changes(x, y, &here, changed),
            (x, y) if x != y => changed.push(here),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        text.parse().unwrap()
    }

    #[test]
    fn nested_keys_merge_and_arrays_are_replaced() {
        let mut base = table("a = 1\nlist = [1, 2, 3]\n[t]\nx = 1\ny = 2\n");
        merge_into(&mut base, table("list = [9]\n[t]\ny = 5\n"), "").unwrap();
        assert_eq!(base, table("a = 1\nlist = [9]\n[t]\nx = 1\ny = 5\n"));
    }

    #[test]
    fn unknown_keys_and_scalars_for_tables_are_refused_with_their_path() {
        let base = table("[t]\nx = 1\n");
        let err = merge_into(&mut base.clone(), table("[t]\nz = 1\n"), "").unwrap_err();
        assert!(err.contains("`t.z`") && err.contains("\"x\""), "{err}");
        let err = merge_into(&mut base.clone(), table("t = 3\n"), "").unwrap_err();
        assert!(err.contains("`t` must be a table"), "{err}");
    }

    #[test]
    fn changed_keys_are_the_differing_leaves_and_the_keys_of_one_side() {
        let a = table("a = 1\nlist = [1]\n[t]\nx = 1\ny = 2\n[u]\nz = 1\n");
        let b = table("a = 1\nlist = [2]\nextra = 0\n[t]\nx = 1\ny = 3\n[u]\nz = 1\n");
        assert_eq!(changed_keys(&a, &b), vec!["extra", "list", "t.y"]);
        assert!(changed_keys(&a, &a).is_empty());
    }
}
