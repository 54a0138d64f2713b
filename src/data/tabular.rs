//! Non-image tables as CSV bytes: a header line, then one sample per line with the features
//! first and the integer class label in the last column (`scripts/make_sklearn_assets.py`
//! writes scikit-learn's breast-cancer and wine tables this way). Parsing reuses
//! [`super::text::parse_matrix`].

use super::{text, DataError, Dataset};

/// Decodes a CSV table whose last column is the class label (0..K−1, K inferred as max + 1).
pub fn decode_csv(bytes: &[u8], name: &str) -> Result<Dataset, DataError> {
    let s = std::str::from_utf8(bytes).map_err(|e| DataError::Csv(format!("not UTF-8: {e}")))?;
    let m = text::parse_matrix(s).map_err(|e| DataError::Csv(e.to_string()))?;
    let (rows, cols) = m.dim();
    if cols < 2 {
        return Err(DataError::Csv(
            "need at least one feature column and a label column".into(),
        ));
    }
    let d = cols - 1;
    let mut x = Vec::with_capacity(rows * d);
    let mut y = Vec::with_capacity(rows);
    for (i, r) in m.rows().into_iter().enumerate() {
        let lab = r[d];
        if lab < 0.0 || lab.fract() != 0.0 || lab > 65_535.0 {
            return Err(DataError::Csv(format!(
                "row {}: label {lab} is not a class index",
                i + 1
            )));
        }
        for &v in r.iter().take(d) {
            let f = v as f32;
            if !f.is_finite() {
                return Err(DataError::NonFinite {
                    index: i,
                    feature: x.len() - i * d,
                });
            }
            x.push(f);
        }
        y.push(lab as u32);
    }
    let k = y.iter().copied().max().unwrap_or(0) as usize + 1;
    Dataset::new(name, d, k.max(2), x, y, None)
}

/// scikit-learn's breast-cancer table (`assets/breast-cancer.csv`: 569 × 30, 2 classes).
pub fn decode_breast_cancer(bytes: &[u8]) -> Result<Dataset, DataError> {
    decode_csv(bytes, "breast-cancer")
}

/// scikit-learn's wine table (`assets/wine.csv`: 178 × 13, 3 classes).
pub fn decode_wine(bytes: &[u8]) -> Result<Dataset, DataError> {
    decode_csv(bytes, "wine")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_header() {
        let ds = decode_csv(b"a,b,label\n1,2,0\n3,4.5,2\n", "t").unwrap();
        assert_eq!((ds.n(), ds.d(), ds.n_classes), (2, 2, 3));
        assert_eq!(ds.x(), ndarray::array![[1.0, 2.0], [3.0, 4.5]]);
        assert!(decode_csv(b"a,label\n1,0.5\n", "t").is_err());
        assert!(decode_csv(b"a,label\n1,-1\n", "t").is_err());
        assert!(decode_csv(b"", "t").is_err());
        // A feature beyond f32 is named by its column (it was always reported as feature 0).
        assert_eq!(
            decode_csv(b"a,b,label\n1,2,0\n1,1e39,1\n", "t"),
            Err(DataError::NonFinite { index: 1, feature: 1 })
        );
    }
}
