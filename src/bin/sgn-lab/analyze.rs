//! `sgn-lab analyze FILE [--rows samples|iterations] [--rule paper|clauset] [--k K]`: the tail
//! tests and the covariance spectrum on a user's gradient dump, in the page's report schema.
//!
//! - a **bundle** (`.npz` written by `recipes/`, `docs/PROTOCOL.md` §6): each part present
//!   analysed (`experiment::analyze::bundle`); `--rows` does not apply;
//! - a **`.npy`** (float32/float64, C order, 1-D or 2-D) or **CSV/whitespace text**: rows =
//!   samples or iterations, columns = parameters. `--rows` decides the noise (see
//!   `experiment::analyze`): row − mean row for samples, the scaled first difference along
//!   training for iterations; its power-law rates are `dimension_wise_noise` and
//!   `column_wise_noise` in the output.
//!
//! `.npy` and `.npz` files are memory-mapped and read in tiles, so a dump larger than memory is
//! analysed with memory that does not grow with the file (`experiment::analyze::dump_bytes`
//! states it; the estimate is printed on stderr for files over 64 MiB, with progress). A
//! deflated (`np.savez_compressed`) member is inflated into memory, up to [`MAX_INFLATED`].

use crate::input::{read_bytes, source_name};
use crate::CliError;
use sgn_lab::data::bundle::read_bundle;
use sgn_lab::data::npy::{check_npy, is_npy, NpyView};
use sgn_lab::data::npz::is_zip;
use sgn_lab::data::text;
use sgn_lab::experiment::analyze::bundle::{analyze_bundle, bundle_bytes};
use sgn_lab::experiment::analyze::{analyze_dump, analyze_source, dump_bytes, AnalyzeOptions, RowKind};
use sgn_lab::experiment::Rule;
use std::io::Write;

#[derive(clap::Args)]
pub struct AnalyzeArgs {
    /// Gradient bundle (.npz from recipes/), or a matrix: .npy or text, one row per sample or iteration.
    /// .npy and .npz files are memory-mapped and read in tiles: the memory used does not grow with
    /// the file (the estimate is printed for files over 64 MiB); a deflated (np.savez_compressed)
    /// member is inflated, up to 4 GiB. `-` reads stdin (held in memory).
    pub file: String,
    /// What the rows are, which decides the SGN-like noise tested beside the raw values: samples
    /// (per-sample gradients at one θ; noise = row − mean row) or iterations (minibatch gradients
    /// along training; noise = (g_t − g_{t−1})/√2, which removes the slowly drifting mean).
    /// Not used for a bundle, whose parts say what they are.
    #[arg(long, default_value = "samples", value_parser = ["samples", "iterations"])]
    pub rows: String,
    /// Tail rule: paper (top-K) or clauset.
    #[arg(long, default_value = "paper", value_parser = ["paper", "clauset"])]
    pub rule: String,
    /// Paper rule's K (default min(1000, n)).
    #[arg(long)]
    pub k: Option<usize>,
    /// Skip the covariance spectrum (of a matrix; a bundle's gram part is always analysed).
    #[arg(long)]
    pub no_spectrum: bool,
}

/// Files above this size get a memory estimate and progress on stderr.
const LOUD_BYTES: u64 = 64 << 20;
/// Largest deflated bundle member inflated (stored members are read in place, at any size).
const MAX_INFLATED: u64 = 4 << 30;

fn progress_printer(loud: bool) -> impl FnMut(f64) -> bool {
    let mut last = -1i64;
    move |f: f64| {
        let pct = (f * 100.0).floor() as i64;
        if loud && pct / 10 != last / 10 {
            last = pct;
            eprint!("\ranalyze: {pct:3} %");
            if pct >= 100 {
                eprintln!();
            }
            let _ = std::io::stderr().flush();
        }
        true
    }
}

pub fn run(args: &AnalyzeArgs) -> Result<serde_json::Value, CliError> {
    let path = source_name(&args.file);
    let input = |e: &dyn std::fmt::Display| CliError::input(format!("{path}: {e}"));
    let stdin;
    let map;
    let bytes: &[u8] = if args.file == "-" {
        stdin = read_bytes(&args.file)?;
        &stdin
    } else {
        let file = std::fs::File::open(&args.file).map_err(|e| CliError::input(format!("cannot read {path}: {e}")))?;
        // SAFETY: the map is read-only and lives until the end of this function; the library reads
        // it through bounds-checked slices. Another process truncating the file while it is being
        // read would raise SIGBUS, as for any program that maps files (documented in RELIABILITY).
        #[allow(unsafe_code)]
        let m = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| CliError::input(format!("cannot map {path}: {e}")))?;
        #[cfg(unix)]
        let _ = m.advise(memmap2::Advice::Sequential);
        map = m;
        &map
    };
    let size = bytes.len() as u64;
    if size == 0 {
        return Err(CliError::input(format!("{path}: the input is empty")));
    }
    let opts = AnalyzeOptions {
        rows: if args.rows == "iterations" {
            RowKind::Iterations
        } else {
            RowKind::Samples
        },
        rule: if args.rule == "clauset" {
            Rule::Clauset
        } else {
            Rule::Paper
        },
        k: args.k,
        spectrum: !args.no_spectrum,
        ..AnalyzeOptions::default()
    };
    let loud = size > LOUD_BYTES;
    let mib = |b: u64| b as f64 / 1048576.0;
    let internal = |e: serde_json::Error| CliError {
        message: e.to_string(),
        code: 1,
    };
    if is_zip(bytes) {
        let b = read_bundle(bytes, MAX_INFLATED).map_err(|e| input(&e))?;
        if loud {
            eprintln!(
                "analyze: bundle of {:.1} MiB, memory-mapped; the analysis needs about {:.1} MiB more",
                mib(size),
                mib(bundle_bytes(&b, &opts))
            );
        }
        let r = analyze_bundle(&b, &opts, &mut progress_printer(loud)).map_err(|e| input(&e))?;
        serde_json::to_value(&r).map_err(internal)
    } else if is_npy(bytes) {
        let header = check_npy(bytes, usize::MAX).map_err(|e| input(&e))?;
        let view = NpyView::new(bytes, &header).map_err(|e| input(&e))?;
        if loud {
            eprintln!(
                "analyze: {} × {} .npy of {:.1} MiB, memory-mapped; the analysis needs about {:.1} MiB",
                header.rows,
                header.cols,
                mib(size),
                mib(dump_bytes(header.rows, header.cols, &opts))
            );
        }
        let r = analyze_source(&view, &opts, &mut progress_printer(loud)).map_err(|e| input(&e))?;
        serde_json::to_value(&r).map_err(internal)
    } else {
        let s = std::str::from_utf8(bytes).map_err(|_| input(&"not text (and not a .npy or .npz file)"))?;
        let matrix = text::parse_matrix(s).map_err(|e| input(&e))?;
        let r = analyze_dump(matrix.view(), &opts).map_err(|e| input(&e))?;
        serde_json::to_value(&r).map_err(internal)
    }
}
