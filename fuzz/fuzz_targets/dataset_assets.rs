//! The dataset loaders (`DatasetSpec::load` for MNIST at both resolutions, the 8×8 digits, the
//! breast-cancer and wine tables) on arbitrary bytes, then the lab's preparation (seeded split,
//! label noise, random labels, standardisation) with fuzzer-chosen parameters.
//!
//! Input: byte 0 picks the dataset and whether the harness gzips the rest for the image formats
//! (so that the fuzzer works on the SGNI payload instead of on deflate streams); byte 1.. the
//! preparation parameters; the rest is the asset.
//!
//! Checks: a dataset satisfies its own invariants (`validate`, finite features, labels below the
//! class count, the geometry the spec promises, pixels in [0, 255/max_value]); the gzip path and
//! `images::decode_raw` agree; a prepared split has the requested sizes, finite features and
//! valid labels, and standardisation leaves nothing non-finite.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sgn_lab::data::{images, prepare, DataError, Dataset, DatasetSpec, ImageShape, PrepareParams};
use sgn_lab_fuzz::Cursor;
use std::io::Write;

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

fn check_dataset(ds: &Dataset) {
    ds.validate().expect("a loaded dataset is valid");
    assert!(ds.n() >= 1 && ds.d() >= 1 && ds.n_classes >= 2);
    assert_eq!(ds.x().dim(), (ds.n(), ds.d()));
    assert_eq!(ds.features().len(), ds.n() * ds.d());
    assert_eq!(ds.y.len(), ds.n());
    assert!(ds.features().iter().all(|v| v.is_finite()), "non-finite feature in {}", ds.name);
    assert!(ds.y.iter().all(|&y| (y as usize) < ds.n_classes));
}

fuzz_target!(|data: &[u8]| {
    if data.len() > 16384 {
        return;
    }
    let mut c = Cursor::new(data);
    let sel = c.u8();
    let spec = match sel % 5 {
        0 => DatasetSpec::Mnist { downsample: 1 },
        1 => DatasetSpec::Mnist { downsample: 2 },
        2 => DatasetSpec::Digits8x8,
        3 => DatasetSpec::BreastCancer,
        _ => DatasetSpec::Wine,
    };
    let harness_gzip = sel & 0x80 != 0 && matches!(spec, DatasetSpec::Mnist { .. } | DatasetSpec::Digits8x8);
    let n_train = c.range(0, 40);
    let n_test = c.range(0, 40);
    let noise = [0.0, 0.0, 0.2, 0.5, 0.99, 1.0, -0.1, f64::NAN][(c.u8() % 8) as usize];
    let flags = c.u8();
    let seed = c.u64();
    let raw = c.rest();
    let asset = if harness_gzip { gzip(raw) } else { raw.to_vec() };

    let ds = match spec.load(Some(&asset)) {
        Ok(ds) => ds,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            if harness_gzip {
                assert!(
                    !matches!(e, DataError::Gzip(_)),
                    "the harness's own gzip stream was refused: {e}"
                );
            }
            return;
        }
    };
    check_dataset(&ds);
    match &spec {
        DatasetSpec::Mnist { downsample } => {
            let side = 28 / downsample;
            assert_eq!(
                ds.image,
                Some(ImageShape {
                    channels: 1,
                    rows: side,
                    cols: side
                })
            );
            assert_eq!(ds.n_classes, 10);
        }
        DatasetSpec::Digits8x8 => {
            assert!(matches!(ds.image, Some(ImageShape { rows: 8, cols: 8, .. })));
        }
        _ => assert_eq!(ds.image, None),
    }
    if harness_gzip {
        let r = images::decode_raw(raw, "raw").expect("gzip path succeeded, raw must too");
        if spec != (DatasetSpec::Mnist { downsample: 2 }) {
            assert_eq!((r.x(), &r.y), (ds.x(), &ds.y));
        }
        let max_value = u16::from_le_bytes([raw[16], raw[17]]) as f32;
        let top = 255.0 / max_value;
        assert!(
            ds.features().iter().all(|&v| (0.0..=top * (1.0 + 1e-6)).contains(&v)),
            "pixel outside [0, {top}]"
        );
    }

    let p = PrepareParams {
        n_train: (flags & 1 != 0).then_some(n_train),
        n_test: (flags & 2 != 0).then_some(n_test),
        standardize: flags & 4 == 0,
        label_noise: noise,
        random_labels: flags & 8 != 0,
        seed,
    };
    match prepare(&ds, &p) {
        Ok((train, test)) => {
            check_dataset(&train);
            check_dataset(&test);
            let want_train = p.n_train.unwrap_or(ds.n() * 4 / 5);
            assert_eq!(train.n(), want_train);
            assert_eq!(test.n(), p.n_test.unwrap_or(ds.n() - want_train));
            assert!(train.n() + test.n() <= ds.n());
            assert_eq!((train.d(), test.d(), train.n_classes), (ds.d(), ds.d(), ds.n_classes));
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
