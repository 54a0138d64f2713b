//! Eigenvalues of a symmetric tridiagonal matrix by the implicit QL algorithm with Wilkinson's
//! shift: EISPACK `tql2` (Bowdler, Martin, Reinsch & Wilkinson, "The QR and QL algorithms for
//! symmetric matrices", Numer. Math. 11, 1968, 293–306; Wilkinson & Reinsch, *Handbook for
//! Automatic Computation II*, contribution II/3; Golub & Van Loan, *Matrix Computations*, 4th ed.,
//! §8.3.5), transcribed operation for operation in basic IEEE arithmetic and `sqrt` only (its
//! `pythag` is [`hypot`]), so the same bits on every platform.
//!
//! For each l = 0, 1, …: find the first m ≥ l with |e_m| negligible (tst1 + |e_m| = tst1, tst1
//! the largest |d_i| + |e_i| seen so far: an absolute test against ‖T‖); while m > l, shift by
//! the eigenvalue of the leading 2 × 2 block closer to d_l and chase the bulge from m up to l by
//! plane rotations (c_i, s_i), i = m − 1 … l. Each rotation acts on the eigenvector columns i
//! and i + 1; they are handed to the caller in order (for eigenvalues only, nobody listens).

use crate::spectrum::SpectrumError;

/// QL iterations allowed per eigenvalue (EISPACK's limit).
const MAX_ITER: usize = 30;

/// √(a² + b²) without overflow: w·√(1 + (z/w)²) with w = max(|a|, |b|), z = min (LAPACK
/// `dlapy2`); basic operations and `sqrt` only, so correctly rounded steps on every platform.
pub(super) fn hypot(a: f64, b: f64) -> f64 {
    let (a, b) = (a.abs(), b.abs());
    let (w, z) = if a >= b { (a, b) } else { (b, a) };
    if z == 0.0 {
        w
    } else {
        let r = z / w;
        w * (1.0 + r * r).sqrt()
    }
}

/// |r| with the sign of p (Fortran `dsign`; p = −0 counts as positive).
fn sign(r: f64, p: f64) -> f64 {
    if p >= 0.0 {
        r.abs()
    } else {
        -r.abs()
    }
}

/// Overwrites `d` (the diagonal, n) with the eigenvalues (unsorted) of the symmetric tridiagonal
/// matrix with sub-diagonal `e` (`e[i]` = T_{i+1,i}, i < n − 1; `e` is destroyed), calling
/// `rotation(i, c, s)` for every plane rotation in order: columns i and i + 1 of the eigenvector
/// matrix Z become (c·z_i − s·z_{i+1}, s·z_i + c·z_{i+1}).
pub(super) fn tql2(
    d: &mut [f64],
    e: &mut [f64],
    mut rotation: impl FnMut(usize, f64, f64),
) -> Result<(), SpectrumError> {
    let n = d.len();
    assert_eq!(e.len(), n, "internal: tql2 needs n sub-diagonal slots");
    if n == 0 {
        return Ok(());
    }
    e[n - 1] = 0.0;
    let mut f = 0.0;
    let mut tst1 = 0.0f64;
    for l in 0..n {
        let mut iter = 0;
        let h = d[l].abs() + e[l].abs();
        if tst1 < h {
            tst1 = h;
        }
        // The first negligible sub-diagonal entry at or after l (e[n − 1] = 0 stops the scan).
        let mut m = l;
        while m < n - 1 {
            let tst2 = tst1 + e[m].abs();
            if tst2 == tst1 {
                break;
            }
            m += 1;
        }
        if m > l {
            loop {
                if iter == MAX_ITER {
                    return Err(SpectrumError::Eigen(format!(
                        "the QL iteration did not converge for eigenvalue {} of {n} in {MAX_ITER} steps",
                        l + 1
                    )));
                }
                iter += 1;
                // Shift.
                let l1 = l + 1;
                let g = d[l];
                let mut p = (d[l1] - g) / (2.0 * e[l]);
                let r = hypot(p, 1.0);
                d[l] = e[l] / (p + sign(r, p));
                d[l1] = e[l] * (p + sign(r, p));
                let dl1 = d[l1];
                let h = g - d[l];
                for di in &mut d[l1 + 1..] {
                    *di -= h;
                }
                f += h;
                // QL sweep from m − 1 up to l.
                p = d[m];
                let mut c = 1.0;
                let mut c2 = c;
                let mut c3 = c;
                let el1 = e[l1];
                let mut s = 0.0;
                let mut s2 = 0.0;
                for i in (l..m).rev() {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    let g = c * e[i];
                    let h = c * p;
                    let r = hypot(p, e[i]);
                    e[i + 1] = s * r;
                    s = e[i] / r;
                    c = p / r;
                    p = c * d[i] - s * g;
                    d[i + 1] = h + s * (c * g + s * d[i]);
                    rotation(i, c, s);
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1;
                e[l] = s * p;
                d[l] = c * p;
                let tst2 = tst1 + e[l].abs();
                if tst2 <= tst1 {
                    break;
                }
            }
        }
        d[l] += f;
    }
    Ok(())
}
