//! A serialisable choice of dataset (for presets, the URL state and the CLI), with the asset
//! file it needs. The library never reads files: the caller fetches [`DatasetSpec::asset`] and
//! passes its bytes to [`DatasetSpec::load`].

use super::{images, mnist, synthetic, tabular, DataError, Dataset, PrepareParams};
use serde::{Deserialize, Serialize};

/// Which dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DatasetSpec {
    /// The 10,000-image MNIST subset; `downsample` = 1 (28×28) or 2 (14×14 average-pooled).
    Mnist { downsample: usize },
    /// scikit-learn's 1,797 8×8 digits.
    Digits8x8,
    /// scikit-learn's breast-cancer table (569 × 30, 2 classes), non-image.
    BreastCancer,
    /// scikit-learn's wine table (178 × 13, 3 classes), non-image.
    Wine,
    /// Synthetic Gaussian mixture.
    GaussianMixture(synthetic::MixtureParams),
    /// Synthetic teacher-network labels.
    Teacher(synthetic::TeacherParams),
}

impl Default for DatasetSpec {
    fn default() -> Self {
        DatasetSpec::Mnist { downsample: 1 }
    }
}

impl DatasetSpec {
    /// The file under `assets/` whose bytes [`DatasetSpec::load`] needs (`None` for synthetic data).
    pub fn asset(&self) -> Option<&'static str> {
        match self {
            DatasetSpec::Mnist { .. } => Some("mnist-10k.bin.gz"),
            DatasetSpec::Digits8x8 => Some("digits-8x8.bin.gz"),
            DatasetSpec::BreastCancer => Some("breast-cancer.csv"),
            DatasetSpec::Wine => Some("wine.csv"),
            DatasetSpec::GaussianMixture(_) | DatasetSpec::Teacher(_) => None,
        }
    }

    /// Builds the whole dataset (before any split) from the asset bytes.
    pub fn load(&self, asset_bytes: Option<&[u8]>) -> Result<Dataset, DataError> {
        let need = || {
            asset_bytes.ok_or_else(|| {
                DataError::InvalidParam(format!(
                    "dataset {self:?} needs the bytes of assets/{}",
                    self.asset().unwrap_or("?")
                ))
            })
        };
        match self {
            DatasetSpec::Mnist { downsample } => {
                let ds = mnist::decode(need()?)?;
                match downsample {
                    1 => Ok(ds),
                    2 => images::downsample(&ds, 2),
                    f => Err(DataError::InvalidParam(format!(
                        "MNIST downsampling factor {f} (1 or 2)"
                    ))),
                }
            }
            DatasetSpec::Digits8x8 => images::decode_digits8x8(need()?),
            DatasetSpec::BreastCancer => tabular::decode_breast_cancer(need()?),
            DatasetSpec::Wine => tabular::decode_wine(need()?),
            DatasetSpec::GaussianMixture(p) => synthetic::gaussian_mixture(p),
            DatasetSpec::Teacher(p) => synthetic::teacher(p),
        }
    }

    /// The lab's default split for this dataset: MNIST 8,000 / 2,000; everything else 80 % / 20 %;
    /// standardised, clean labels.
    pub fn default_prepare(&self, seed: u64) -> PrepareParams {
        match self {
            DatasetSpec::Mnist { .. } => mnist::default_prepare(seed),
            _ => PrepareParams {
                seed,
                ..Default::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_round_trips_through_json_and_synthetic_loads_without_bytes() {
        let specs = [
            DatasetSpec::default(),
            DatasetSpec::Wine,
            DatasetSpec::GaussianMixture(synthetic::MixtureParams {
                n: 50,
                d: 3,
                n_classes: 2,
                separation: 1.0,
                seed: 1,
            }),
        ];
        for s in &specs {
            let j = serde_json::to_string(s).unwrap();
            let back: DatasetSpec = serde_json::from_str(&j).unwrap();
            assert_eq!(&back, s, "{j}");
        }
        assert_eq!(specs[2].load(None).unwrap().n(), 50);
        assert!(specs[0].load(None).is_err());
        assert!(DatasetSpec::Mnist { downsample: 3 }.load(Some(&[])).is_err());
    }
}
