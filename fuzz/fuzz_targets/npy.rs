//! `data::npy::read_npy` (the page's dropped `.npy` and `sgn-lab analyze x.npy`) on arbitrary
//! bytes.
//!
//! Two modes (first byte): the raw bytes as a file, or the bytes split at the first NUL into a
//! header text and a payload, wrapped in a well-formed magic / version / length prefix (versions
//! 1.0, 2.0, 3.0) so that the fuzzer spends its time in the header grammar and the shape / size
//! checks instead of rediscovering the magic string.
//!
//! Checks: a success is non-empty, rectangular and finite, has exactly the size the header
//! promises (shape × dtype size = payload length), and equals the values decoded independently
//! here; `write_npy_f64` of it reads back bit-identically.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sgn_lab::data::npy::{is_npy, read_npy, write_npy_f64, NpyError};

fn wrap(version: u8, header: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut b = b"\x93NUMPY".to_vec();
    match version % 3 {
        0 => {
            b.extend_from_slice(&[1, 0]);
            b.extend_from_slice(&(header.len().min(u16::MAX as usize) as u16).to_le_bytes());
        }
        v => {
            b.extend_from_slice(&[v + 1, 0]);
            b.extend_from_slice(&(header.len() as u32).to_le_bytes());
        }
    }
    b.extend_from_slice(header);
    b.extend_from_slice(payload);
    b
}

fuzz_target!(|data: &[u8]| {
    if data.len() > 8192 || data.is_empty() {
        return;
    }
    let bytes = if data[0] & 1 == 0 {
        data[1..].to_vec()
    } else {
        let rest = &data[2.min(data.len())..];
        let cut = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        let payload = if cut < rest.len() { &rest[cut + 1..] } else { &[][..] };
        wrap(data.get(1).copied().unwrap_or(0), &rest[..cut], payload)
    };
    match read_npy(&bytes) {
        Ok(m) => {
            assert!(is_npy(&bytes));
            let (rows, cols) = m.dim();
            assert!(rows >= 1 && cols >= 1);
            let data = m.as_slice().expect("standard layout");
            assert!(data.iter().all(|x| x.is_finite()));
            // The payload is exactly the last rows·cols·size bytes; decode it independently.
            let n = data.len();
            let as_f8 = bytes.len() >= 8 * n && {
                let tail = &bytes[bytes.len() - 8 * n..];
                tail.chunks_exact(8)
                    .zip(data)
                    .all(|(c, x)| f64::from_le_bytes(c.try_into().unwrap()).to_bits() == x.to_bits())
            };
            let as_f4 = {
                let tail = &bytes[bytes.len() - 4 * n..];
                tail.chunks_exact(4)
                    .zip(data)
                    .all(|(c, x)| (f32::from_le_bytes(c.try_into().unwrap()) as f64).to_bits() == x.to_bits())
            };
            assert!(as_f8 || as_f4, "values are not the file's last bytes");
            let w = write_npy_f64(rows, cols, data);
            assert_eq!(w.len() % 64, (8 * n) % 64, "header padded to 64 bytes");
            let back = read_npy(&w).expect("written .npy reads back");
            assert_eq!(back.dim(), m.dim());
            assert!(back.iter().zip(data).all(|(a, b)| a.to_bits() == b.to_bits()));
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            if let NpyError::Truncated { expected, found, .. } = e {
                assert!(expected > found, "{e:?}");
            }
            if !is_npy(&bytes) {
                assert_eq!(e, NpyError::BadMagic);
            }
        }
    }
});
