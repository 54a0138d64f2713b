//! `sgn-lab run (--preset NAME | --config FILE | --url HASH) [--out DIR] [--seed S] [--quick]
//! [--threads N] [--units replicates|parts]`: runs a preset (or a configuration file) with the
//! same engine as the page; a preset's units of work (its replicates; the tour's parts with
//! `--units parts`) run in parallel on the machine's cores, with the same report whatever the
//! thread count (`experiment::presets::units`). Progress on stderr; the
//! report JSON on stdout, or with `--out DIR`: `report.json`, `tables.md`, `table_a.csv`,
//! `table_b.csv`, `verdicts.md`, `summary.md` and SVG plots (drawn by `sgn_lab::plot`, the
//! page's charts: per arm its training curves; per measurement the CCDF of every sample kind —
//! dimension-wise g and SGN, iteration-wise g and SGN — and its spectrum), all of them embedded in
//! `summary.md`; and a short JSON summary on stdout.

use crate::CliError;
use sgn_lab::experiment::measure::TailTest;
use sgn_lab::experiment::presets::units::{run_parallel, PoolProgress, Split};
use sgn_lab::experiment::report::{ArmResult, Report};
use sgn_lab::experiment::{presets, run_config, url, view, ExperimentConfig, ExperimentError, Progress};
use sgn_lab::plot::{self, tails, training, Theme};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args)]
pub struct RunArgs {
    /// Preset name (see `sgn-lab presets`), e.g. heavy-tails or paper-tour.
    #[arg(long, required_unless_present_any = ["config", "url"])]
    pub preset: Option<String>,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Write report.json, tables and SVG plots into this directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Directory holding the dataset assets.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/assets"))]
    pub assets: PathBuf,
    /// Threads of the one pool that runs a preset's units (replicates, tour parts) and splits
    /// large products: at most N (default: every core). The report is byte-identical whatever N.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Units of work of a preset run: one per replicate (the tour trains its default network once
    /// per replicate), or for the tour one per (replicate, part), better balanced over many
    /// threads but training the default network in each part. Same report either way.
    #[arg(long, value_enum, default_value_t = UnitsArg::Replicates)]
    pub units: UnitsArg,
}

/// `--units`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UnitsArg {
    Replicates,
    Parts,
}

/// Where an experiment configuration comes from (shared by `run` and `url`).
#[derive(clap::Args)]
pub struct ConfigArgs {
    /// Configuration JSON (keys not given keep their defaults; `-` reads stdin). With --preset: the base the preset varies.
    #[arg(long)]
    pub config: Option<String>,
    /// Configuration as a URL-hash string (`v1.…`, as in the page's address; a whole link works too).
    #[arg(long)]
    pub url: Option<String>,
    /// Seed (overrides the configuration's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Independent replicates of a preset, 1..=100 (overrides the configuration's; default 10,
    /// one with --quick). A single configuration (without --preset) trains one network.
    #[arg(long)]
    pub replicates: Option<usize>,
    /// Reduced size (8×8 digits, small network) as the base instead of the protocol's defaults.
    #[arg(long)]
    pub quick: bool,
}

impl ConfigArgs {
    /// The configuration: the base (protocol default or `--quick`), then `--config`, then
    /// `--url` (which replaces it whole), then `--seed`; ranges checked.
    pub fn load(&self) -> Result<ExperimentConfig, CliError> {
        let mut cfg = if self.quick {
            presets::reduced_base(0)
        } else {
            ExperimentConfig::default()
        };
        if let Some(path) = &self.config {
            let text = crate::input::read_text(path)?;
            let name = crate::input::source_name(path);
            let v: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| CliError::input(format!("{name}: {e}")))?;
            cfg = sgn_lab::experiment::with_overrides(&cfg, &v).map_err(|e| CliError::input(format!("{name}: {e}")))?;
        }
        if let Some(u) = &self.url {
            // A whole link (`https://…/#v1.…&embed=1`), its hash or just its state; the
            // presentation flags are the page's, not the experiment's.
            let link = url::Link::parse(u);
            if let Some(e) = link.error {
                return Err(input(e));
            }
            cfg = link
                .config
                .ok_or_else(|| CliError::input(format!("{u}: the link holds no configuration")))?;
        }
        if let Some(s) = self.seed {
            cfg.seed = s;
        }
        if let Some(r) = self.replicates {
            cfg.replicates = r;
        }
        cfg.check_ranges().map_err(input)?;
        Ok(cfg)
    }
}

/// Exit code 2 for what the configuration decides (ranges, a spectrum fit's K or skip beyond the
/// measured rank), 1 for cancellation and failures of the engine.
pub fn input(e: ExperimentError) -> CliError {
    use sgn_lab::experiment::measure::MeasureError;
    use sgn_lab::spectrum::SpectrumError;
    match e {
        ExperimentError::Measure(
            MeasureError::OutOfRange(_) | MeasureError::Spectrum(SpectrumError::InvalidParam(_)),
        )
        | ExperimentError::Spectrum(SpectrumError::InvalidParam(_)) => CliError::input(e),
        ExperimentError::Cancelled
        | ExperimentError::Internal(_)
        | ExperimentError::Run(_)
        | ExperimentError::Measure(_)
        | ExperimentError::Spectrum(_) => CliError {
            message: e.to_string(),
            code: 1,
        },
        e => CliError::input(e),
    }
}

pub fn run(args: &RunArgs) -> Result<serde_json::Value, CliError> {
    let cfg = args.config.load()?;
    // The one rayon pool of the process: units, products and the eigensolver share it. Units
    // run on its threads, so they get the main thread's stack size.
    rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.map_or(0, usize::from))
        .stack_size(8 << 20)
        .build_global()
        .map_err(|e| CliError {
            message: format!("cannot start the thread pool: {e}"),
            code: 1,
        })?;
    let start = Instant::now();
    let report = match &args.preset {
        Some(name) => run_units(name, &cfg, args, start),
        None => {
            let dir = args.assets.clone();
            let mut assets = move |name: &str| std::fs::read(dir.join(name)).ok();
            let mut last = -1.0f64;
            let mut progress = |p: &Progress<'_>| {
                if p.fraction - last >= 0.01 || p.fraction >= 1.0 {
                    last = p.fraction;
                    eprintln!(
                        "[{:6.1} s] {:5.1} % {} — {}",
                        start.elapsed().as_secs_f64(),
                        100.0 * p.fraction,
                        p.preset,
                        p.stage
                    );
                }
                true
            };
            run_config(&cfg, &mut assets, &mut progress)
        }
    }
    .map_err(input)?;
    let seconds = start.elapsed().as_secs_f64();
    eprintln!("done in {seconds:.1} s");
    match &args.out {
        None => serde_json::to_value(&report).map_err(|e| CliError {
            message: e.to_string(),
            code: 1,
        }),
        Some(out) => {
            let files = write_outputs(out, &report, Some(seconds)).map_err(|e| CliError { message: e, code: 1 })?;
            Ok(serde_json::json!({
                "out": out.display().to_string(),
                "files": files,
                "seconds": seconds,
                "verdicts": collect_verdicts(&report),
            }))
        }
    }
}

/// Runs preset `name`'s units on the global pool: its asset files are read once, here, and
/// shared; progress lines show the whole run's fraction and the units done.
fn run_units(name: &str, cfg: &ExperimentConfig, args: &RunArgs, start: Instant) -> Result<Report, ExperimentError> {
    let mut files = std::collections::HashMap::new();
    for file in presets::assets_of(name, cfg)? {
        if let Ok(bytes) = std::fs::read(args.assets.join(file)) {
            files.insert(file.to_string(), bytes);
        }
    }
    let assets = |file: &str| files.get(file).cloned();
    let last = std::sync::Mutex::new(-1.0f64);
    let progress = |p: &PoolProgress<'_>| {
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        if p.fraction - *last >= 0.01 || p.fraction >= 1.0 {
            *last = p.fraction;
            eprintln!(
                "[{:6.1} s] {:5.1} % ({}/{} units done; replicate {}) {} — {}",
                start.elapsed().as_secs_f64(),
                100.0 * p.fraction,
                p.done,
                p.total,
                p.unit.replicate,
                p.preset,
                p.stage
            );
        }
        true
    };
    let split = match args.units {
        UnitsArg::Replicates => Split::Replicates,
        UnitsArg::Parts => Split::Parts,
    };
    run_parallel(name, cfg, split, &assets, &progress)
}

/// Each claim's outcome as the summary shows it (over the replicates when there are several).
fn collect_verdicts(r: &Report) -> Vec<serde_json::Value> {
    view::report::report_view(r)
        .claims
        .iter()
        .map(|c| serde_json::json!({"preset": c.preset, "outcome": c.verdict.badge, "tone": c.verdict.tone, "headline": c.verdict.headline}))
        .collect()
}

fn slug(s: &str) -> String {
    let mut o: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while o.contains("--") {
        o = o.replace("--", "-");
    }
    o.trim_matches('-').to_string()
}

fn write(dir: &Path, name: &str, text: &str, files: &mut Vec<String>) -> Result<(), String> {
    std::fs::write(dir.join(name), text).map_err(|e| format!("cannot write {}: {e}", dir.join(name).display()))?;
    files.push(name.to_string());
    Ok(())
}

/// Writes the report, tables and plots; returns the file names.
pub fn write_outputs(dir: &Path, report: &Report, seconds: Option<f64>) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut files = Vec::new();
    let json = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
    write(dir, "report.json", &json, &mut files)?;
    write(dir, "tables.md", &view::markdown::tables(report), &mut files)?;
    let (table_a, table_b) = view::markdown::tables_csv(report);
    write(dir, "table_a.csv", &table_a, &mut files)?;
    write(dir, "table_b.csv", &table_b, &mut files)?;
    write(dir, "verdicts.md", &view::markdown::verdicts(report), &mut files)?;
    for r in std::iter::once(report).chain(report.parts.iter()) {
        plots(dir, r, &mut files)?;
    }
    let mut summary = view::markdown::summary(report, &files);
    if let Some(t) = seconds {
        summary += &format!("\n---\nWall time of this run: {t:.1} s natively ({} thread(s) for the units and large products; `sgn-lab run`, release build when made by `scripts/make-results.sh`).\n", sgn_lab::nn::linalg::threads());
    }
    write(dir, "summary.md", &summary, &mut files)?;
    Ok(files)
}

fn svg<T>(
    dir: &Path,
    name: String,
    files: &mut Vec<String>,
    draw: impl FnOnce(
        &plotters::drawing::DrawingArea<plotters::backend::SVGBackend<'_>, plotters::coord::Shift>,
    ) -> plot::PlotResult<T>,
) -> Result<(), String> {
    let s = plot::to_svg(720, 420, draw).map_err(|e| e.to_string())?;
    write(dir, &name, &s, files)
}

fn ccdf(dir: &Path, name: String, t: &TailTest, files: &mut Vec<String>) -> Result<(), String> {
    let theme = Theme::default();
    let abs: Vec<f64> = t.sample.iter().map(|v| v.abs()).collect();
    let data = tails::CcdfData {
        values: &abs,
        fit: Some(tails::TailFitLine::from_report(&t.power_law)),
        title: &t.label,
    };
    svg(dir, name, files, |a| tails::draw_ccdf(a, &theme, &data))
}

fn arm_plots(dir: &Path, prefix: &str, arm: &ArmResult, files: &mut Vec<String>) -> Result<(), String> {
    let theme = Theme::default();
    let curves = training::TrainingCurves {
        step: arm.history.iter().map(|s| s.step as f64).collect(),
        loss: arm.history.iter().map(|s| s.loss).collect(),
        eval_step: arm.evals.iter().map(|e| e.step as f64).collect(),
        eval_accuracy: arm.evals.iter().map(|e| e.test.accuracy).collect(),
    };
    let p = format!("{prefix}-{}", slug(&arm.label));
    svg(dir, format!("{p}-training.svg"), files, |a| {
        training::draw(a, &theme, &curves)
    })?;
    for m in &arm.measurements {
        let q = format!("{p}-{}", slug(&m.label));
        let s = &m.structure;
        for (kind, t) in [
            ("dim-g", &s.dimension_g),
            ("dim-sgn", &s.dimension_sgn),
            ("iter-g", &s.iteration_g),
            ("iter-sgn", &s.iteration_sgn),
        ] {
            if let Some(t) = t {
                ccdf(dir, format!("{q}-{kind}-ccdf.svg"), t, files)?;
            }
        }
        if let Some(sp) = &s.spectrum {
            let views = plot::spectrum::spectrum_views(sp, &format!("{} — {}", arm.label, m.label));
            svg(dir, format!("{q}-spectrum.svg"), files, |a| {
                plot::spectrum::draw_rank_plot(a, &theme, &views.rank)
            })?;
            if let Some(dk) = &views.davis_kahan {
                svg(dir, format!("{q}-davis-kahan.svg"), files, |a| {
                    plot::spectrum::draw_davis_kahan(a, &theme, dk)
                })?;
            }
        }
    }
    Ok(())
}

fn plots(dir: &Path, r: &Report, files: &mut Vec<String>) -> Result<(), String> {
    for arm in &r.arms {
        arm_plots(dir, &r.preset, arm, files)?;
    }
    if let Some(m) = &r.mechanism {
        for row in &m.rows {
            let q = format!("{}-{}", r.preset, slug(&row.label));
            ccdf(dir, format!("{q}-dim-ccdf.svg"), &row.example_dimension, files)?;
            ccdf(dir, format!("{q}-iter-ccdf.svg"), &row.example_iteration, files)?;
        }
    }
    Ok(())
}
