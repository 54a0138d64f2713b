//! A small reader (and writer) for NumPy `.npy` files: float32 / float64, little-endian,
//! C order, 1-D or 2-D (format versions 1.0, 2.0 and 3.0; NumPy NEP 1,
//! <https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html>), plus 1-D uint8
//! arrays for a bundle's JSON header ([`view_npy_u8`]).
//!
//! The header is parsed on its own ([`parse_npy_header`]: a size can be stated, and refused,
//! before the data arrives), and an array can be viewed in place ([`NpyView`]: its values decoded
//! tile by tile from bytes of any alignment — a memory map, a zip member, the page's upload
//! buffer) or read whole into an f64 [`ndarray::Array2`] ([`read_npy`]).
//!
//! Written by hand rather than with the `npyz` crate (0.9.1) or `ndarray-npy` (0.10.0) because
//! this reader must return a typed error, never panic or abort, on any byte string a user drops
//! on the page: npyz multiplies the header's shape without overflow checks
//! (`shape.iter().product()`), sizes buffers from that header, and has `assert!`/`unwrap()` on
//! some read paths; ndarray-npy allocates the whole array from the header's shape before reading
//! the data and views in place only aligned data (`docs/ARCHITECTURE.md`, toolchain decisions).
//! The format subset needed here is small; everything else is refused with a clear error.
//!
//! A 1-D array of length n is read as n samples of one coordinate (an n × 1 matrix), the same
//! as a text file with one number per line. Non-finite values are refused (as in
//! [`crate::data::text`]). No filesystem access: the caller passes the bytes.

use ndarray::Array2;
use thiserror::Error;

/// Why bytes could not be read as a `.npy` matrix.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum NpyError {
    #[error("not a .npy file (the magic string \\x93NUMPY is missing)")]
    BadMagic,
    #[error("unsupported .npy format version {0}.{1} (1.0, 2.0 and 3.0 are read)")]
    UnsupportedVersion(u8, u8),
    #[error("the .npy file is truncated: {what} needs {expected} bytes, {found} present")]
    Truncated {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("the .npy file has {0} bytes after the data")]
    TrailingBytes(usize),
    #[error("malformed .npy header: {0}")]
    BadHeader(String),
    #[error("the .npy array is in Fortran (column-major) order; save it with np.ascontiguousarray first")]
    FortranOrder,
    #[error("unsupported .npy dtype '{0}' (only little-endian float32 '<f4' and float64 '<f8')")]
    UnsupportedDtype(String),
    #[error("unsupported .npy shape {0:?} (only 1-D and 2-D arrays with at least one element)")]
    UnsupportedShape(Vec<u64>),
    #[error("value at row {row}, column {col} is not finite (NaN and infinities are not allowed)")]
    NonFinite { row: usize, col: usize },
    /// The header's shape holds more values than the reader's limit ([`read_npy_max`]).
    #[error("the .npy array holds {values} values; the limit is {limit} values")]
    TooLarge { values: u64, limit: usize },
}

const MAGIC: &[u8] = b"\x93NUMPY";

/// Returns true if `bytes` start with the `.npy` magic string.
pub fn is_npy(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

#[derive(Debug, PartialEq)]
enum Tok {
    Str(String),
    Ident(String),
    Int(u64),
    Punct(char),
}

fn tokenize(h: &str) -> Result<Vec<Tok>, NpyError> {
    let mut out = Vec::new();
    let cs: Vec<char> = h.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' || c == '"' {
            let q = c;
            let start = i + 1;
            let mut j = start;
            while j < cs.len() && cs[j] != q {
                j += 1;
            }
            if j >= cs.len() {
                return Err(NpyError::BadHeader("unterminated string".into()));
            }
            out.push(Tok::Str(cs[start..j].iter().collect()));
            i = j + 1;
        } else if c.is_ascii_digit() {
            let mut v: u64 = 0;
            while i < cs.len() && cs[i].is_ascii_digit() {
                let d = cs[i] as u64 - '0' as u64;
                v = v
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(d))
                    .ok_or_else(|| NpyError::BadHeader("dimension too large".into()))?;
                i += 1;
            }
            // Python 2 long suffix
            if i < cs.len() && (cs[i] == 'L' || cs[i] == 'l') {
                i += 1;
            }
            out.push(Tok::Int(v));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < cs.len() && (cs[i].is_ascii_alphanumeric() || cs[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(cs[start..i].iter().collect()));
        } else if "{}(),:".contains(c) {
            out.push(Tok::Punct(c));
            i += 1;
        } else {
            return Err(NpyError::BadHeader(format!("unexpected character {c:?}")));
        }
    }
    Ok(out)
}

struct Header {
    descr: String,
    fortran: bool,
    shape: Vec<u64>,
}

fn parse_header(h: &str) -> Result<Header, NpyError> {
    let t = tokenize(h)?;
    let bad = |m: &str| NpyError::BadHeader(m.to_string());
    let mut i = 0;
    if t.get(i) != Some(&Tok::Punct('{')) {
        return Err(bad("the header is not a dictionary"));
    }
    i += 1;
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    loop {
        match t.get(i) {
            Some(Tok::Punct('}')) => break,
            Some(Tok::Str(key)) => {
                let key = key.clone();
                i += 1;
                if t.get(i) != Some(&Tok::Punct(':')) {
                    return Err(bad("expected ':' after a key"));
                }
                i += 1;
                match key.as_str() {
                    "descr" => match t.get(i) {
                        Some(Tok::Str(s)) => {
                            descr = Some(s.clone());
                            i += 1;
                        }
                        _ => return Err(NpyError::UnsupportedDtype("(structured or non-string descr)".into())),
                    },
                    "fortran_order" => match t.get(i) {
                        Some(Tok::Ident(s)) if s == "True" || s == "False" => {
                            fortran = Some(s == "True");
                            i += 1;
                        }
                        _ => return Err(bad("fortran_order must be True or False")),
                    },
                    "shape" => {
                        if t.get(i) != Some(&Tok::Punct('(')) {
                            return Err(bad("shape must be a tuple"));
                        }
                        i += 1;
                        let mut dims = Vec::new();
                        loop {
                            match t.get(i) {
                                Some(Tok::Punct(')')) => {
                                    i += 1;
                                    break;
                                }
                                Some(Tok::Int(v)) => {
                                    dims.push(*v);
                                    i += 1;
                                    match t.get(i) {
                                        Some(Tok::Punct(',')) => i += 1,
                                        Some(Tok::Punct(')')) => {}
                                        _ => return Err(bad("malformed shape tuple")),
                                    }
                                }
                                _ => return Err(bad("malformed shape tuple")),
                            }
                        }
                        shape = Some(dims);
                    }
                    other => return Err(bad(&format!("unknown key '{other}'"))),
                }
                match t.get(i) {
                    Some(Tok::Punct(',')) => i += 1,
                    Some(Tok::Punct('}')) => {}
                    _ => return Err(bad("expected ',' or '}' after a value")),
                }
            }
            _ => return Err(bad("expected a key or '}'")),
        }
    }
    Ok(Header {
        descr: descr.ok_or_else(|| bad("missing 'descr'"))?,
        fortran: fortran.ok_or_else(|| bad("missing 'fortran_order'"))?,
        shape: shape.ok_or_else(|| bad("missing 'shape'"))?,
    })
}

/// The element type of a `.npy` array this reader accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    /// Little-endian IEEE float32, `'<f4'`.
    F4,
    /// Little-endian IEEE float64, `'<f8'`.
    F8,
    /// Unsigned bytes, `'|u1'` (only for a bundle's UTF-8 JSON header, [`view_npy_u8`]).
    U1,
}

impl Dtype {
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            Dtype::F4 => 4,
            Dtype::F8 => 8,
            Dtype::U1 => 1,
        }
    }
}

/// A `.npy` header: element type, shape as rows × cols (a 1-D array of n values is n × 1) and
/// where the data starts. Parsed from the first bytes alone ([`parse_npy_header`]), so a reader
/// can state the array's size before the data has arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyHeader {
    pub dtype: Dtype,
    /// The shape as written in the file (1 or 2 dimensions, none zero).
    pub shape: Vec<u64>,
    pub rows: usize,
    pub cols: usize,
    /// Offset of the first data byte.
    pub data_offset: usize,
}

impl NpyHeader {
    /// rows · cols.
    pub fn values(&self) -> usize {
        self.rows * self.cols
    }

    /// Bytes of data the header promises.
    pub fn data_bytes(&self) -> usize {
        self.values() * self.dtype.size()
    }
}

/// Parses the magic string, version, header dictionary, dtype and shape (see the module doc) of
/// the `.npy` file that `bytes` starts with; the data need not be present. `allow_u8` admits
/// `'|u1'` arrays (a bundle's header); otherwise only `'<f4'` and `'<f8'`. A shape holding more
/// than `max_values` values is [`NpyError::TooLarge`].
pub fn parse_npy_header(bytes: &[u8], allow_u8: bool, max_values: usize) -> Result<NpyHeader, NpyError> {
    if !is_npy(bytes) {
        return Err(NpyError::BadMagic);
    }
    let need = |what, expected: usize| {
        if bytes.len() < expected {
            Err(NpyError::Truncated {
                what,
                expected,
                found: bytes.len(),
            })
        } else {
            Ok(())
        }
    };
    need("the version", 8)?;
    let (major, minor) = (bytes[6], bytes[7]);
    let (hlen, hstart) = match (major, minor) {
        (1, 0) => {
            need("the header length", 10)?;
            (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10usize)
        }
        (2, 0) | (3, 0) => {
            need("the header length", 12)?;
            (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            )
        }
        _ => return Err(NpyError::UnsupportedVersion(major, minor)),
    };
    let data_offset = hstart
        .checked_add(hlen)
        .ok_or_else(|| NpyError::BadHeader("header length overflows".into()))?;
    need("the header", data_offset)?;
    let header = std::str::from_utf8(&bytes[hstart..data_offset])
        .map_err(|_| NpyError::BadHeader("the header is not text".into()))?;
    let h = parse_header(header)?;
    if h.fortran {
        return Err(NpyError::FortranOrder);
    }
    let dtype = match h.descr.as_str() {
        "<f8" => Dtype::F8,
        "<f4" => Dtype::F4,
        "|u1" | "<u1" | ">u1" | "=u1" if allow_u8 => Dtype::U1,
        other => return Err(NpyError::UnsupportedDtype(other.to_string())),
    };
    let (rows, cols) = match h.shape.as_slice() {
        [n] => (*n, 1u64),
        [n, d] => (*n, *d),
        _ => return Err(NpyError::UnsupportedShape(h.shape.clone())),
    };
    if rows == 0 || cols == 0 {
        return Err(NpyError::UnsupportedShape(h.shape.clone()));
    }
    let values = rows.saturating_mul(cols);
    if values > max_values as u64 {
        return Err(NpyError::TooLarge {
            values,
            limit: max_values,
        });
    }
    rows.checked_mul(cols)
        .and_then(|c| usize::try_from(c).ok())
        .filter(|c| c.checked_mul(dtype.size()).is_some())
        .ok_or_else(|| NpyError::UnsupportedShape(h.shape.clone()))?;
    Ok(NpyHeader {
        dtype,
        shape: h.shape,
        rows: rows as usize,
        cols: cols as usize,
        data_offset,
    })
}

/// A `.npy` array read in place: its header and its data bytes, decoded on demand (no copy of
/// the file; the bytes may be a memory map, a zip member or the page's upload buffer, with any
/// alignment).
#[derive(Debug, Clone, Copy)]
pub struct NpyView<'a> {
    pub header: &'a NpyHeader,
    /// Exactly [`NpyHeader::data_bytes`] bytes.
    pub data: &'a [u8],
}

/// Checks that `bytes` hold exactly the data `header` (parsed from the same bytes) promises,
/// and returns the data slice.
fn data_of<'a>(bytes: &'a [u8], header: &NpyHeader) -> Result<&'a [u8], NpyError> {
    let nbytes = header.data_bytes();
    let data = &bytes[header.data_offset..];
    if data.len() < nbytes {
        return Err(NpyError::Truncated {
            what: "the data",
            expected: header.data_offset.saturating_add(nbytes),
            found: bytes.len(),
        });
    }
    if data.len() > nbytes {
        return Err(NpyError::TrailingBytes(data.len() - nbytes));
    }
    Ok(data)
}

/// A float `.npy` file's header (at most `max_values` values, see [`parse_npy_header`]) and a
/// check that its data is complete; [`NpyView::new`] then views it without copying.
pub fn check_npy(bytes: &[u8], max_values: usize) -> Result<NpyHeader, NpyError> {
    let header = parse_npy_header(bytes, false, max_values)?;
    data_of(bytes, &header)?;
    Ok(header)
}

/// The bytes of a 1-D `'|u1'` array (a bundle's UTF-8 JSON header), borrowed from `bytes`.
pub fn view_npy_u8(bytes: &[u8], max_len: usize) -> Result<&[u8], NpyError> {
    let header = parse_npy_header(bytes, true, max_len)?;
    if header.dtype != Dtype::U1 || header.shape.len() != 1 {
        return Err(NpyError::UnsupportedDtype(format!(
            "{:?} of shape {:?} (expected a 1-D uint8 array)",
            header.dtype, header.shape
        )));
    }
    data_of(bytes, &header)
}

impl<'a> NpyView<'a> {
    /// The view of `bytes` described by `header` (from [`check_npy`] on the same bytes).
    pub fn new(bytes: &'a [u8], header: &'a NpyHeader) -> Result<NpyView<'a>, NpyError> {
        Ok(NpyView {
            header,
            data: data_of(bytes, header)?,
        })
    }

    pub fn rows(&self) -> usize {
        self.header.rows
    }

    pub fn cols(&self) -> usize {
        self.header.cols
    }

    /// Appends the values of rows `r0..r1`, columns `c0..c1` (row-major) to `out` as f64;
    /// a value that is not finite is [`NpyError::NonFinite`] with its 1-based row and column.
    pub fn read_tile(
        &self,
        rows: std::ops::Range<usize>,
        cols: std::ops::Range<usize>,
        out: &mut Vec<f64>,
    ) -> Result<(), NpyError> {
        let (nc, size) = (self.header.cols, self.header.dtype.size());
        out.reserve(rows.len() * cols.len());
        for r in rows {
            let bytes = &self.data[(r * nc + cols.start) * size..(r * nc + cols.end) * size];
            let start = out.len();
            match self.header.dtype {
                Dtype::F8 => out.extend(bytes.chunks_exact(8).map(|c| {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(c);
                    f64::from_le_bytes(b)
                })),
                Dtype::F4 => out.extend(bytes.chunks_exact(4).map(|c| {
                    let mut b = [0u8; 4];
                    b.copy_from_slice(c);
                    f32::from_le_bytes(b) as f64
                })),
                Dtype::U1 => out.extend(bytes.iter().map(|&b| b as f64)),
            }
            if let Some(j) = out[start..].iter().position(|v| !v.is_finite()) {
                return Err(NpyError::NonFinite {
                    row: r + 1,
                    col: cols.start + j + 1,
                });
            }
        }
        Ok(())
    }

    /// The whole array as a `rows × cols` f64 matrix in standard layout (8 bytes per value; the
    /// decoded buffer becomes the array without a copy).
    pub fn to_matrix(&self) -> Result<Array2<f64>, NpyError> {
        let mut data = Vec::new();
        self.read_tile(0..self.rows(), 0..self.cols(), &mut data)?;
        Array2::from_shape_vec((self.rows(), self.cols()), data).map_err(|e| NpyError::BadHeader(e.to_string()))
    }
}

/// Reads a `.npy` file's bytes as a row-major f64 matrix (see the module doc). No limit on the
/// size beyond the bytes given: see [`read_npy_max`].
pub fn read_npy(bytes: &[u8]) -> Result<Array2<f64>, NpyError> {
    read_npy_max(bytes, usize::MAX)
}

/// [`read_npy`] refusing arrays of more than `max_values` values with [`NpyError::TooLarge`]
/// as soon as the header's shape is read, before the f64 matrix (`8 · rows · cols` bytes, twice
/// a float32 file's data) is allocated.
pub fn read_npy_max(bytes: &[u8], max_values: usize) -> Result<Array2<f64>, NpyError> {
    let header = check_npy(bytes, max_values)?;
    NpyView::new(bytes, &header)?.to_matrix()
}

/// Encodes a row-major `rows × cols` f64 matrix as `.npy` (version 1.0, '<f8', C order) bytes.
pub fn write_npy_f64(rows: usize, cols: usize, data: &[f64]) -> Vec<u8> {
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    // Pad so that magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
    let total = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - total % 64) % 64));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + data.len() * 8);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for v in data {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_f64() {
        let b = write_npy_f64(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(b.len() % 8, 0);
        let m = read_npy(&b).unwrap();
        assert_eq!(m.dim(), (2, 3));
        assert_eq!(m.row(1).to_slice(), Some(&[4.0, 5.0, 6.0][..]));
    }

    #[test]
    fn too_large_shape_is_refused_from_the_header() {
        let b = write_npy_f64(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(read_npy_max(&b, 6).unwrap().nrows(), 2);
        assert_eq!(read_npy_max(&b, 5), Err(NpyError::TooLarge { values: 6, limit: 5 }));
        // Only the header: refused by the limit, not as truncated.
        let header_only = &b[..b.len() - 48];
        assert_eq!(
            read_npy_max(header_only, 5),
            Err(NpyError::TooLarge { values: 6, limit: 5 })
        );
    }
}
