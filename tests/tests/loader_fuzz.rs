//! Random and mutated bytes thrown at every loader of outside input: training
//! checkpoints, target weight files, the TOML configs of the three trainers and the
//! metrics log a resumed run continues. No input may panic, and no bad input may be
//! accepted:
//!
//! * a checkpoint carries a SHA-256 checksum: whatever is accepted must equal the
//!   original, every parameter and buffer;
//! * a weight file written by this project carries a SHA-256 of its weights and
//!   metadata (files from other tools may omit it): whatever is accepted must equal
//!   the original;
//! * a config with a misspelt key is refused naming a valid key one edit away; any
//!   config accepted (parsed and validated) has finite numbers, writes back to the
//!   same TOML, and has a finite memory estimate;
//! * a metrics log is cut to a prefix of whole records before the resumed step.
//!
//! Every input is drawn from a fixed seed; a failure names the loader and input index.
//! Run with `--nocapture` for the count per loader (quoted in TESTING.md). CI runs
//! 4000 inputs per loader; `FUZZ_INPUTS=100000` runs the long fuzz of TESTING.md.

use autodiff::Key;
use hypernet::checkpoint::{load_checkpoint, save_checkpoint, Checkpoint};
use hypernet::config_file::{load_toml, to_toml};
use hypernet::config_parse::edit_distance;
use hypernet::generator::memory::StepMemory;
use hypernet::generator::{GeneratorConfig, GeneratorTrainConfig, GeneratorTrainer};
use hypernet::log::{read_records, MetricsLog};
use hypernet::train_error::TrainError;
use hypernet::train_mlp::MlpConfig;
use hypernet::vmlp::VmlpConfig;
use hypernet::weights_io::{load_target_weights, save_target_weights};
use hypernet::{Activation, TargetWeights};
mod fuzz_support;

use fuzz_support::{input_count, inputs, mutate, scratch, Draws, Tally};

fn tiny_config() -> GeneratorTrainConfig {
    let generator = GeneratorConfig { width: 8, blocks: 1, heads: 2, noise_dim: 2, key_dim: 4, cond_width: 4, ..GeneratorConfig::default() };
    let mut c = GeneratorTrainConfig { steps: 4, networks: 3, points: 8, train_inputs: vec![2, 3], generator, ..GeneratorTrainConfig::default() };
    c.optimizer.warmup_steps = 2;
    c
}

fn trained_checkpoint(seed: u64) -> Checkpoint {
    let mut t = GeneratorTrainer::new(GeneratorTrainConfig { seed, ..tiny_config() }).unwrap();
    t.train_step().unwrap();
    t.train_step().unwrap();
    t.checkpoint()
}

#[test]
fn checkpoints_never_panic_and_only_the_original_is_accepted() {
    let path = scratch("checkpoint.safetensors");
    let original = trained_checkpoint(1);
    save_checkpoint(&path, &original).unwrap();
    let valid = std::fs::read(&path).unwrap();
    save_checkpoint(&path, &trained_checkpoint(2)).unwrap();
    let other = std::fs::read(&path).unwrap();
    let count = input_count();
    let mut tally = Tally::new();
    for (i, bytes) in inputs(&valid, &other, count, Key::new(101)) {
        std::fs::write(&path, &bytes).unwrap();
        tally.tried += 1;
        match load_checkpoint(&path) {
            Err(e) => {
                assert_eq!(e.path, *path, "input {i}");
                tally.rejected += 1;
            }
            Ok(ckpt) => {
                assert!(ckpt == original, "input {i}: a changed checkpoint was accepted");
                GeneratorTrainer::from_checkpoint(&ckpt).unwrap_or_else(|e| panic!("input {i}: {e}"));
                tally.accepted_identical += 1;
            }
        }
    }
    tally.report("checkpoint (load_checkpoint)");
    assert!(tally.rejected > count * 9 / 10, "most mutations must be caught");
}

#[test]
fn checkpoints_of_another_version_or_shape_are_refused_by_name() {
    let path = scratch("versions.safetensors");
    let original = trained_checkpoint(1);
    save_checkpoint(&path, &original).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let at = bytes.windows(18).position(|w| w == b"hnet-checkpoint-v1").expect("format in the header");
    let mut other_version = bytes.clone();
    other_version[at + "hnet-checkpoint-v".len()] = b'9';
    std::fs::write(&path, &other_version).unwrap();
    let err = load_checkpoint(&path).unwrap_err().to_string();
    assert!(err.contains("versions.safetensors") && err.contains("hnet-checkpoint-v9") && err.contains("not supported"), "{err}");

    // Well-formed files (valid checksums) whose contents do not fit the generator.
    let mut reshaped = original.clone();
    let (name, param) = reshaped.params.iter_mut().find(|(_, p)| p.ndim() == 2).unwrap();
    let name = name.clone();
    *param = param.clone().into_shape_with_order(ndarray::IxDyn(&[param.len()])).unwrap();
    let mut missing = original.clone();
    missing.params.pop_last();
    let mut short_optimizer = original.clone();
    short_optimizer.optimizer.buffers.pop();
    let mut typo = original.clone();
    typo.config = typo.config.replace("width", "widht");
    let cases = [
        (reshaped, vec![name.as_str(), "checkpoint shape"]),
        (missing, vec!["the checkpoint holds parameters"]),
        (short_optimizer, vec!["optimiser state does not fit"]),
        (typo, vec!["widht", "did you mean `width`?"]),
    ];
    for (ckpt, expected) in cases {
        save_checkpoint(&path, &ckpt).unwrap();
        let loaded = load_checkpoint(&path).unwrap();
        let err = match GeneratorTrainer::from_checkpoint(&loaded) {
            Ok(_) => panic!("a checkpoint that should fail with {expected:?} was accepted"),
            Err(e) => e.to_string(),
        };
        for part in expected {
            assert!(err.contains(part), "expected {part:?} in {err}");
        }
    }
}

#[test]
fn weight_files_never_panic_and_only_the_original_is_accepted() {
    let path = scratch("weights.safetensors");
    let key = Key::new(7);
    let weights = |n: usize, m: usize, k: Key| {
        let k = k.split(4);
        TargetWeights {
            w1: key_array(k[0], &[m, n]).into_dimensionality().unwrap(),
            b1: key_array(k[1], &[m]).into_dimensionality().unwrap(),
            w2: key_array(k[2], &[m]).into_dimensionality().unwrap(),
            b2: k[3].normal_f64(1)[0] as f32,
            activation: Activation::Silu,
        }
    };
    let original = weights(4, 12, key);
    save_target_weights(&path, &original).unwrap();
    let valid = std::fs::read(&path).unwrap();
    save_target_weights(&path, &TargetWeights { activation: Activation::Relu, ..weights(3, 5, key.fold_in(1)) }).unwrap();
    let other = std::fs::read(&path).unwrap();
    let count = input_count();
    let mut tally = Tally::new();
    let mut checksum_lost = 0;
    for (i, bytes) in inputs(&valid, &other, count, Key::new(202)) {
        std::fs::write(&path, &bytes).unwrap();
        tally.tried += 1;
        match load_target_weights(&path) {
            Err(e) => {
                assert_eq!(e.path, *path, "input {i}");
                tally.rejected += 1;
            }
            Ok(w) if w == original => {
                tally.accepted_identical += 1;
                checksum_lost += usize::from(!bytes.windows(8).any(|k| k == b"\"sha256\""));
            }
            Ok(w) => panic!("input {i}: a changed weight file was accepted (its checksum should refuse it): {w:?}"),
        }
    }
    tally.report("target weights (load_target_weights)");
    println!("  of which {checksum_lost} accepted unchanged had lost their `sha256` key, so load unchecked, as files from other tools do");
    assert!(tally.rejected > count / 2);
}

fn key_array(key: Key, shape: &[usize]) -> ndarray::ArrayD<f32> {
    key.normal(shape)
}

/// The `key = value` lines of a TOML text, as (line index, key, value).
fn assignments(text: &str) -> Vec<(usize, String, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| l.split_once(" = ").map(|(k, v)| (i, k.trim().to_string(), v.trim().to_string())))
        .collect()
}

/// One edit (insert, delete, substitute or swap) of `key` using key characters.
fn misspell(key: &str, r: &mut Draws) -> String {
    let mut c: Vec<char> = key.chars().collect();
    let alphabet: Vec<char> = "abcdefghijklmnopqrstuvwxyz_0123456789".chars().collect();
    let letter = alphabet[r.below(alphabet.len())];
    let at = r.below(c.len());
    match r.below(4) {
        0 => c.insert(at, letter),
        1 if c.len() > 1 => {
            c.remove(at);
        }
        2 if at + 1 < c.len() => c.swap(at, at + 1),
        _ => c[at] = letter,
    }
    c.into_iter().collect()
}

/// Values a setting might be given by mistake.
const ODD_VALUES: [&str; 19] = [
    "0", "-1", "1", "0.0", "-0.0", "1e308", "-1e308", "nan", "inf", "-inf", "18446744073709551616", "\"text\"", "[]", "[0]", "[nan]", "[1e300]",
    "[-1e300]", "true", "{}",
];

/// Fuzzes one config type: byte mutations, misspelt keys and odd values.
fn fuzz_config<C>(name: &str, valid_config: &C, key: Key, accepted_is_sound: impl Fn(&C) -> Result<(), String>)
where
    C: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let path = scratch(&format!("{name}.toml"));
    let valid = to_toml(valid_config);
    let lines = assignments(&valid);
    let count = input_count();
    let mut tally = Tally::new();
    let mut misspelt = 0;
    let check = |i: usize, text: &[u8], must_refuse: bool, tally: &mut Tally| {
        std::fs::write(&path, text).unwrap();
        tally.tried += 1;
        let loaded = load_toml::<C>(&path);
        let verdict = loaded.as_ref().map_err(Clone::clone).and_then(|c| accepted_is_sound(c).map(|_| c));
        match verdict {
            Err(e) => {
                assert!(!e.is_empty(), "{name} input {i}");
                tally.rejected += 1;
                e
            }
            Ok(c) => {
                assert!(!must_refuse, "{name} input {i}: accepted {}", String::from_utf8_lossy(text));
                let again: C = hypernet::config_parse::parse_toml(&to_toml(c)).unwrap();
                assert_eq!(&again, c, "{name} input {i}: does not write back to the same config");
                if *c == *valid_config {
                    tally.accepted_identical += 1;
                } else {
                    tally.accepted_changed += 1;
                }
                String::new()
            }
        }
    };
    for i in 0..count {
        let mut r = Draws::new(key.fold_in(i as u64));
        let (line, k, v) = &lines[r.below(lines.len())];
        let mut text: Vec<String> = valid.lines().map(str::to_string).collect();
        match i % 3 {
            0 => {
                let mut bytes = valid.clone().into_bytes();
                for _ in 0..1 + r.below(3) {
                    mutate(&mut bytes, b"[generator]\nwidth = 3\n", &mut r);
                }
                check(i, &bytes, false, &mut tally);
            }
            1 => {
                let typo = misspell(k, &mut r);
                if lines.iter().any(|(_, other, _)| *other == typo) {
                    continue; // another valid key: not a misspelling
                }
                text[*line] = format!("{typo} = {v}");
                let err = check(i, text.join("\n").as_bytes(), true, &mut tally);
                if let Some(rest) = err.split("did you mean `").nth(1) {
                    let suggested = rest.split('`').next().unwrap();
                    assert!(edit_distance(&typo, suggested) <= 1, "{name} input {i}: `{typo}` -> `{suggested}`");
                    misspelt += 1;
                } else {
                    assert!(!err.contains("unknown field"), "{name} input {i}: no suggestion in {err}");
                }
            }
            _ => {
                text[*line] = format!("{k} = {}", ODD_VALUES[r.below(ODD_VALUES.len())]);
                check(i, text.join("\n").as_bytes(), false, &mut tally);
            }
        }
    }
    // Every setting given every odd value, so no combination is left to chance.
    let mut exhaustive = 0;
    for (line, k, _) in &lines {
        for value in ODD_VALUES {
            let mut text: Vec<String> = valid.lines().map(str::to_string).collect();
            text[*line] = format!("{k} = {value}");
            check(count + exhaustive, text.join("\n").as_bytes(), false, &mut tally);
            exhaustive += 1;
        }
    }
    tally.report(&format!("config {name} (load_toml + validate)"));
    println!("  of which {misspelt} misspelt keys, each refused with a suggestion one edit away, and {exhaustive} = every setting x {} odd values", ODD_VALUES.len());
    assert!(misspelt > count / 5, "{name}: {misspelt} misspellings");
}

/// Panics unless every float of an accepted config is finite.
fn assert_finite_numbers<C: serde::Serialize + std::fmt::Debug>(config: &C) {
    fn walk(v: &toml::Value) -> bool {
        match v {
            toml::Value::Float(f) => f.is_finite(),
            toml::Value::Array(a) => a.iter().all(walk),
            toml::Value::Table(t) => t.values().all(walk),
            _ => true,
        }
    }
    assert!(walk(&toml::Value::try_from(config).unwrap()), "validate accepted a number that is not finite: {config:?}");
}

#[test]
fn generator_configs_never_panic_and_accept_only_sound_settings() {
    let (stepped, non_finite) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    fuzz_config("generator", &tiny_config(), Key::new(303), |c: &GeneratorTrainConfig| {
        c.validate().map_err(|e| e.to_string())?;
        assert_finite_numbers(c);
        let total = StepMemory::estimate(c).total();
        assert!(total.is_finite() && total > 0.0, "memory estimate {total}");
        // What validation lets through must train: a first step that either works or
        // stops with the non-finite diagnostic (extreme finite settings such as a prior
        // of 1e308 overflow f32), never a panic or another error.
        if total < 64.0 * 1024.0 * 1024.0 {
            let mut trainer = GeneratorTrainer::new(c.clone()).unwrap_or_else(|e| panic!("validated but refused: {e}"));
            match trainer.train_step() {
                Ok(_) => stepped.set(stepped.get() + 1),
                Err(TrainError::NonFiniteStep(_)) => non_finite.set(non_finite.get() + 1),
                Err(e) => panic!("validated config failed its first step: {e}\n{c:?}"),
            }
        }
        Ok(())
    });
    println!("  accepted generator configs trained one step: {} finite, {} stopped by the non-finite diagnostic", stepped.get(), non_finite.get());
}

#[test]
fn mlp_configs_never_panic_and_accept_only_sound_settings() {
    fuzz_config("mlp", &MlpConfig::default(), Key::new(404), |c: &MlpConfig| {
        c.validate().map_err(|e| e.to_string())?;
        assert_finite_numbers(c);
        Ok(())
    });
}

#[test]
fn vmlp_configs_never_panic_and_accept_only_sound_settings() {
    fuzz_config("vmlp", &VmlpConfig::default(), Key::new(505), |c: &VmlpConfig| {
        c.validate().map_err(|e| e.to_string())?;
        assert_finite_numbers(c);
        Ok(())
    });
}

#[test]
fn metrics_logs_are_cut_to_whole_records_before_the_resumed_step() {
    let path = scratch("metrics.jsonl");
    let mut log = MetricsLog::create(&path).unwrap();
    for step in 0..40usize {
        log.write(&std::collections::BTreeMap::from([("step", step as f64), ("loss", 1.0 / (1.0 + step as f64))])).unwrap();
    }
    drop(log);
    let valid = std::fs::read(&path).unwrap();
    let count = input_count();
    let mut tally = Tally::new();
    let mut refused = 0;
    for (i, bytes) in inputs(&valid, b"{\"step\": 3}\n", count, Key::new(606)) {
        std::fs::write(&path, &bytes).unwrap();
        let resume_at = Draws::new(Key::new(607).fold_in(i as u64)).below(50);
        tally.tried += 1;
        if let Err(e) = MetricsLog::resume(&path, resume_at, false) {
            // A damaged line before the end: refused with its line, the file untouched.
            assert!(e.to_string().contains("is damaged") && e.to_string().contains("--repair"), "input {i}: {e}");
            assert_eq!(std::fs::read(&path).unwrap(), bytes, "input {i}: a refused log must not change");
            refused += 1;
            continue;
        }
        let kept = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(&kept), "input {i}: the log must be cut, never rewritten");
        let records = read_records(&path).unwrap_or_else(|e| panic!("input {i}: kept a bad line: {e}"));
        assert!(records.iter().all(|r| r["step"].as_u64().is_some_and(|s| s < resume_at as u64)), "input {i}");
        if kept.len() == bytes.len() {
            tally.accepted_identical += 1;
        } else {
            tally.rejected += 1;
        }
    }
    println!(
        "metrics log (MetricsLog::resume): {} inputs, {refused} refused (a damaged line before the end), {} cut back, {} kept whole, 0 panics, {:.1} s",
        tally.tried,
        tally.rejected,
        tally.accepted_identical,
        tally.seconds()
    );
}
