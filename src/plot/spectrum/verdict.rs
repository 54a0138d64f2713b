//! The verdict table row of a spectrum fit in the paper's format (the sibling paper's Table B
//! columns: K, d_ks, d_c, power law, β̂ ± σ, ŝ) as display strings.

use crate::spectrum::SpectrumFit;
use serde::{Deserialize, Serialize};

/// One row of the verdict table in the paper's format (sibling paper's Table B columns), as
/// display strings: `d_ks`, `d_c`, "Yes"/"No", `β̂ ± σ`, `ŝ`, and a note ("flat" when ŝ < 0.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerdictRow {
    /// What was fitted (e.g. "FCN MNIST, epoch 10, B = 128" or "Gaussian baseline").
    pub label: String,
    pub k: String,
    pub ks_d: String,
    pub ks_critical: String,
    pub power_law: String,
    pub beta: String,
    pub s: String,
    pub note: String,
}

impl VerdictRow {
    /// Column headers, in order.
    pub const HEADERS: [&'static str; 8] = ["", "K", "d_ks", "d_c", "Power-law", "β̂ ± σ", "ŝ", ""];

    /// The row for a fit.
    pub fn new(label: impl Into<String>, fit: &SpectrumFit) -> Self {
        VerdictRow {
            label: label.into(),
            k: if fit.skip > 0 {
                format!("{} (skip {})", fit.k, fit.skip)
            } else {
                fit.k.to_string()
            },
            ks_d: format!("{:.4}", fit.ks_d),
            ks_critical: format!("{:.4}", fit.ks_critical),
            power_law: if fit.power_law { "Yes" } else { "No" }.to_string(),
            beta: format!("{:.3} ± {:.3}", fit.beta, fit.beta_stderr),
            s: format!("{:.3}", fit.s),
            note: if fit.is_flat() {
                "flat (ŝ < 0.3): not a meaningful power law".to_string()
            } else {
                String::new()
            },
        }
    }

    /// The cells in [`Self::HEADERS`] order.
    pub fn cells(&self) -> [&str; 8] {
        [
            &self.label,
            &self.k,
            &self.ks_d,
            &self.ks_critical,
            &self.power_law,
            &self.beta,
            &self.s,
            &self.note,
        ]
    }
}
