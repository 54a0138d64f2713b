//! A gradient bundle (`data::bundle`) analysed part by part with the lab's own measurements
//! (`experiment::measure`, `docs/PROTOCOL.md` §6):
//!
//! - **dim** → Table A's dimension-wise cells: every row of `dim_g` (a minibatch gradient over
//!   all P coordinates) and of ξ = `dim_g` − `dim_full` is one sample; the first draw's g and ξ
//!   also get the Gaussianity tests and the CCDF (as the lab's `dimension_g` / `dimension_sgn`).
//! - **iter** → the iteration-wise cells: every column of `iter_g` (one coordinate over T
//!   steps) and of `iter_draws` − `iter_full` (one coordinate over M draws at θ) is one
//!   sample; the example is the first column that can be tested (as the lab's).
//! - **gram** → the covariance spectrum of C₁ from the checked Gram matrix
//!   (`spectrum::given`), its power-law fit and the Marchenko–Pastur parameters.
//!
//! Missing parts are `null`. The same rule, K and level as the rest of the lab.

use super::sample::{Gaussianity, Keep};
use super::walk::{walk, MatrixSource, Noise, RowVector, Wanted};
use super::{rate_of, tail_options, AnalyzeError, AnalyzeOptions};
use crate::data::bundle::{Bundle, BundleArray, BundleHeader};
use crate::spectrum::given::{check_gram, spectrum_of_given_gram, GramCheck};
use crate::spectrum::{analyze as analyze_spectrum, FitParams, SpectrumReport};
use crate::stats::{PowerLawOptions, PowerLawRate, PowerLawReport};
use serde::Serialize;

/// One sample's tail test, Gaussianity and CCDF (the lab's `TailTest` without the raw sample).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TailSample {
    pub label: String,
    /// `None` when the sample could not be tested (`error` says why).
    pub power_law: Option<PowerLawReport>,
    pub error: Option<String>,
    pub normality: Option<Gaussianity>,
    /// `[x, P(|X| ≥ x)]`, x ascending.
    pub ccdf: Vec<[f64; 2]>,
    /// The sample's values when kept (for the histogram); not in the report.
    #[serde(skip)]
    pub values: Option<Vec<f64>>,
}

/// The `dim` part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimPart {
    /// Minibatch draws D (rows of `dim_g`).
    pub draws: usize,
    pub p: usize,
    pub g: PowerLawRate,
    /// `None` without `dim_full`.
    pub sgn: Option<PowerLawRate>,
    pub example_g: TailSample,
    pub example_sgn: Option<TailSample>,
}

/// The `iter` part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IterPart {
    /// Tracked coordinates m.
    pub m: usize,
    /// Training steps T in `iter_g`, minibatch draws M in `iter_draws`.
    pub steps: Option<usize>,
    pub draws: Option<usize>,
    pub g: Option<PowerLawRate>,
    pub sgn: Option<PowerLawRate>,
    pub example_g: Option<TailSample>,
    pub example_sgn: Option<TailSample>,
}

/// The `gram` part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GramPart {
    /// What the Gram checks measured.
    pub check: GramCheck,
    /// As the writer declared (the spectrum is re-centred either way: `spectrum::given`).
    pub centred: bool,
    /// Parameters P (the covariance's dimension).
    pub p: usize,
    pub spectrum: Option<SpectrumReport>,
    pub spectrum_error: Option<String>,
}

/// Table A from a bundle (`None`: the part is absent).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundleTableA {
    pub dimension_g: Option<PowerLawRate>,
    pub dimension_sgn: Option<PowerLawRate>,
    pub iteration_g: Option<PowerLawRate>,
    pub iteration_sgn: Option<PowerLawRate>,
}

/// A bundle's analysis (the `sgn-lab analyze BUNDLE.npz` JSON and the page's).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundleAnalysis {
    pub header: BundleHeader,
    pub table_a: BundleTableA,
    pub dim: Option<DimPart>,
    pub iter: Option<IterPart>,
    pub gram: Option<GramPart>,
}

/// The report of one accumulated sample; `values`: keep its values (for the histogram).
fn sample(label: String, acc: &super::sample::SampleAcc, opts: &PowerLawOptions, values: bool) -> TailSample {
    let (power_law, error) = match acc.power_law(opts) {
        Ok(r) => (Some(r), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let ccdf = acc.ccdf(power_law.as_ref().map_or(0, |r| r.n_tail));
    TailSample {
        label,
        power_law,
        error,
        normality: acc.gaussianity(),
        ccdf,
        values: if values {
            acc.values().map(<[f64]>::to_vec)
        } else {
            None
        },
    }
}

/// Progress over the parts: `part` of `parts`, fraction `f` within it.
struct Parts<'a> {
    done: usize,
    total: usize,
    progress: &'a mut dyn FnMut(f64) -> bool,
}

impl<'a> Parts<'a> {
    fn sub(&mut self) -> impl FnMut(f64) -> bool + use<'_, 'a> {
        let (d, t) = (self.done as f64, self.total.max(1) as f64);
        move |f| (self.progress)((d + f) / t)
    }
}

fn dim_part(
    g: &BundleArray<'_>,
    full: Option<&BundleArray<'_>>,
    opts: &PowerLawOptions,
    max: usize,
    parts: &mut Parts<'_>,
) -> Result<DimPart, AnalyzeError> {
    let gv = g.view();
    let (d, p) = (gv.rows(), gv.cols());
    let rows: Vec<(usize, Keep)> = super::wanted(d, max);
    let full = full.and_then(|f| RowVector::new(f.view()));
    let noise = match &full {
        Some(f) => Noise::MinusGiven(f),
        None => Noise::None,
    };
    let want = Wanted {
        rows: rows.clone(),
        noise_rows: if full.is_some() { rows } else { Vec::new() },
        ..Wanted::default()
    };
    let w = walk(&gv, &noise, &want, opts, &mut parts.sub())?;
    let (rate_g, _) = rate_of(&w.rows, opts);
    let example_g = sample(
        format!("dimension-wise g (all {p} coordinates of minibatch gradient 1 of {d})"),
        &w.rows[0],
        opts,
        false,
    );
    let (sgn, example_sgn) = if full.is_some() {
        let (r, _) = rate_of(&w.noise_rows, opts);
        let s = sample(
            format!("dimension-wise SGN (all {p} coordinates of ξ = g_B − ∇L, draw 1 of {d})"),
            &w.noise_rows[0],
            opts,
            false,
        );
        (Some(r), Some(s))
    } else {
        (None, None)
    };
    Ok(DimPart {
        draws: d,
        p,
        g: rate_g,
        sgn,
        example_g,
        example_sgn,
    })
}

/// Rate over the columns of `src` (minus `given` when set), and the first testable column's
/// full [`TailSample`] (a second walk over that column alone).
fn iter_columns(
    src: &dyn MatrixSource,
    given: Option<&dyn MatrixSource>,
    what: &str,
    coords: &[u64],
    opts: &PowerLawOptions,
    max: usize,
    parts: &mut Parts<'_>,
) -> Result<(PowerLawRate, Option<TailSample>), AnalyzeError> {
    let noise = match given {
        Some(f) => Noise::MinusGiven(f),
        None => Noise::None,
    };
    let pick = |list: Vec<(usize, Keep)>| -> Wanted {
        match given {
            Some(_) => Wanted {
                noise_cols: list,
                ..Wanted::default()
            },
            None => Wanted {
                cols: list,
                ..Wanted::default()
            },
        }
    };
    let all: Vec<(usize, Keep)> = super::spread(src.cols(), max)
        .into_iter()
        .map(|j| (j, Keep::Verdict))
        .collect();
    let w = walk(src, &noise, &pick(all.clone()), opts, &mut parts.sub())?;
    let accs = if given.is_some() { &w.noise_cols } else { &w.cols };
    let (rate, first) = rate_of(accs, opts);
    let Some((ex, _)) = first else { return Ok((rate, None)) };
    let j = all[ex].0;
    let one = walk(src, &noise, &pick(vec![(j, Keep::Full)]), opts, &mut |_| true)?;
    let acc = if given.is_some() {
        &one.noise_cols[0]
    } else {
        &one.cols[0]
    };
    let coord = coords
        .get(j)
        .map_or(format!("column {j}"), |c| format!("parameter #{c}"));
    Ok((
        rate,
        Some(sample(
            format!("{what} of {coord} ({} values)", acc.len()),
            acc,
            opts,
            true,
        )),
    ))
}

fn gram_part(a: &BundleArray<'_>, header: &BundleHeader, level: f64) -> Result<GramPart, AnalyzeError> {
    let info = header
        .gram
        .as_ref()
        .ok_or_else(|| AnalyzeError::Internal("gram without its header section".into()))?;
    let m = a.view().to_matrix()?;
    let (k, check) = check_gram(m.view(), Some(info.trace))?;
    drop(m);
    let p = info.p as usize;
    let level = crate::experiment::measure::analysis::level("analysis.level", level)
        .map_err(crate::experiment::ExperimentError::from)?;
    let (spectrum, spectrum_error) =
        match spectrum_of_given_gram(k.view(), p)
            .map_err(|e| e.to_string())
            .and_then(|s| {
                FitParams::new(None, 0, level)
                    .and_then(|f| analyze_spectrum(s, &f))
                    .map_err(|e| e.to_string())
            }) {
            Ok(s) => (Some(s), None),
            Err(e) => (None, Some(e)),
        };
    Ok(GramPart {
        check,
        centred: info.centred,
        p,
        spectrum,
        spectrum_error,
    })
}

/// Analyses every part present in `b` (module doc). `progress(fraction)` is called between
/// tiles; returning `false` cancels.
pub fn analyze_bundle(
    b: &Bundle<'_>,
    o: &AnalyzeOptions,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<BundleAnalysis, AnalyzeError> {
    let opts = tail_options(o)?;
    let total = b.dim_g.is_some() as usize + b.iter_g.is_some() as usize + b.iter_draws.is_some() as usize + 1;
    let mut parts = Parts {
        done: 0,
        total,
        progress,
    };
    let dim = match &b.dim_g {
        Some(g) => {
            let d = dim_part(g, b.dim_full.as_ref(), &opts, o.max_samples, &mut parts)?;
            parts.done += 1;
            Some(d)
        }
        None => None,
    };
    let coords: Vec<u64> = b
        .header
        .iter
        .as_ref()
        .map(|i| i.coordinates.clone())
        .unwrap_or_default();
    let mut iter = None;
    if b.iter_g.is_some() || b.iter_draws.is_some() {
        let mut part = IterPart {
            m: 0,
            steps: None,
            draws: None,
            g: None,
            sgn: None,
            example_g: None,
            example_sgn: None,
        };
        if let Some(a) = &b.iter_g {
            let v = a.view();
            part.m = v.cols();
            part.steps = Some(v.rows());
            let (r, ex) = iter_columns(&v, None, "iteration-wise g", &coords, &opts, o.max_samples, &mut parts)?;
            part.g = Some(r);
            part.example_g = ex;
            parts.done += 1;
        }
        if let (Some(a), Some(f)) = (&b.iter_draws, &b.iter_full) {
            let v = a.view();
            let full =
                RowVector::new(f.view()).ok_or_else(|| AnalyzeError::Internal("iter_full is not a vector".into()))?;
            part.m = v.cols();
            part.draws = Some(v.rows());
            let (r, ex) = iter_columns(
                &v,
                Some(&full),
                "iteration-wise SGN",
                &coords,
                &opts,
                o.max_samples,
                &mut parts,
            )?;
            part.sgn = Some(r);
            part.example_sgn = ex;
            parts.done += 1;
        }
        iter = Some(part);
    }
    let gram = match &b.gram {
        Some(a) => Some(gram_part(a, &b.header, o.level)?),
        None => None,
    };
    if !(parts.progress)(1.0) {
        return Err(AnalyzeError::Cancelled);
    }
    Ok(BundleAnalysis {
        header: b.header.clone(),
        table_a: BundleTableA {
            dimension_g: dim.as_ref().map(|d| d.g.clone()),
            dimension_sgn: dim.as_ref().and_then(|d| d.sgn.clone()),
            iteration_g: iter.as_ref().and_then(|i| i.g.clone()),
            iteration_sgn: iter.as_ref().and_then(|i| i.sgn.clone()),
        },
        dim,
        iter,
        gram,
    })
}

/// Bytes [`analyze_bundle`] allocates besides the bundle's own bytes (an upper bound).
pub fn bundle_bytes(b: &Bundle<'_>, o: &AnalyzeOptions) -> u64 {
    let no_spectrum = AnalyzeOptions {
        spectrum: false,
        ..o.clone()
    };
    let mut total: u64 = 0;
    for a in [&b.dim_g, &b.iter_g, &b.iter_draws].into_iter().flatten() {
        total = total.max(super::dump_bytes(a.header.rows, a.header.cols, &no_spectrum));
    }
    if let Some(g) = &b.gram {
        let n = g.header.rows as u64;
        // The f64 copy, the symmetrised matrix, the centred copy, the eigensolver (twice).
        total = total.max(3 * n * n * 8 + crate::spectrum::eigen::evd_bytes(g.header.rows, false));
    }
    total
}
