//! `sgn-lab powerlaw` and `sgn-lab normality` through the binary: the JSON contract and every
//! bad-input case (one-line error on stderr, exit code 2, nothing on stdout, no panic), with the
//! data piped through stdin (`-`) as text or as `.npy` bytes.

use std::io::Write;
use std::process::{Command, Stdio};

fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    run_bytes(args, stdin.as_bytes())
}

fn run_bytes(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sgn-lab"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The binary may exit before reading stdin (bad option, missing file): ignore a broken pipe.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn pareto_text(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "{}",
                (1.0 - (i as f64 + 0.5) / n as f64).powf(-1.0 / 1.5) * if i % 2 == 0 { 1.0 } else { -1.0 }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[track_caller]
fn assert_bad(args: &[&str], stdin: &str, needle: &str) {
    let (code, out, err) = run(args, stdin);
    assert_eq!(code, 2, "{args:?}: stderr {err}");
    assert!(out.is_empty(), "{args:?}: stdout {out}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(needle), "{args:?}: '{err}' lacks '{needle}'");
}

#[test]
fn powerlaw_json_contract() {
    let mut text = pareto_text(1500);
    text.push_str("\n0\n0,0\n");
    let (code, out, err) = run(&["powerlaw", "-"], &text);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for k in [
        "n",
        "n_zero",
        "rule",
        "n_tail",
        "xmin",
        "alpha",
        "alpha_stderr",
        "ks_d",
        "ks_critical",
        "level",
        "power_law",
        "p_value",
        "bootstrap",
        "vs_lognormal",
        "vs_exponential",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    for k in ["llr", "llr_normalized", "p"] {
        assert!(v["vs_lognormal"][k].is_number() && v["vs_exponential"][k].is_number());
    }
    assert_eq!(v["n"], 1500);
    assert_eq!(v["n_zero"], 3);
    assert_eq!(v["rule"], "paper");
    assert_eq!(v["n_tail"], 1000);
    assert!(v["p_value"].is_null());
    assert_eq!(v["bootstrap"], 0);
    assert!(v["power_law"].is_boolean());

    let (code, out, err) = run(
        &[
            "powerlaw",
            "-",
            "--rule",
            "clauset",
            "--bootstrap",
            "50",
            "--seed",
            "3",
            "--level",
            "0.01",
        ],
        &text,
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rule"], "clauset");
    assert_eq!(v["bootstrap"], 50);
    assert!(v["p_value"].is_number());
    assert_eq!(v["level"], 0.01);
    // Same seed, same numbers.
    let (_, out2, _) = run(
        &[
            "powerlaw",
            "-",
            "--rule",
            "clauset",
            "--bootstrap",
            "50",
            "--seed",
            "3",
            "--level",
            "0.01",
        ],
        &text,
    );
    assert_eq!(out, out2);
    let (code, out, _) = run(&["powerlaw", "-", "--k", "200"], &text);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["n_tail"], 200);
}

#[test]
fn powerlaw_clauset_defaults_to_1000_replicates() {
    let (code, out, err) = run(&["powerlaw", "-", "--rule", "clauset"], &pareto_text(300));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["bootstrap"], 1000);
}

#[test]
fn normality_json_contract() {
    let text: String = (0..200)
        .map(|i| format!("{},", ((i as f64) * 0.618).fract() - 0.5 + ((i * 7 % 13) as f64) / 13.0))
        .collect();
    let (code, out, err) = run(&["normality", "-"], &text);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for k in ["n", "mean", "std", "skewness", "excess_kurtosis"] {
        assert!(v[k].is_number(), "{k}");
    }
    for (t, s) in [
        ("shapiro_wilk", "w"),
        ("dagostino_pearson", "k2"),
        ("jarque_bera", "jb"),
        ("anderson_darling", "a2"),
        ("lilliefors", "d"),
    ] {
        assert!(v[t][s].is_number() && v[t]["p"].is_number(), "{t}");
    }
}

#[test]
fn bad_input_cases() {
    for cmd in ["powerlaw", "normality"] {
        assert_bad(&[cmd, "-"], "", "no numbers");
        assert_bad(&[cmd, "-"], "  # just a comment\n", "no numbers");
        assert_bad(&[cmd, "-"], "1 2 3\n4 5 abc 6\n", "line 2: 'abc' is not a number");
        assert_bad(&[cmd, "-"], "1 2\nNaN 3\n", "line 2: 'NaN' is not a finite number");
        assert_bad(&[cmd, "-"], "1 2\n3 -inf\n", "not a finite number");
        assert_bad(&[cmd, "-"], "1 2 1e400\n", "not a finite number");
        assert_bad(&[cmd, "-"], "1 2 3", "too few values");
        assert_bad(&[cmd, "-"], &"4.5 ".repeat(300), "all values are equal");
        assert_bad(&[cmd, "/nonexistent/file.txt"], "", "cannot read");
    }
    assert_bad(
        &["powerlaw", "-", "--rule", "clauset"],
        &pareto_text(40),
        "too few values",
    );
    assert_bad(&["powerlaw", "-"], &"0 ".repeat(100), "too few values");
    assert_bad(&["powerlaw", "-", "--level", "0.2"], &pareto_text(100), "level");
    assert_bad(&["powerlaw", "-", "--rule", "magic"], &pareto_text(100), "rule");
    assert_bad(&["powerlaw", "-", "--k", "1"], &pareto_text(100), "k");
}

/// The same numbers piped as text, as a `.npy` array (1-D and 2-D: all values) or read from a
/// file give the same JSON, for both commands.
#[test]
fn stdin_text_npy_and_file_agree() {
    let text = pareto_text(600);
    let x = sgn_lab::data::text::parse_numbers(&text).unwrap();
    let npy_1d = sgn_lab::data::npy::write_npy_f64(1, x.len(), &x);
    let npy_2d = sgn_lab::data::npy::write_npy_f64(30, 20, &x);
    let path = std::env::temp_dir().join(format!("sgn-lab-cli-stats-{}.txt", std::process::id()));
    std::fs::write(&path, &text).unwrap();
    for cmd in ["powerlaw", "normality"] {
        let (code, want, err) = run(&[cmd, "-"], &text);
        assert_eq!(code, 0, "{cmd}: {err}");
        for (what, bytes) in [("1-D .npy", &npy_1d), ("2-D .npy", &npy_2d)] {
            let (code, got, err) = run_bytes(&[cmd, "-"], bytes);
            assert_eq!(code, 0, "{cmd} {what}: {err}");
            assert_eq!(got, want, "{cmd}: {what} on stdin differs from text");
        }
        let (code, got, err) = run(&[cmd, path.to_str().unwrap()], "");
        assert_eq!(code, 0, "{cmd} file: {err}");
        assert_eq!(got, want, "{cmd}: file differs from stdin");
        // Bytes that are neither text nor .npy, and a truncated .npy: one line naming stdin.
        let (code, out, err) = run_bytes(&[cmd, "-"], &[0xff, 0xfe, 0x00]);
        assert_eq!(code, 2, "{err}");
        assert!(out.is_empty() && err.contains("stdin"), "{err}");
        let (code, _, err) = run_bytes(&[cmd, "-"], &npy_1d[..140]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("stdin") && !err.contains("panicked"), "{err}");
    }
    let _ = std::fs::remove_file(path);
}
