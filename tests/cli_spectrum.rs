//! `sgn-lab spectrum`: the JSON contract and the bad-input behaviour (one line on stderr,
//! exit code 2, nothing on stdout, no panic); and `-` for stdin (text and `.npy` bytes) in the
//! matrix-reading commands `spectrum` and `analyze` and in `url --config -`.

use std::io::Write;
use std::process::{Command, Stdio};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/spectrum");

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sgn-lab"))
        .arg("spectrum")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `sgn-lab ARGS` with `stdin` piped in: (exit code, stdout, stderr).
fn run_stdin(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sgn-lab"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The binary may exit before reading stdin (bad option): ignore a broken pipe.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn tmp(name: &str, content: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("sgn-lab-cli-spectrum-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn json_fields_and_values() {
    let (code, out, err) = run(&[&format!("{DIR}/powerlaw.txt")]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in ["n", "d", "rank", "eigenvalues", "fit", "mp", "flat"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    for key in [
        "k",
        "skip",
        "xmin",
        "beta",
        "beta_stderr",
        "s",
        "ks_d",
        "ks_critical",
        "power_law",
        "ls_slope",
        "ls_r2",
    ] {
        assert!(v["fit"].get(key).is_some(), "missing fit.{key}");
    }
    for key in ["gamma", "sigma2", "lambda_minus", "lambda_plus"] {
        assert!(v["mp"].get(key).is_some(), "missing mp.{key}");
    }
    assert_eq!((v["n"].as_u64(), v["d"].as_u64()), (Some(200), Some(50)));
    assert_eq!(v["eigenvalues"].as_array().unwrap().len(), 50);
    // Default K = min(1000, rank/2) = 25.
    assert_eq!(v["fit"]["k"].as_u64(), Some(25));
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{DIR}/eigenvalues.json")).unwrap()).unwrap();
    let want = fixture["powerlaw"]["eigenvalues"][0].as_f64().unwrap();
    assert!((v["eigenvalues"][0].as_f64().unwrap() - want).abs() < 1e-10 * want);
    assert!((v["mp"]["gamma"].as_f64().unwrap() - 0.25).abs() < 1e-15);

    // .npy input, --k and --skip.
    let (code, out, err) = run(&[&format!("{DIR}/powerlaw.npy"), "--k", "10", "--skip", "2"]);
    assert_eq!(code, 0, "{err}");
    let w: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((w["fit"]["k"].as_u64(), w["fit"]["skip"].as_u64()), (Some(10), Some(2)));
    assert_eq!(w["eigenvalues"], v["eigenvalues"]);
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let cases: Vec<(String, Vec<&str>)> = vec![
        (tmp("ragged.txt", b"1 2 3\n4 5\n6 7 8\n"), vec![]),
        (tmp("word.csv", b"1,2\n3,abc\n"), vec![]),
        (tmp("nan.txt", b"1 2\n3 nan\n4 5\n"), vec![]),
        (tmp("inf.txt", b"1 2\n3 inf\n4 5\n"), vec![]),
        (tmp("one_row.txt", b"1 2 3\n"), vec![]),
        (tmp("empty.txt", b"\n# nothing\n"), vec![]),
        (tmp("binary.bin", &[0xff, 0xfe, 0x00, 0x81]), vec![]),
        (
            tmp("trunc.npy", &std::fs::read(format!("{DIR}/tall.npy")).unwrap()[..100]),
            vec![],
        ),
        (format!("{DIR}/bad_fortran.npy"), vec![]),
        (format!("{DIR}/tall.txt"), vec!["--k", "1"]),
        (format!("{DIR}/tall.txt"), vec!["--k", "13"]),
        (format!("{DIR}/tall.txt"), vec!["--skip", "11"]),
        ("/nonexistent/file.txt".to_string(), vec![]),
    ];
    for (file, extra) in cases {
        let mut args = vec![file.as_str()];
        args.extend(extra.iter());
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: code {code}, stderr {err}");
        assert!(out.is_empty(), "{args:?}: stdout {out}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: stderr {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// `spectrum -` and `analyze -` read the matrix from stdin, as text or as `.npy` bytes, and give
/// exactly what the same file gives (the README's "`-` reads stdin"; it used to fail with
/// "cannot read -").
#[test]
fn matrix_commands_read_stdin() {
    for (cmd, extra) in [("spectrum", vec!["--k", "10"]), ("analyze", vec!["--no-spectrum"])] {
        for file in ["powerlaw.txt", "powerlaw.npy"] {
            let path = format!("{DIR}/{file}");
            let bytes = std::fs::read(&path).unwrap();
            let mut from_file = vec![cmd, path.as_str()];
            from_file.extend(extra.iter());
            let (code, want, err) = run_stdin(&from_file, b"");
            assert_eq!(code, 0, "{cmd} {file}: {err}");
            let mut from_stdin = vec![cmd, "-"];
            from_stdin.extend(extra.iter());
            let (code, got, err) = run_stdin(&from_stdin, &bytes);
            assert_eq!(code, 0, "{cmd} - < {file}: {err}");
            assert_eq!(got, want, "{cmd} - < {file} differs from {cmd} {file}");
        }
        // Bad bytes on stdin: one line naming stdin, exit code 2.
        for bad in [&b"1 2 3\n4 5\n"[..], &[0xff, 0xfe, 0x00, 0x81][..], &b""[..]] {
            let (code, out, err) = run_stdin(&[cmd, "-"], bad);
            assert_eq!(code, 2, "{cmd}: {err}");
            assert!(out.is_empty() && err.trim_end().lines().count() == 1, "{cmd}: {err}");
            assert!(err.contains("stdin") && !err.contains("panicked"), "{cmd}: {err}");
        }
    }
    // Truncated .npy on stdin: the reader's typed error, not a panic.
    let npy = std::fs::read(format!("{DIR}/tall.npy")).unwrap();
    let (code, _, err) = run_stdin(&["spectrum", "-"], &npy[..100]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("stdin") && !err.contains("panicked"), "{err}");
}

/// `url --config -` (and so `run --config -`, which reads it with the same function) takes the
/// configuration JSON from stdin.
#[test]
fn config_reads_stdin() {
    let cfg = br#"{"training": {"epochs": 3}, "seed": 11}"#;
    let path = tmp("cfg.json", cfg);
    let (code, want, err) = run_stdin(&["url", "--config", &path], b"");
    assert_eq!(code, 0, "{err}");
    let (code, got, err) = run_stdin(&["url", "--config", "-"], cfg);
    assert_eq!(code, 0, "{err}");
    assert_eq!(got, want);
    let (code, out, err) = run_stdin(&["url", "--config", "-"], b"{not json");
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty() && err.contains("stdin"), "{err}");
}
