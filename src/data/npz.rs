//! NumPy `.npz` archives: a zip file whose members are `.npy` files (`np.savez` stores them,
//! `np.savez_compressed` deflates them; NumPy's `numpy.lib.npyio.savez`,
//! <https://numpy.org/doc/stable/reference/generated/numpy.savez.html>).
//!
//! The zip structure (central directory, local headers, zip64) is read by the `zip` crate
//! (features: deflate through flate2's pure-Rust backend only, so it builds for wasm32). A
//! **stored** member is returned as a slice of the caller's bytes — no copy, so a memory-mapped
//! archive of any size costs no memory — after its CRC-32 is checked; a **deflated** member is
//! inflated into a buffer whose size is checked against the caller's limit from the directory
//! before anything is allocated, and again while inflating (a directory entry cannot lie its way
//! past the limit). Any other compression method, encryption, or a member name that is not a
//! plain `NAME.npy` is a typed error. No filesystem access: the caller passes the bytes.

use std::borrow::Cow;
use std::io::{Cursor, Read};
use thiserror::Error;
use zip::{CompressionMethod, ZipArchive};

/// Why bytes could not be read as an `.npz` archive.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum NpzError {
    #[error("not a zip file (an .npz is a zip of .npy files): {0}")]
    NotZip(String),
    #[error("member {name}: {reason}")]
    Member { name: String, reason: String },
    #[error("member {name} is compressed with {method}; only stored (np.savez) and deflated (np.savez_compressed) members are read")]
    Compression { name: String, method: String },
    #[error("member {name} inflates to {size} bytes; the limit for compressed members is {limit} bytes (save with np.savez, uncompressed, to lift it)")]
    TooLarge { name: String, size: u64, limit: u64 },
    #[error("the archive holds {0} members; at most 64 are read")]
    TooManyMembers(usize),
    #[error("member {0} appears twice")]
    Duplicate(String),
}

/// Returns true if `bytes` start like a zip file (local file header "PK\x03\x04", or the
/// end-of-central-directory record of an empty archive "PK\x05\x06").
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// One `.npy` member of an archive.
#[derive(Debug, Clone)]
pub struct NpzMember<'a> {
    /// The member's key: its file name without the `.npy` suffix (`np.savez(f, dim_g=…)` →
    /// `dim_g`).
    pub key: String,
    /// The member's `.npy` bytes: borrowed from the archive when stored, inflated when deflated.
    pub bytes: Cow<'a, [u8]>,
    /// Whether the member was deflated.
    pub deflated: bool,
}

/// Size of a member as the zip directory states it, before reading it ([`npz_directory`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NpzEntry {
    pub key: String,
    /// Uncompressed size.
    pub size: u64,
    pub deflated: bool,
}

/// Most members read from one archive.
pub const MAX_MEMBERS: usize = 64;

fn open(bytes: &[u8]) -> Result<ZipArchive<Cursor<&[u8]>>, NpzError> {
    let z = ZipArchive::new(Cursor::new(bytes)).map_err(|e| NpzError::NotZip(e.to_string()))?;
    if z.len() > MAX_MEMBERS {
        return Err(NpzError::TooManyMembers(z.len()));
    }
    Ok(z)
}

/// The member's key from its file name: `NAME.npy` with NAME made of ASCII letters, digits,
/// `_` and `-` (numpy writes the keyword's name plus `.npy`).
fn key_of(name: &str) -> Result<String, NpzError> {
    let key = name.strip_suffix(".npy").unwrap_or("");
    if key.is_empty() || key.len() > 64 || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return Err(NpzError::Member {
            name: name.chars().take(80).collect(),
            reason: "is not a NAME.npy member (NAME of letters, digits, '_' and '-', at most 64)".into(),
        });
    }
    Ok(key.to_string())
}

fn method_of(name: &str, m: CompressionMethod) -> Result<bool, NpzError> {
    match m {
        CompressionMethod::Stored => Ok(false),
        CompressionMethod::Deflated => Ok(true),
        other => Err(NpzError::Compression {
            name: name.to_string(),
            method: format!("{other:?}"),
        }),
    }
}

/// The archive's members and their uncompressed sizes as its central directory states them
/// (nothing is inflated): what a reader needs to estimate memory before [`read_npz`].
pub fn npz_directory(bytes: &[u8]) -> Result<Vec<NpzEntry>, NpzError> {
    let mut z = open(bytes)?;
    let mut out: Vec<NpzEntry> = Vec::with_capacity(z.len());
    for i in 0..z.len() {
        let f = z.by_index_raw(i).map_err(|e| NpzError::NotZip(e.to_string()))?;
        let name = f.name().map_err(|e| NpzError::NotZip(e.to_string()))?.into_owned();
        let key = key_of(&name)?;
        if out.iter().any(|e| e.key == key) {
            return Err(NpzError::Duplicate(name));
        }
        out.push(NpzEntry {
            deflated: method_of(&name, f.compression())?,
            size: f.size(),
            key,
        });
    }
    Ok(out)
}

/// Reads every member of an `.npz` archive (see the module doc); deflated members may inflate
/// to at most `max_inflated` bytes each.
pub fn read_npz(bytes: &[u8], max_inflated: u64) -> Result<Vec<NpzMember<'_>>, NpzError> {
    let mut z = open(bytes)?;
    let mut out: Vec<NpzMember<'_>> = Vec::with_capacity(z.len());
    for i in 0..z.len() {
        let (name, deflated, size, crc, start) = {
            let f = z.by_index_raw(i).map_err(|e| NpzError::NotZip(e.to_string()))?;
            let name = f.name().map_err(|e| NpzError::NotZip(e.to_string()))?.into_owned();
            if f.encrypted() {
                return Err(NpzError::Member {
                    name,
                    reason: "is encrypted".into(),
                });
            }
            let deflated = method_of(&name, f.compression())?;
            (name, deflated, f.size(), f.crc32(), f.data_start())
        };
        let key = key_of(&name)?;
        if out.iter().any(|m| m.key == key) {
            return Err(NpzError::Duplicate(name));
        }
        let bad = |reason: String| NpzError::Member {
            name: name.clone(),
            reason,
        };
        let data: Cow<'_, [u8]> = if !deflated {
            let start = start.ok_or_else(|| bad("its data offset is unknown".into()))?;
            let end = start
                .checked_add(size)
                .filter(|e| *e <= bytes.len() as u64)
                .ok_or_else(|| bad(format!("its {size} bytes run past the end of the archive")))?;
            let slice = &bytes[start as usize..end as usize];
            if crc32fast::hash(slice) != crc {
                return Err(bad("CRC-32 mismatch (the file is corrupt)".into()));
            }
            Cow::Borrowed(slice)
        } else {
            if size > max_inflated {
                return Err(NpzError::TooLarge {
                    name,
                    size,
                    limit: max_inflated,
                });
            }
            let f = z.by_index(i).map_err(|e| bad(e.to_string()))?;
            let mut buf = Vec::with_capacity(size as usize);
            // One byte more than declared shows a directory that understates the size.
            f.take(size + 1).read_to_end(&mut buf).map_err(|e| bad(e.to_string()))?;
            if buf.len() as u64 != size {
                return Err(bad(format!(
                    "inflates to {}{} bytes, the directory says {size}",
                    buf.len(),
                    if buf.len() as u64 > size { " or more" } else { "" }
                )));
            }
            Cow::Owned(buf)
        };
        out.push(NpzMember {
            key,
            bytes: data,
            deflated,
        });
    }
    Ok(out)
}
