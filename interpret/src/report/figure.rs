//! A figure of the report: its SVG, caption and the CSV of the data it shows.

/// One figure, ready to inline in the page and to write beside it.
#[derive(Clone, Debug)]
pub struct Figure {
    /// Used as the HTML anchor and the file stem: `figures/<id>.svg`, `data/<id>.csv`.
    pub id: String,
    pub title: String,
    /// What is shown and how to read it (HTML allowed: it is written as is).
    pub caption: String,
    pub svg: String,
    /// Data files, `(file name, CSV text)`; the first is `<id>.csv`.
    pub data: Vec<(String, String)>,
}
