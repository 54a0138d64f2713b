//! The gradient bundle: one `.npz` written by the recipes in `recipes/` (`docs/PROTOCOL.md`
//! §6, `docs/YOUR-GRADIENTS.md`) that carries everything the lab measures on a user's own model,
//! in three optional parts:
//!
//! | member | shape | what |
//! |---|---|---|
//! | `header` | (bytes,) uint8 | UTF-8 JSON [`BundleHeader`] (required) |
//! | `dim_g` | D × P | D minibatch gradients g_B at one θ (rows = draws) |
//! | `dim_full` | P or 1 × P | the full-batch gradient ∇L(θ): SGN rows ξ = g_B − ∇L |
//! | `iter_g` | T × m | m chosen coordinates of g_B over T training steps |
//! | `iter_draws` | M × m | the same m coordinates of M minibatch gradients at one θ |
//! | `iter_full` | m or 1 × m | ∇L(θ) at those coordinates: iteration-wise SGN = draws − full |
//! | `gram` | N × N | the Gram matrix G Gᵀ of N per-sample gradients (never the N × P G) |
//!
//! Float members are little-endian float32 or float64 (C order); missing parts are simply
//! absent. Shapes are checked against each other and against the header here; the Gram
//! matrix's own checks (symmetry, definiteness, trace) are in [`crate::spectrum::given`].

use super::npy::{check_npy, view_npy_u8, NpyError, NpyHeader, NpyView};
use super::npz::{read_npz, NpzError};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use thiserror::Error;

/// The `format` string of a bundle header.
pub const FORMAT: &str = "sgn-lab-bundle";
/// The bundle format version this reader reads.
pub const VERSION: u32 = 1;
/// Every member key a bundle may hold.
pub const MEMBERS: [&str; 7] = [
    "header",
    "dim_g",
    "dim_full",
    "iter_g",
    "iter_draws",
    "iter_full",
    "gram",
];
/// Longest header JSON read (bytes).
pub const MAX_HEADER_BYTES: usize = 1 << 20;

/// Why a bundle could not be read.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum BundleError {
    #[error("{0}")]
    Npz(#[from] NpzError),
    #[error("member {member}: {error}")]
    Npy { member: &'static str, error: NpyError },
    #[error("unknown member '{0}' (a bundle holds header, dim_g, dim_full, iter_g, iter_draws, iter_full and gram)")]
    UnknownMember(String),
    #[error("the bundle has no 'header' member (a UTF-8 JSON uint8 array; see docs/PROTOCOL.md §6)")]
    NoHeader,
    #[error("the header is not valid: {0}")]
    Header(String),
    #[error("the bundle holds none of the parts dim, iter and gram")]
    Empty,
    #[error("{0}")]
    Inconsistent(String),
}

/// The `iter` section of the header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct IterInfo {
    /// Flat indices (into the model's flattened parameters) of the m tracked coordinates.
    #[serde(default)]
    pub coordinates: Vec<u64>,
    /// Training steps T recorded in `iter_g`.
    #[serde(default)]
    pub steps: Option<u64>,
    /// Minibatch draws M in `iter_draws`.
    #[serde(default)]
    pub draws: Option<u64>,
}

/// The `gram` section of the header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GramInfo {
    /// Per-sample gradients N (the Gram's side).
    pub n: u64,
    /// Parameters P the gradients have (the dimension of the covariance).
    pub p: u64,
    /// tr(G Gᵀ) = Σ_i ‖g_i‖² as the writer accumulated it (checked against the matrix).
    pub trace: f64,
    /// Whether the writer subtracted a mean gradient before forming G Gᵀ.
    pub centred: bool,
}

/// The bundle's JSON header (member `header`). Unknown keys are refused, so a misspelt key is
/// an error rather than silently ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleHeader {
    /// Always "sgn-lab-bundle".
    pub format: String,
    /// Format version (1).
    pub version: u32,
    /// Who wrote it, e.g. "jax 0.4.38" or "torch 2.5.1".
    pub framework: String,
    /// The user's name for the model.
    #[serde(default)]
    pub model: String,
    /// Parameters P.
    pub p: u64,
    /// Training samples the full-batch gradient averages over.
    #[serde(default)]
    pub n: Option<u64>,
    /// Minibatch size B.
    #[serde(default)]
    pub b: Option<u64>,
    /// Training steps taken before θ.
    #[serde(default)]
    pub step: Option<u64>,
    /// The seed of the user's run (for their records; the lab draws nothing from it).
    #[serde(default)]
    pub seed: Option<u64>,
    /// dtype of the gradients as computed ("float32", "float64").
    #[serde(default)]
    pub dtype: String,
    #[serde(default)]
    pub iter: Option<IterInfo>,
    #[serde(default)]
    pub gram: Option<GramInfo>,
    /// Free text.
    #[serde(default)]
    pub notes: Option<String>,
}

/// One float member: its `.npy` header and bytes (borrowed from the archive when stored).
#[derive(Debug, Clone)]
pub struct BundleArray<'a> {
    pub header: NpyHeader,
    pub bytes: Cow<'a, [u8]>,
}

impl BundleArray<'_> {
    /// The values, viewed in place.
    pub fn view(&self) -> NpyView<'_> {
        NpyView {
            header: &self.header,
            data: &self.bytes[self.header.data_offset..self.header.data_offset + self.header.data_bytes()],
        }
    }

    /// A 1-D array or a single row, as a length.
    fn as_vector_len(&self) -> Option<usize> {
        match self.header.shape.as_slice() {
            [n] => Some(*n as usize),
            [1, n] => Some(*n as usize),
            _ => None,
        }
    }
}

/// A read and checked bundle.
#[derive(Debug, Clone)]
pub struct Bundle<'a> {
    pub header: BundleHeader,
    pub dim_g: Option<BundleArray<'a>>,
    pub dim_full: Option<BundleArray<'a>>,
    pub iter_g: Option<BundleArray<'a>>,
    pub iter_draws: Option<BundleArray<'a>>,
    pub iter_full: Option<BundleArray<'a>>,
    pub gram: Option<BundleArray<'a>>,
}

fn inconsistent(msg: String) -> BundleError {
    BundleError::Inconsistent(msg)
}

/// Reads a bundle from the bytes of its `.npz` (see the module doc); a deflated member may
/// inflate to at most `max_inflated` bytes.
pub fn read_bundle(bytes: &[u8], max_inflated: u64) -> Result<Bundle<'_>, BundleError> {
    let members = read_npz(bytes, max_inflated)?;
    let mut header = None;
    let mut b = Bundle {
        header: BundleHeader {
            format: String::new(),
            version: 0,
            framework: String::new(),
            model: String::new(),
            p: 0,
            n: None,
            b: None,
            step: None,
            seed: None,
            dtype: String::new(),
            iter: None,
            gram: None,
            notes: None,
        },
        dim_g: None,
        dim_full: None,
        iter_g: None,
        iter_draws: None,
        iter_full: None,
        gram: None,
    };
    for m in members {
        let Some(&member) = MEMBERS.iter().find(|k| **k == m.key) else {
            return Err(BundleError::UnknownMember(m.key));
        };
        let npy = |error| BundleError::Npy { member, error };
        if member == "header" {
            let text = view_npy_u8(&m.bytes, MAX_HEADER_BYTES).map_err(npy)?;
            let text = std::str::from_utf8(text).map_err(|_| BundleError::Header("not UTF-8".into()))?;
            header = Some(serde_json::from_str::<BundleHeader>(text).map_err(|e| BundleError::Header(e.to_string()))?);
            continue;
        }
        let h = check_npy(&m.bytes, usize::MAX).map_err(npy)?;
        let a = Some(BundleArray {
            header: h,
            bytes: m.bytes,
        });
        match member {
            "dim_g" => b.dim_g = a,
            "dim_full" => b.dim_full = a,
            "iter_g" => b.iter_g = a,
            "iter_draws" => b.iter_draws = a,
            "iter_full" => b.iter_full = a,
            _ => b.gram = a,
        }
    }
    b.header = header.ok_or(BundleError::NoHeader)?;
    check(&b)?;
    Ok(b)
}

/// The shapes of the parts against each other and the header.
fn check(b: &Bundle<'_>) -> Result<(), BundleError> {
    let h = &b.header;
    if h.format != FORMAT {
        return Err(BundleError::Header(format!(
            "format is '{}', expected '{FORMAT}'",
            h.format
        )));
    }
    if h.version != VERSION {
        return Err(BundleError::Header(format!(
            "version {} (this reader reads version {VERSION})",
            h.version
        )));
    }
    if h.p == 0 {
        return Err(BundleError::Header("p (the parameter count) must be at least 1".into()));
    }
    if b.dim_g.is_none() && b.iter_g.is_none() && b.iter_draws.is_none() && b.gram.is_none() {
        return Err(BundleError::Empty);
    }
    match (&b.dim_g, &b.dim_full) {
        (None, Some(_)) => {
            return Err(inconsistent(
                "dim_full without dim_g: the minibatch gradients are missing".into(),
            ))
        }
        (Some(g), full) => {
            if g.header.cols as u64 != h.p {
                return Err(inconsistent(format!(
                    "dim_g has {} columns but the header says p = {}",
                    g.header.cols, h.p
                )));
            }
            if let Some(f) = full {
                if f.as_vector_len() != Some(g.header.cols) {
                    return Err(inconsistent(format!(
                        "dim_full has shape {:?}; expected ({},) like a row of dim_g",
                        f.header.shape, g.header.cols
                    )));
                }
            }
        }
        _ => {}
    }
    if b.iter_draws.is_some() != b.iter_full.is_some() {
        return Err(inconsistent(
            "iter_draws and iter_full go together (the iteration-wise SGN is draws − full)".into(),
        ));
    }
    let m = b.iter_g.as_ref().or(b.iter_draws.as_ref()).map(|a| a.header.cols);
    if let Some(m) = m {
        for (name, a) in [("iter_g", &b.iter_g), ("iter_draws", &b.iter_draws)] {
            if let Some(a) = a {
                if a.header.cols != m {
                    return Err(inconsistent(format!(
                        "{name} has {} columns; expected m = {m}",
                        a.header.cols
                    )));
                }
            }
        }
        if let Some(f) = &b.iter_full {
            if f.as_vector_len() != Some(m) {
                return Err(inconsistent(format!(
                    "iter_full has shape {:?}; expected ({m},)",
                    f.header.shape
                )));
            }
        }
        if let Some(c) = h.iter.as_ref().map(|i| &i.coordinates).filter(|c| !c.is_empty()) {
            if c.len() != m {
                return Err(inconsistent(format!(
                    "header iter.coordinates has {} entries; expected m = {m}",
                    c.len()
                )));
            }
            if let Some(bad) = c.iter().find(|&&j| j >= h.p) {
                return Err(inconsistent(format!(
                    "header iter.coordinates holds {bad}, not below p = {}",
                    h.p
                )));
            }
        }
    }
    match (&b.gram, &h.gram) {
        (Some(_), None) => {
            return Err(inconsistent(
                "the gram member needs a header 'gram' section (n, p, trace, centred)".into(),
            ))
        }
        (None, Some(_)) => {
            return Err(inconsistent(
                "the header has a 'gram' section but there is no gram member".into(),
            ))
        }
        (Some(g), Some(info)) => {
            let (r, c) = (g.header.rows, g.header.cols);
            if g.header.shape.len() != 2 || r != c {
                return Err(inconsistent(format!(
                    "gram has shape {:?}; a Gram matrix is square",
                    g.header.shape
                )));
            }
            if info.n != r as u64 {
                return Err(inconsistent(format!(
                    "gram is {r} × {r} but the header says n = {}",
                    info.n
                )));
            }
            if info.p == 0 {
                return Err(inconsistent("header gram.p must be at least 1".into()));
            }
        }
        (None, None) => {}
    }
    Ok(())
}
