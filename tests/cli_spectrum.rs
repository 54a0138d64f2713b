//! `sgn-lab spectrum`: the JSON contract and the bad-input behaviour (one line on stderr,
//! exit code 2, nothing on stdout, no panic).

use std::process::Command;

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
