//! `sgn-lab run`, `presets`, `analyze`: JSON contracts, files written by `--out`, and bad input
//! (one line on stderr, exit code 2).

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sgn-lab")).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sgn-lab-cli-experiment-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn presets_lists_every_preset_with_its_claim() {
    let (code, out, err) = run(&["presets"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = v["presets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for n in [
        "heavy-tails",
        "sgn-batch",
        "spectrum",
        "batch-sweep",
        "labels",
        "depth-width",
        "non-image",
        "mechanism",
        "subspace",
        "paper-tour",
    ] {
        assert!(names.contains(&n), "{n}");
    }
    assert!(v["presets"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| !p["claim"].as_str().unwrap().is_empty()));
}

#[test]
fn run_prints_the_report_or_writes_files() {
    let (code, out, err) = run(&["run", "--preset", "mechanism", "--quick", "--seed", "3"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains('%'), "progress on stderr: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema_version"], sgn_lab::experiment::SCHEMA_VERSION);
    assert_eq!(v["seed"], 3);
    assert!(v["verdicts"][0]["outcome"].is_string() && v["verdicts"][0]["clauses"].is_array());

    let dir = tmp("out-heavy");
    let (code, out, err) = run(&[
        "run",
        "--preset",
        "heavy-tails",
        "--quick",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let files: Vec<String> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    for f in [
        "report.json",
        "tables.md",
        "table_a.csv",
        "table_b.csv",
        "verdicts.md",
        "summary.md",
    ] {
        assert!(dir.join(f).exists(), "{f}");
    }
    let svgs: Vec<&String> = files.iter().filter(|f| f.ends_with(".svg")).collect();
    assert!(svgs.len() >= 4, "{files:?}");
    for s in svgs {
        assert!(std::fs::read_to_string(dir.join(s)).unwrap().starts_with("<svg"), "{s}");
    }
    let csv = std::fs::read_to_string(dir.join("table_a.csv")).unwrap();
    assert!(csv.lines().count() >= 3 && csv.starts_with("setting,rule,"));

    // A configuration file (keys not given keep the quick defaults) without a preset.
    let cfg = tmp("cfg.json");
    std::fs::write(&cfg, r#"{"training": {"epochs": 1}, "analysis": {"n_cov": 100}}"#).unwrap();
    let (code, out, err) = run(&["run", "--quick", "--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["preset"], "custom");
    assert_eq!(v["verdicts"].as_array().unwrap().len(), 2);
}

#[test]
fn bad_input_is_exit_code_2() {
    let cfg = tmp("bad.json");
    std::fs::write(&cfg, r#"{"trainig": {}}"#).unwrap();
    let range = tmp("range.json");
    std::fs::write(&range, r#"{"data": {"label_noise": 2.0}}"#).unwrap();
    for args in [
        vec!["run", "--preset", "nope", "--quick"],
        vec!["run", "--config", cfg.to_str().unwrap()],
        vec!["run", "--config", range.to_str().unwrap()],
        vec!["run", "--config", "/nonexistent.json"],
        vec!["run", "--url", "v1.@@"],
        vec!["analyze", "/nonexistent.npy"],
    ] {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"));
    }
}

#[test]
fn analyze_a_gradient_dump() {
    // 300 iterations × 200 parameters: coordinate k has scale k^(-1/2) (the mechanism).
    let mut s = String::new();
    let mut state = 12345u64;
    let mut unif = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    for _ in 0..300 {
        let row: Vec<String> = (1..=200)
            .map(|k| {
                let z = (-2.0 * unif().ln()).sqrt() * (2.0 * std::f64::consts::PI * unif()).cos();
                format!("{}", z / (k as f64).sqrt())
            })
            .collect();
        s += &row.join(",");
        s += "\n";
    }
    let f = tmp("grads.csv");
    std::fs::write(&f, s).unwrap();
    let (code, out, err) = run(&["analyze", f.to_str().unwrap(), "--rows", "iterations"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["rows"].as_u64(), v["cols"].as_u64()), (Some(300), Some(200)));
    assert_eq!(v["row_kind"], "iterations");
    assert_eq!(v["column_wise"]["tested"], 200);
    assert!(v["spectrum"]["fit"]["s"].is_number());
    // Gaussian columns tested whole (T = 300 ≤ K): rarely power-law.
    assert!(v["column_wise"]["rate"].as_f64().unwrap() < 0.2, "{}", v["column_wise"]);
}
