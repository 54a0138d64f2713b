//! The "SGNI" image-dataset format (written by `scripts/make_mnist_asset.py` and
//! `scripts/make_sklearn_assets.py`) and image transforms.
//!
//! Layout after gzip decompression (integers little-endian):
//!
//! | bytes | field |
//! |---|---|
//! | 4 | magic `b"SGNI"` |
//! | u16 | version = 1 |
//! | u32 | n, number of images |
//! | u16 | rows |
//! | u16 | cols |
//! | u16 | n_classes |
//! | u16 | max_value: the pixel value that maps to 1.0 (255 for MNIST, 16 for 8×8 digits) |
//! | n·rows·cols | u8 pixels, image-major, row-major inside an image |
//! | n | u8 labels |
//!
//! Pixels are decoded to `f32` as `p / max_value` ∈ [0, 1]. Exactly the header and the
//! payload must be present: short or long input is a typed error, never a panic.

use super::{DataError, Dataset, ImageShape};
use std::io::Read;

/// Magic bytes of the format.
pub const MAGIC: &[u8; 4] = b"SGNI";
/// The only version this decoder reads.
pub const VERSION: u16 = 1;
/// Header length in bytes.
pub const HEADER_LEN: usize = 4 + 2 + 4 + 2 + 2 + 2 + 2;
/// Refuse to inflate more than this (protects the page from a hostile "asset").
pub const MAX_DECOMPRESSED: u64 = 256 << 20;

/// Inflates gzip bytes (at most [`MAX_DECOMPRESSED`]).
pub fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, DataError> {
    let mut out = Vec::new();
    let dec = flate2::read::GzDecoder::new(bytes);
    dec.take(MAX_DECOMPRESSED + 1)
        .read_to_end(&mut out)
        .map_err(|e| DataError::Gzip(e.to_string()))?;
    if out.len() as u64 > MAX_DECOMPRESSED {
        return Err(DataError::TooLarge(format!(
            "decompressed data exceeds {MAX_DECOMPRESSED} bytes"
        )));
    }
    Ok(out)
}

fn u16_at(b: &[u8], at: usize) -> Result<u16, DataError> {
    match b.get(at..at + 2) {
        Some(s) => Ok(u16::from_le_bytes([s[0], s[1]])),
        None => Err(DataError::Truncated {
            needed: at + 2,
            found: b.len(),
        }),
    }
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, DataError> {
    match b.get(at..at + 4) {
        Some(s) => Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]])),
        None => Err(DataError::Truncated {
            needed: at + 4,
            found: b.len(),
        }),
    }
}

/// Decodes an uncompressed SGNI payload into a dataset called `name`.
pub fn decode_raw(b: &[u8], name: &str) -> Result<Dataset, DataError> {
    if b.len() < 4 {
        return Err(DataError::Truncated {
            needed: HEADER_LEN,
            found: b.len(),
        });
    }
    if &b[..4] != MAGIC {
        return Err(DataError::BadMagic {
            expected: String::from_utf8_lossy(MAGIC).into_owned(),
            found: String::from_utf8_lossy(&b[..4]).into_owned(),
        });
    }
    let version = u16_at(b, 4)?;
    if version != VERSION {
        return Err(DataError::UnsupportedVersion(version));
    }
    let n = u32_at(b, 6)? as usize;
    let rows = u16_at(b, 10)? as usize;
    let cols = u16_at(b, 12)? as usize;
    let n_classes = u16_at(b, 14)? as usize;
    let max_value = u16_at(b, 16)?;
    if n == 0 || rows == 0 || cols == 0 {
        return Err(DataError::BadHeader(format!(
            "n = {n}, rows = {rows}, cols = {cols}: all must be positive"
        )));
    }
    if !(2..=256).contains(&n_classes) {
        return Err(DataError::BadHeader(format!(
            "n_classes = {n_classes} is not in 2..=256"
        )));
    }
    if max_value == 0 || max_value > 255 {
        return Err(DataError::BadHeader(format!(
            "max_value = {max_value} is not in 1..=255"
        )));
    }
    let d = rows * cols;
    let needed = n
        .checked_mul(d + 1)
        .and_then(|v| v.checked_add(HEADER_LEN))
        .ok_or_else(|| DataError::TooLarge(format!("{n} images of {rows}×{cols}")))?;
    if b.len() < needed {
        return Err(DataError::Truncated { needed, found: b.len() });
    }
    if b.len() > needed {
        return Err(DataError::TrailingBytes {
            extra: b.len() - needed,
        });
    }
    let pix = &b[HEADER_LEN..HEADER_LEN + n * d];
    let labels = &b[HEADER_LEN + n * d..needed];
    let scale = 1.0 / max_value as f32;
    let x: Vec<f32> = pix.iter().map(|&p| p as f32 * scale).collect();
    let y: Vec<u32> = labels.iter().map(|&l| l as u32).collect();
    Dataset::new(
        name,
        d,
        n_classes,
        x,
        y,
        Some(ImageShape {
            channels: 1,
            rows,
            cols,
        }),
    )
}

/// Decodes a gzip-compressed SGNI asset.
pub fn decode(bytes: &[u8], name: &str) -> Result<Dataset, DataError> {
    decode_raw(&gunzip(bytes)?, name)
}

/// Decodes `assets/digits-8x8.bin.gz` (scikit-learn's 1,797 8×8 digits, pixel values 0..16).
pub fn decode_digits8x8(bytes: &[u8]) -> Result<Dataset, DataError> {
    let ds = decode(bytes, "digits-8x8")?;
    match ds.image {
        Some(ImageShape { rows: 8, cols: 8, .. }) => Ok(ds),
        s => Err(DataError::BadHeader(format!("expected 8×8 images, found {s:?}"))),
    }
}

/// Average-pools every image by a factor `f` in both directions (28×28 → 14×14 for f = 2), a
/// cheaper MNIST option. Rows/columns that do not fill a whole block are dropped.
pub fn downsample(ds: &Dataset, f: usize) -> Result<Dataset, DataError> {
    ds.validate()?;
    let shape = ds
        .image
        .ok_or_else(|| DataError::InvalidParam("downsampling needs an image dataset".into()))?;
    if f == 0 || f > shape.rows || f > shape.cols {
        return Err(DataError::InvalidParam(format!(
            "downsampling factor {f} for {}×{} images",
            shape.rows, shape.cols
        )));
    }
    let (r2, c2) = (shape.rows / f, shape.cols / f);
    let d2 = shape.channels * r2 * c2;
    let mut x = Vec::with_capacity(ds.n() * d2);
    let inv = 1.0 / (f * f) as f32;
    for j in 0..ds.n() {
        let img = ds.row(j);
        for c in 0..shape.channels {
            for r in 0..r2 {
                for q in 0..c2 {
                    let mut s = 0.0f32;
                    for dr in 0..f {
                        for dq in 0..f {
                            s += img[c * shape.rows * shape.cols + (r * f + dr) * shape.cols + q * f + dq];
                        }
                    }
                    x.push(s * inv);
                }
            }
        }
    }
    let image = ImageShape {
        channels: shape.channels,
        rows: r2,
        cols: c2,
    };
    Dataset::new(
        format!("{}/{f}x", ds.name),
        d2,
        ds.n_classes,
        x,
        ds.y.clone(),
        Some(image),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&2u32.to_le_bytes());
        b.extend_from_slice(&2u16.to_le_bytes());
        b.extend_from_slice(&2u16.to_le_bytes());
        b.extend_from_slice(&3u16.to_le_bytes());
        b.extend_from_slice(&255u16.to_le_bytes());
        b.extend_from_slice(&[0, 255, 51, 102, 1, 2, 3, 4]);
        b.extend_from_slice(&[2, 0]);
        b
    }

    #[test]
    fn decodes_and_refuses_bad_input() {
        let ds = decode_raw(&payload(), "t").unwrap();
        assert_eq!((ds.n(), ds.d(), ds.n_classes), (2, 4, 3));
        assert_eq!(ds.features()[1], 1.0);
        assert!((ds.features()[2] - 0.2).abs() < 1e-7);
        assert_eq!(ds.y, vec![2, 0]);
        let b = payload();
        for cut in 0..b.len() {
            assert!(decode_raw(&b[..cut], "t").is_err(), "cut {cut}");
        }
        let mut long = b.clone();
        long.push(0);
        assert_eq!(decode_raw(&long, "t"), Err(DataError::TrailingBytes { extra: 1 }));
        let mut bad_label = b.clone();
        let last = bad_label.len() - 1;
        bad_label[last] = 3;
        assert!(matches!(
            decode_raw(&bad_label, "t"),
            Err(DataError::BadLabel { index: 1, label: 3, .. })
        ));
        let mut bad_magic = b;
        bad_magic[0] = b'X';
        assert!(matches!(decode_raw(&bad_magic, "t"), Err(DataError::BadMagic { .. })));
        assert!(matches!(decode(&[1, 2, 3], "t"), Err(DataError::Gzip(_))));
    }

    #[test]
    fn downsample_averages_blocks() {
        let ds = decode_raw(&payload(), "t").unwrap();
        let s = downsample(&ds, 2).unwrap();
        assert_eq!(s.d(), 1);
        assert!((s.features()[0] - (0.0 + 1.0 + 0.2 + 0.4) / 4.0).abs() < 1e-6);
    }
}
