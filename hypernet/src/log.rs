//! Metrics as JSON lines: one JSON object per line, appended as training runs, so a
//! run that stops early still leaves every record up to that point.
//!
//! [`MetricsLog::write`] takes any serialisable record (each trainer defines its own)
//! and adds `wall_s`, the seconds since the log was opened. A record must serialise
//! to a JSON object. Each line is flushed as it is written.

use serde::Serialize;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A JSON-lines metrics file being written.
pub struct MetricsLog {
    out: BufWriter<File>,
    path: PathBuf,
    start: Instant,
    echo: bool,
}

impl MetricsLog {
    /// Creates (or truncates) the file at `path`, creating missing parent folders.
    pub fn create(path: &Path) -> io::Result<MetricsLog> {
        let context = |e: io::Error| io::Error::new(e.kind(), format!("cannot create metrics log {}: {e}", path.display()));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(context)?;
        }
        let file = File::create(path).map_err(context)?;
        Ok(MetricsLog { out: BufWriter::new(file), path: path.to_path_buf(), start: Instant::now(), echo: false })
    }

    /// Also prints every line to stderr (progress for command-line runs).
    pub fn echo(mut self, on: bool) -> Self {
        self.echo = on;
        self
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `record` with `wall_s` added. Panics if `record` does not serialise to
    /// a JSON object (a programming error); file errors are returned.
    pub fn write<R: Serialize>(&mut self, record: &R) -> io::Result<()> {
        let mut object = match serde_json::to_value(record).expect("metrics record serialises") {
            serde_json::Value::Object(map) => map,
            other => panic!("MetricsLog::write: record is not a JSON object: {other}"),
        };
        object.insert("wall_s".into(), serde_json::json!(self.start.elapsed().as_secs_f64()));
        let line = serde_json::Value::Object(object).to_string();
        if self.echo {
            eprintln!("{line}");
        }
        let context = |e: io::Error| io::Error::new(e.kind(), format!("cannot write metrics log {}: {e}", self.path.display()));
        writeln!(self.out, "{line}").and_then(|_| self.out.flush()).map_err(context)
    }
}

/// Reads every record of a JSON-lines file, naming the file and line of any bad one.
pub fn read_records(path: &Path) -> io::Result<Vec<serde_json::Value>> {
    let file = File::open(path).map_err(|e| io::Error::new(e.kind(), format!("cannot open metrics log {}: {e}", path.display())))?;
    BufReader::new(file)
        .lines()
        .enumerate()
        .filter(|(_, line)| line.as_ref().map_or(true, |l| !l.trim().is_empty()))
        .map(|(i, line)| {
            let bad = |e: String| io::Error::new(io::ErrorKind::InvalidData, format!("{} line {}: {e}", path.display(), i + 1));
            serde_json::from_str(&line.map_err(|e| bad(e.to_string()))?).map_err(|e| bad(e.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Record {
        step: usize,
        nmse: f64,
    }

    #[test]
    fn records_come_back_with_wall_time() {
        let dir = std::env::temp_dir().join(format!("hypernet-log-test-{}", std::process::id()));
        let path = dir.join("sub/metrics.jsonl");
        let mut log = MetricsLog::create(&path).unwrap();
        log.write(&Record { step: 0, nmse: 1.0 }).unwrap();
        log.write(&Record { step: 10, nmse: 0.5 }).unwrap();
        let records = read_records(&path).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[1]["step"], 10);
        assert_eq!(records[1]["nmse"], 0.5);
        assert!(records[1]["wall_s"].as_f64().unwrap() >= records[0]["wall_s"].as_f64().unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bad_line_is_named() {
        let path = std::env::temp_dir().join(format!("hypernet-log-bad-{}.jsonl", std::process::id()));
        std::fs::write(&path, "{\"step\": 1}\nnot json\n").unwrap();
        let err = read_records(&path).unwrap_err().to_string();
        std::fs::remove_file(&path).unwrap();
        assert!(err.contains("line 2"), "{err}");
    }
}
