//! CSV tables (RFC 4180): a header row, then one row per record; a field holding a
//! comma, a quote or a line break is quoted, with quotes doubled.

/// A CSV table being filled.
#[derive(Clone, Debug, PartialEq)]
pub struct Csv {
    columns: usize,
    text: String,
}

impl Csv {
    pub fn new(header: &[&str]) -> Csv {
        let mut csv = Csv { columns: header.len(), text: String::new() };
        csv.row(header.iter().map(|h| h.to_string()).collect());
        csv
    }

    /// Appends a row. Panics if its length differs from the header's.
    pub fn row(&mut self, fields: Vec<String>) {
        assert_eq!(fields.len(), self.columns, "Csv::row: {} fields for {} columns", fields.len(), self.columns);
        let quoted: Vec<String> = fields.iter().map(|f| quote(f)).collect();
        self.text.push_str(&quoted.join(","));
        self.text.push('\n');
    }

    pub fn finish(self) -> String {
        self.text
    }
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_separators_are_quoted() {
        let mut csv = Csv::new(&["a", "b"]);
        csv.row(vec!["1".into(), "y ~ 2, \"x\"".into()]);
        assert_eq!(csv.finish(), "a,b\n1,\"y ~ 2, \"\"x\"\"\"\n");
    }
}
