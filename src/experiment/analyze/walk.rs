//! One pass over a matrix that may not fit in memory, tile by tile, feeding the statistics of
//! chosen rows and columns, of the noise formed from them, and the covariance spectrum.
//!
//! A [`MatrixSource`] gives rectangular tiles as f64 (a `.npy` viewed in place — a memory map
//! natively, the upload buffer in the page — or a matrix already in memory). The walk picks the
//! tile shape from the matrix's shape so that a tile holds at most [`TILE_VALUES`] values and
//! every statistic sees its values in their natural order:
//!
//! - **wide** (rows ≤ cols: per-sample gradients N × P, minibatch draws D × P): full-height
//!   column blocks. A tile holds whole columns, so the column means of "row − mean row" and the
//!   columns' samples come from the tile; rows are accumulated across tiles; the spectrum takes
//!   the Gram route (N × N, [`BlockedCovariance::gram`]).
//! - **tall** (rows > cols: T × m training logs, a long 1-D vector): full-width row blocks; the
//!   column means come from a first pass; the spectrum takes the d × d cross-product route.
//!
//! Memory: one tile, the accumulators ([`SampleAcc::bytes`]), the noise's mean row (the columns
//! of one tile when wide; all columns when tall, where columns are few) and the spectrum's
//! matrix (side min(rows, cols)). Nothing proportional to the file.

use super::sample::{Keep, SampleAcc};
use crate::data::npy::{NpyError, NpyView};
use crate::spectrum::given::BlockedCovariance;
use crate::spectrum::{Spectrum, SpectrumError};
use crate::stats::PowerLawOptions;
use ndarray::{ArrayBase, Data, Ix2};
use std::ops::Range;

/// Most values in one tile (16 MiB as f64).
pub const TILE_VALUES: usize = 1 << 21;

/// A rows × cols matrix readable in tiles.
pub trait MatrixSource {
    fn rows(&self) -> usize;
    fn cols(&self) -> usize;
    /// Appends rows × cols (row-major) as f64 to `out`; a non-finite value is an error naming it.
    fn read_tile(&self, rows: Range<usize>, cols: Range<usize>, out: &mut Vec<f64>) -> Result<(), NpyError>;
}

impl MatrixSource for NpyView<'_> {
    fn rows(&self) -> usize {
        NpyView::rows(self)
    }
    fn cols(&self) -> usize {
        NpyView::cols(self)
    }
    fn read_tile(&self, rows: Range<usize>, cols: Range<usize>, out: &mut Vec<f64>) -> Result<(), NpyError> {
        NpyView::read_tile(self, rows, cols, out)
    }
}

/// An f64 matrix in memory (an `Array2` or an `ArrayView2`, any layout).
impl<S: Data<Elem = f64>> MatrixSource for ArrayBase<S, Ix2> {
    fn rows(&self) -> usize {
        self.nrows()
    }
    fn cols(&self) -> usize {
        self.ncols()
    }
    fn read_tile(&self, rows: Range<usize>, cols: Range<usize>, out: &mut Vec<f64>) -> Result<(), NpyError> {
        for r in rows {
            let row = self.slice(ndarray::s![r, cols.clone()]);
            if let Some(j) = row.iter().position(|v| !v.is_finite()) {
                return Err(NpyError::NonFinite {
                    row: r + 1,
                    col: cols.start + j + 1,
                });
            }
            out.extend(row.iter());
        }
        Ok(())
    }
}

/// A 1-D `.npy` array (or a 1 × n one) read as the single row of a 1 × n matrix.
pub struct RowVector<'a> {
    header: crate::data::npy::NpyHeader,
    data: &'a [u8],
}

impl<'a> RowVector<'a> {
    /// `None` unless `v` is 1-D or has one row.
    pub fn new(v: NpyView<'a>) -> Option<RowVector<'a>> {
        let n = match v.header.shape.as_slice() {
            [n] | [1, n] => *n as usize,
            _ => return None,
        };
        let mut header = v.header.clone();
        header.rows = 1;
        header.cols = n;
        Some(RowVector { header, data: v.data })
    }
}

impl MatrixSource for RowVector<'_> {
    fn rows(&self) -> usize {
        1
    }
    fn cols(&self) -> usize {
        self.header.cols
    }
    fn read_tile(&self, rows: Range<usize>, cols: Range<usize>, out: &mut Vec<f64>) -> Result<(), NpyError> {
        let v = NpyView {
            header: &self.header,
            data: self.data,
        };
        v.read_tile(rows, cols, out)
    }
}

/// The noise formed beside the data (see `experiment::analyze`).
pub enum Noise<'a> {
    None,
    /// ξ_ij = x_ij − (1/R) Σ_k x_kj (R rows).
    MinusMeanRow,
    /// ξ_tj = (x_tj − x_{t−1,j})/√2, t = 1..R − 1.
    Difference,
    /// ξ_ij = x_ij − f_j with f a 1 × cols source (the full-batch gradient).
    MinusGiven(&'a dyn MatrixSource),
}

impl Noise<'_> {
    /// Rows of the noise matrix for `rows` data rows.
    pub fn rows(&self, rows: usize) -> usize {
        match self {
            Noise::Difference => rows.saturating_sub(1),
            _ => rows,
        }
    }
}

/// What to accumulate: for each of data rows, data columns, noise rows, noise columns, the
/// indices (ascending) and what to keep for each.
#[derive(Default)]
pub struct Wanted {
    pub rows: Vec<(usize, Keep)>,
    pub cols: Vec<(usize, Keep)>,
    pub noise_rows: Vec<(usize, Keep)>,
    pub noise_cols: Vec<(usize, Keep)>,
    /// Accumulate the covariance spectrum of the data rows (rows as observations).
    pub spectrum: bool,
}

/// The accumulated statistics, in the order of [`Wanted`]'s lists.
pub struct Walked {
    pub rows: Vec<SampleAcc>,
    pub cols: Vec<SampleAcc>,
    pub noise_rows: Vec<SampleAcc>,
    pub noise_cols: Vec<SampleAcc>,
    pub spectrum: Option<Result<Spectrum, SpectrumError>>,
}

/// Why a walk stopped.
#[derive(Debug)]
pub enum WalkError {
    Read(NpyError),
    /// A broken internal invariant (a tile of the wrong shape): a bug, reported.
    Internal(String),
    Cancelled,
}

/// Whether the walk goes by full-height column blocks (module doc).
pub fn is_wide(rows: usize, cols: usize) -> bool {
    rows <= cols
}

/// Values in one tile of a `rows × cols` walk (module doc).
fn tile_values(rows: usize, cols: usize) -> usize {
    if is_wide(rows, cols) {
        rows * (TILE_VALUES / rows.max(1)).clamp(1, cols.max(1))
    } else {
        cols * (TILE_VALUES / cols.max(1)).clamp(1, rows.max(1))
    }
}

/// Bytes a walk allocates besides the accumulators: the tile, its noise, the given row's slice
/// or the cross-product's centred copy, the mean row (wide: of one tile) or column means and
/// the previous row (tall), and the spectrum's accumulator with the workspace of its tile
/// product when asked for (wide: the rows × rows Gram of a tile w columns wide; tall: the
/// cols × cols cross-product of a tile h rows high; `spectrum::gram::product_scratch_bytes`).
pub fn walk_bytes(rows: usize, cols: usize, spectrum: bool) -> u64 {
    use crate::spectrum::gram::product_scratch_bytes;
    let t = tile_values(rows, cols) as u64;
    let side = if is_wide(rows, cols) {
        (t / rows.max(1) as u64).max(1)
    } else {
        cols as u64
    };
    let product = if is_wide(rows, cols) {
        product_scratch_bytes(rows, rows, side as usize)
    } else {
        product_scratch_bytes(cols, cols, (t / cols.max(1) as u64).max(1) as usize)
    };
    8 * (3 * t + 3 * side)
        + if spectrum {
            BlockedCovariance::bytes(rows, cols) + product
        } else {
            0
        }
}

/// Accumulators for chosen rows or columns: the (ascending) indices and their accumulators.
type Chosen<'a> = (&'a [(usize, Keep)], &'a mut [SampleAcc]);

/// Feeds the values of the row-major `tile` (`w` columns; rows `r0..`, columns `c0..` of the
/// matrix) to the chosen rows' and columns' accumulators.
fn feed(tile: &[f64], w: usize, (r0, c0): (usize, usize), rows: Chosen<'_>, cols: Chosen<'_>) {
    let h = tile.len() / w.max(1);
    let (rows, racc) = rows;
    let rr = rows.partition_point(|(i, _)| *i < r0)..rows.partition_point(|(i, _)| *i < r0 + h);
    for a in rr {
        let i = rows[a].0 - r0;
        tile[i * w..(i + 1) * w].iter().for_each(|&x| racc[a].push(x));
    }
    let (cols, cacc) = cols;
    let cr = cols.partition_point(|(j, _)| *j < c0)..cols.partition_point(|(j, _)| *j < c0 + w);
    for a in cr {
        let j = cols[a].0 - c0;
        (0..h).for_each(|i| cacc[a].push(tile[i * w + j]));
    }
}

/// Walks `src` once (module doc), calling `progress(fraction)` between tiles (return `false`
/// to cancel).
pub fn walk(
    src: &dyn MatrixSource,
    noise: &Noise<'_>,
    want: &Wanted,
    opts: &PowerLawOptions,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<Walked, WalkError> {
    let (r, c) = (src.rows(), src.cols());
    let nr = noise.rows(r);
    let acc = |list: &[(usize, Keep)], len: usize| -> Vec<SampleAcc> {
        list.iter().map(|(_, k)| SampleAcc::new(opts, *k, len)).collect()
    };
    let mut out = Walked {
        rows: acc(&want.rows, c),
        cols: acc(&want.cols, r),
        noise_rows: acc(&want.noise_rows, c),
        noise_cols: acc(&want.noise_cols, nr),
        spectrum: None,
    };
    let mut tile = Vec::new();
    let mut nt = Vec::new();
    let mut given = Vec::new();
    let s = std::f64::consts::FRAC_1_SQRT_2;
    if is_wide(r, c) {
        let w = (TILE_VALUES / r.max(1)).clamp(1, c.max(1));
        let mut cov = (want.spectrum && r >= 2).then(|| BlockedCovariance::gram(r, c));
        let mut c0 = 0;
        while c0 < c {
            if !progress(c0 as f64 / c as f64) {
                return Err(WalkError::Cancelled);
            }
            let c1 = (c0 + w).min(c);
            let bw = c1 - c0;
            tile.clear();
            src.read_tile(0..r, c0..c1, &mut tile).map_err(WalkError::Read)?;
            feed(
                &tile,
                bw,
                (0, c0),
                (&want.rows, &mut out.rows),
                (&want.cols, &mut out.cols),
            );
            nt.clear();
            match noise {
                Noise::None => {}
                Noise::MinusMeanRow => {
                    let mut mean = vec![0.0; bw];
                    for row in tile.chunks_exact(bw) {
                        mean.iter_mut().zip(row).for_each(|(a, x)| *a += x);
                    }
                    mean.iter_mut().for_each(|a| *a /= r as f64);
                    nt.extend(
                        tile.chunks_exact(bw)
                            .flat_map(|row| row.iter().zip(&mean).map(|(x, a)| x - a)),
                    );
                }
                Noise::Difference => {
                    let rows: Vec<&[f64]> = tile.chunks_exact(bw).collect();
                    for t in 1..rows.len() {
                        nt.extend(rows[t].iter().zip(rows[t - 1]).map(|(y, x)| (y - x) * s));
                    }
                }
                Noise::MinusGiven(f) => {
                    given.clear();
                    f.read_tile(0..1, c0..c1, &mut given).map_err(WalkError::Read)?;
                    nt.extend(
                        tile.chunks_exact(bw)
                            .flat_map(|row| row.iter().zip(&given).map(|(x, a)| x - a)),
                    );
                }
            }
            if !nt.is_empty() {
                feed(
                    &nt,
                    bw,
                    (0, c0),
                    (&want.noise_rows, &mut out.noise_rows),
                    (&want.noise_cols, &mut out.noise_cols),
                );
            }
            if let Some(k) = &mut cov {
                k.add_columns(&tile, bw)
                    .map_err(|e| WalkError::Internal(e.to_string()))?;
            }
            c0 = c1;
        }
        out.spectrum = cov.map(|k| k.spectrum());
    } else {
        let h = (TILE_VALUES / c.max(1)).clamp(1, r.max(1));
        // Column means first when the noise or the spectrum needs them.
        let need_mean = matches!(noise, Noise::MinusMeanRow) || (want.spectrum && r >= 2);
        let passes = if need_mean { 2.0 } else { 1.0 };
        let mut mean = vec![0.0; c];
        if need_mean {
            let mut r0 = 0;
            while r0 < r {
                if !progress(r0 as f64 / r as f64 / passes) {
                    return Err(WalkError::Cancelled);
                }
                let r1 = (r0 + h).min(r);
                tile.clear();
                src.read_tile(r0..r1, 0..c, &mut tile).map_err(WalkError::Read)?;
                for row in tile.chunks_exact(c) {
                    mean.iter_mut().zip(row).for_each(|(a, x)| *a += x);
                }
                r0 = r1;
            }
            mean.iter_mut().for_each(|a| *a /= r as f64);
        }
        if let Noise::MinusGiven(f) = noise {
            given.clear();
            f.read_tile(0..1, 0..c, &mut given).map_err(WalkError::Read)?;
        }
        let mut cov = (want.spectrum && r >= 2).then(|| BlockedCovariance::cross(r, mean.clone()));
        let mut prev: Vec<f64> = Vec::new();
        let mut r0 = 0;
        while r0 < r {
            if !progress((passes - 1.0 + r0 as f64 / r as f64) / passes) {
                return Err(WalkError::Cancelled);
            }
            let r1 = (r0 + h).min(r);
            tile.clear();
            src.read_tile(r0..r1, 0..c, &mut tile).map_err(WalkError::Read)?;
            feed(
                &tile,
                c,
                (r0, 0),
                (&want.rows, &mut out.rows),
                (&want.cols, &mut out.cols),
            );
            nt.clear();
            let noise_r0 = match noise {
                Noise::None => r0,
                Noise::MinusMeanRow => {
                    nt.extend(
                        tile.chunks_exact(c)
                            .flat_map(|row| row.iter().zip(&mean).map(|(x, a)| x - a)),
                    );
                    r0
                }
                Noise::MinusGiven(_) => {
                    nt.extend(
                        tile.chunks_exact(c)
                            .flat_map(|row| row.iter().zip(&given).map(|(x, a)| x - a)),
                    );
                    r0
                }
                Noise::Difference => {
                    // Noise row t − 1 is (x_t − x_{t−1})/√2; the first row of a tile pairs with
                    // the last row of the previous tile.
                    for row in tile.chunks_exact(c) {
                        if !prev.is_empty() {
                            nt.extend(row.iter().zip(&prev).map(|(y, x)| (y - x) * s));
                        }
                        prev.clear();
                        prev.extend_from_slice(row);
                    }
                    r0.saturating_sub(1)
                }
            };
            if !nt.is_empty() {
                feed(
                    &nt,
                    c,
                    (noise_r0, 0),
                    (&want.noise_rows, &mut out.noise_rows),
                    (&want.noise_cols, &mut out.noise_cols),
                );
            }
            if let Some(k) = &mut cov {
                k.add_rows(&tile, r1 - r0)
                    .map_err(|e| WalkError::Internal(e.to_string()))?;
            }
            r0 = r1;
        }
        out.spectrum = cov.map(|k| k.spectrum());
    }
    if !progress(1.0) {
        return Err(WalkError::Cancelled);
    }
    Ok(out)
}
