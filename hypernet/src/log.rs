//! Metrics as JSON lines: one JSON object per line, appended as training runs, so a
//! run that stops early still leaves every record up to that point.
//!
//! [`MetricsLog::write`] takes any serialisable record (each trainer defines its own)
//! and adds `wall_s`, the seconds since the log was opened. A record must serialise
//! to a JSON object. Each line is flushed as it is written.
//!
//! A resumed run continues its log with [`MetricsLog::resume`]: the records of the
//! steps its checkpoint holds are kept, later ones (and a line torn by a crash) are
//! cut off, and new records are appended, so every step appears exactly once.

use serde::Serialize;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A JSON-lines metrics file being written.
pub struct MetricsLog {
    out: BufWriter<File>,
    path: PathBuf,
    start: Instant,
    /// Seconds already on the clock when the log was opened (for a resumed run).
    wall_offset: f64,
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
        Ok(MetricsLog::new(file, path, 0.0))
    }

    /// Continues the log at `path` for a run resumed before step `step`: keeps the
    /// leading records whose `step` field is below `step`, cuts the file after them
    /// (later records belong to steps the run will take again; a last line torn by a
    /// crash, without its newline, goes too), and appends there. `wall_s` goes on from
    /// the last kept record. A missing file is created.
    ///
    /// A damaged line before the end (not JSON, or without a `step`) is never cut
    /// silently: without `repair` this returns an `InvalidData` error naming the file,
    /// the line and how many lines follow it; with `repair` that line and everything
    /// after it are first saved beside the log as `<file>.cut-at-line-<k>`, and the
    /// records before it are kept as above.
    pub fn resume(path: &Path, step: usize, repair: bool) -> io::Result<MetricsLog> {
        let context = |e: io::Error| io::Error::new(e.kind(), format!("cannot continue metrics log {}: {e}", path.display()));
        let mut file = OpenOptions::new().read(true).append(true).create(true).open(path).map_err(context)?;
        // Read no more than the file's length: a device such as /dev/full never ends.
        let len = file.metadata().map_err(context)?.len();
        let mut bytes = Vec::new();
        (&mut file).take(len).read_to_end(&mut bytes).map_err(context)?;
        let lines: Vec<&[u8]> = bytes.split_inclusive(|b| *b == b'\n').collect();
        let (mut keep, mut wall_offset) = (0usize, 0.0);
        for (i, line) in lines.iter().enumerate() {
            let torn = !line.ends_with(b"\n");
            let record = serde_json::from_slice::<serde_json::Value>(line).ok().filter(|r| r.get("step").and_then(|s| s.as_u64()).is_some());
            let Some(record) = record.filter(|_| !torn) else {
                if torn && i + 1 == lines.len() {
                    break; // a crash cut the last write short
                }
                let rest = &bytes[keep..];
                if !repair {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "metrics log {} line {} is damaged and {} lines follow it; nothing was changed. Restore the file, or resume with \
                             --repair, which moves line {} and everything after it to {} and continues from the records before it",
                            path.display(),
                            i + 1,
                            lines.len() - i - 1,
                            i + 1,
                            cut_path(path, i + 1).display()
                        ),
                    ));
                }
                crate::weights_io::write_atomic(&cut_path(path, i + 1), rest).map_err(context)?;
                break;
            };
            if record.get("step").and_then(|s| s.as_u64()).is_none_or(|s| s >= step as u64) {
                break;
            }
            wall_offset = record.get("wall_s").and_then(|w| w.as_f64()).unwrap_or(wall_offset);
            keep += line.len();
        }
        if keep as u64 != len {
            file.set_len(keep as u64).map_err(context)?;
        }
        Ok(MetricsLog::new(file, path, wall_offset))
    }

    fn new(file: File, path: &Path, wall_offset: f64) -> MetricsLog {
        MetricsLog { out: BufWriter::new(file), path: path.to_path_buf(), start: Instant::now(), wall_offset, echo: false }
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
        object.insert("wall_s".into(), serde_json::json!(self.wall_offset + self.start.elapsed().as_secs_f64()));
        let line = serde_json::Value::Object(object).to_string();
        if self.echo {
            eprintln!("{line}");
        }
        let context = |e: io::Error| io::Error::new(e.kind(), format!("cannot write metrics log {}: {e}", self.path.display()));
        writeln!(self.out, "{line}").and_then(|_| self.out.flush()).map_err(context)
    }
}

/// Where [`MetricsLog::resume`] with `repair` saves a log's lines from `line` (1-based) on.
pub fn cut_path(path: &Path, line: usize) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".cut-at-line-{line}"));
    path.with_file_name(name)
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

    /// A scratch log named after `name` holding the records of steps `0..steps`.
    fn log_of_steps(name: &str, steps: usize) -> PathBuf {
        let path = std::env::temp_dir().join(format!("hypernet-log-{name}-{}.jsonl", std::process::id()));
        let mut log = MetricsLog::create(&path).unwrap();
        for step in 0..steps {
            log.write(&Record { step, nmse: step as f64 }).unwrap();
        }
        path
    }

    #[test]
    fn resuming_keeps_earlier_steps_and_cuts_later_and_torn_lines() {
        let path = log_of_steps("resume", 5);
        let mut torn = std::fs::read(&path).unwrap();
        torn.extend_from_slice(b"{\"step\": 5, \"nm");
        std::fs::write(&path, &torn).unwrap();
        let steps = |p: &Path| read_records(p).unwrap().iter().map(|r| r["step"].as_u64().unwrap()).collect::<Vec<_>>();

        let mut log = MetricsLog::resume(&path, 3, false).unwrap();
        assert_eq!(steps(&path), [0, 1, 2]);
        log.write(&Record { step: 3, nmse: 0.0 }).unwrap();
        assert_eq!(steps(&path), [0, 1, 2, 3]);
        let records = read_records(&path).unwrap();
        assert!(records[3]["wall_s"].as_f64().unwrap() >= records[2]["wall_s"].as_f64().unwrap());
        drop(log);

        std::fs::write(&path, &torn).unwrap();
        drop(MetricsLog::resume(&path, 10, false).unwrap());
        assert_eq!(steps(&path), [0, 1, 2, 3, 4], "a torn last line is dropped");
        std::fs::remove_file(&path).unwrap();
        drop(MetricsLog::resume(&path, 10, false).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"", "a missing log is created empty");
        std::fs::remove_file(&path).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_is_reported_with_the_file() {
        let full = Path::new("/dev/full");
        let mut log = MetricsLog::resume(full, 0, false).unwrap();
        let err = log.write(&Record { step: 0, nmse: 1.0 }).unwrap_err().to_string();
        assert!(err.contains("/dev/full") && err.contains("No space left"), "{err}");
    }

    #[test]
    fn a_bad_line_is_named() {
        let path = std::env::temp_dir().join(format!("hypernet-log-bad-{}.jsonl", std::process::id()));
        std::fs::write(&path, "{\"step\": 1}\nnot json\n").unwrap();
        let err = read_records(&path).unwrap_err().to_string();
        std::fs::remove_file(&path).unwrap();
        assert!(err.contains("line 2"), "{err}");
    }

    /// A flipped byte in the middle of the log stops a resume with the line; `repair`
    /// keeps the records before it and saves the rest beside the log.
    #[test]
    fn a_damaged_line_stops_the_resume_unless_repaired() {
        let path = log_of_steps("damaged", 6);
        let good = std::fs::read(&path).unwrap();
        let third = good.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(1).unwrap().0 + 1;
        let mut damaged = good.clone();
        damaged[third] = b'#'; // line 3 no longer parses
        std::fs::write(&path, &damaged).unwrap();
        let err = MetricsLog::resume(&path, 6, false).err().expect("refused").to_string();
        assert!(err.contains("line 3 is damaged and 3 lines follow it") && err.contains("--repair"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), damaged, "nothing was changed");
        drop(MetricsLog::resume(&path, 6, true).unwrap());
        let steps: Vec<u64> = read_records(&path).unwrap().iter().map(|r| r["step"].as_u64().unwrap()).collect();
        assert_eq!(steps, [0, 1]);
        let cut = cut_path(&path, 3);
        assert_eq!(std::fs::read(&cut).unwrap(), damaged[third..], "the cut part is kept byte for byte");
        std::fs::remove_file(&path).unwrap();
        std::fs::remove_file(&cut).unwrap();
    }
}
