//! `sgn-lab run --out`: every plot is written and embedded in `summary.md` (the page
//! `docs/RESULTS.md` is made from), including every iteration-wise SGN CCDF the sgn-batch
//! verdict rests on.

use std::process::Command;

#[test]
fn every_plot_is_written_and_embedded() {
    let dir = std::env::temp_dir().join(format!("sgn-lab-cli-plots-{}", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_sgn-lab"))
        .args([
            "run",
            "--preset",
            "sgn-batch",
            "--quick",
            "--out",
            dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let summary = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    let mut svgs: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".svg"))
        .collect();
    svgs.sort();
    // The reduced run measures at B = 8, 32, 128 and at the training B: one iteration-wise SGN
    // CCDF each, plus the other sample kinds.
    let iter_sgn: Vec<&String> = svgs.iter().filter(|f| f.contains("iter-sgn-ccdf")).collect();
    assert!(iter_sgn.len() >= 4, "{svgs:?}");
    assert!(
        svgs.iter().any(|f| f.contains("dim-sgn-ccdf")) && svgs.iter().any(|f| f.contains("iter-g-ccdf")),
        "{svgs:?}"
    );
    for f in &svgs {
        assert!(summary.contains(&format!("]({f})")), "{f} not embedded in summary.md");
    }
    std::fs::remove_dir_all(&dir).ok();
}
