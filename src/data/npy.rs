//! A small reader (and writer) for NumPy `.npy` files: float32 / float64, little-endian,
//! C order, 1-D or 2-D (format versions 1.0, 2.0 and 3.0; NumPy NEP 1,
//! <https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html>).
//!
//! Written by hand rather than with the `npyz` crate (0.9.1) because this reader must return a
//! typed error, never panic or abort, on any byte string a user drops on the page: npyz
//! multiplies the header's shape without overflow checks (`shape.iter().product()`), sizes
//! buffers from that header, and has `assert!`/`unwrap()` on some read paths. The format
//! subset needed here is small; everything else is refused with a clear error.
//!
//! A 1-D array of length n is read as n samples of one coordinate (an n × 1 matrix), the same
//! as a text file with one number per line. Non-finite values are refused (as in
//! [`crate::data::text`]). No filesystem access: the caller passes the bytes.

use super::text::Matrix;
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

/// Reads a `.npy` file's bytes as a row-major f64 matrix (see the module doc). No limit on the
/// size beyond the bytes given: see [`read_npy_max`].
pub fn read_npy(bytes: &[u8]) -> Result<Matrix, NpyError> {
    read_npy_max(bytes, usize::MAX)
}

/// [`read_npy`] refusing arrays of more than `max_values` values with [`NpyError::TooLarge`]
/// as soon as the header's shape is read, before the f64 matrix (`8 · rows · cols` bytes, twice
/// a float32 file's data) is allocated.
pub fn read_npy_max(bytes: &[u8], max_values: usize) -> Result<Matrix, NpyError> {
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
    let data_start = hstart
        .checked_add(hlen)
        .ok_or_else(|| NpyError::BadHeader("header length overflows".into()))?;
    need("the header", data_start)?;
    let header = std::str::from_utf8(&bytes[hstart..data_start])
        .map_err(|_| NpyError::BadHeader("the header is not text".into()))?;
    let h = parse_header(header)?;
    if h.fortran {
        return Err(NpyError::FortranOrder);
    }
    let size = match h.descr.as_str() {
        "<f8" => 8,
        "<f4" => 4,
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
    let count = rows
        .checked_mul(cols)
        .and_then(|c| usize::try_from(c).ok())
        .filter(|c| c.checked_mul(size).is_some())
        .ok_or_else(|| NpyError::UnsupportedShape(h.shape.clone()))?;
    let nbytes = count * size;
    let data = &bytes[data_start..];
    if data.len() < nbytes {
        return Err(NpyError::Truncated {
            what: "the data",
            expected: data_start.saturating_add(nbytes),
            found: bytes.len(),
        });
    }
    if data.len() > nbytes {
        return Err(NpyError::TrailingBytes(data.len() - nbytes));
    }
    let (rows, cols) = (rows as usize, cols as usize);
    let mut out = Vec::with_capacity(count);
    for (idx, chunk) in data.chunks_exact(size).enumerate() {
        let v = if size == 8 {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            f64::from_le_bytes(b)
        } else {
            let mut b = [0u8; 4];
            b.copy_from_slice(chunk);
            f32::from_le_bytes(b) as f64
        };
        if !v.is_finite() {
            return Err(NpyError::NonFinite {
                row: idx / cols + 1,
                col: idx % cols + 1,
            });
        }
        out.push(v);
    }
    Ok(Matrix { rows, cols, data: out })
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
        assert_eq!((m.rows, m.cols), (2, 3));
        assert_eq!(m.row(1), &[4.0, 5.0, 6.0]);
    }

    #[test]
    fn too_large_shape_is_refused_from_the_header() {
        let b = write_npy_f64(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(read_npy_max(&b, 6).unwrap().rows, 2);
        assert_eq!(read_npy_max(&b, 5), Err(NpyError::TooLarge { values: 6, limit: 5 }));
        // Only the header: refused by the limit, not as truncated.
        let header_only = &b[..b.len() - 48];
        assert_eq!(
            read_npy_max(header_only, 5),
            Err(NpyError::TooLarge { values: 6, limit: 5 })
        );
    }
}
