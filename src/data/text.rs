//! Readers for numbers typed or pasted as text, shared by the CLI and the page:
//! a flat list of numbers (`sgn-lab powerlaw`, `sgn-lab normality`) and a matrix with one
//! sample per line (`sgn-lab spectrum`, "analyze your own gradients" with a `.csv`).
//!
//! Separators are whitespace and commas; `#` starts a comment to the end of the line.
//! Errors name the offending token and its 1-based line, and non-finite values are refused
//! (NaN and ±inf have no meaning for the tests downstream).

use ndarray::Array2;
use std::fmt;

/// Why a text could not be read as numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum TextError {
    /// The input held no number at all.
    Empty,
    /// A token that does not parse as a number.
    NotANumber { token: String, line: usize },
    /// NaN, inf or a number too large for f64.
    NonFinite { token: String, line: usize },
    /// A matrix row whose length differs from the first row's.
    Ragged { line: usize, expected: usize, found: usize },
    /// More than `limit` values ([`parse_matrix_max`]); refused at the first value past it.
    TooMany { limit: usize, line: usize },
    /// The values do not form a matrix ndarray can hold (more elements than `isize::MAX`).
    Shape(String),
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextError::Empty => write!(f, "no numbers in the input"),
            TextError::NotANumber { token, line } => {
                write!(f, "line {line}: '{}' is not a number", shorten(token))
            }
            TextError::NonFinite { token, line } => write!(
                f,
                "line {line}: '{}' is not a finite number (NaN and infinities are not allowed)",
                shorten(token)
            ),
            TextError::Ragged { line, expected, found } => write!(
                f,
                "line {line}: row has {found} columns but the first row has {expected}"
            ),
            TextError::TooMany { limit, line } => write!(f, "line {line}: more than {limit} values (the limit)"),
            TextError::Shape(e) => write!(f, "not a matrix: {e}"),
        }
    }
}

impl std::error::Error for TextError {}

fn shorten(token: &str) -> String {
    const MAX: usize = 40;
    if token.chars().count() <= MAX {
        token.to_string()
    } else {
        format!("{}…", token.chars().take(MAX).collect::<String>())
    }
}

fn tokens(line: &str) -> impl Iterator<Item = &str> {
    let line = line.split('#').next().unwrap_or("");
    line.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
}

fn parse_token(token: &str, line: usize) -> Result<f64, TextError> {
    let v: f64 = token.parse().map_err(|_| TextError::NotANumber {
        token: token.to_string(),
        line,
    })?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(TextError::NonFinite {
            token: token.to_string(),
            line,
        })
    }
}

/// Parses every number in `text`, in order, whatever the line structure.
pub fn parse_numbers(text: &str) -> Result<Vec<f64>, TextError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for t in tokens(line) {
            out.push(parse_token(t, i + 1)?);
        }
    }
    if out.is_empty() {
        return Err(TextError::Empty);
    }
    Ok(out)
}

/// Parses one matrix row per non-empty line into a `rows × cols` array (standard layout). A
/// first line made only of non-numeric tokens (a CSV header such as `p0,p1,p2`) is skipped. No
/// limit on the size: see [`parse_matrix_max`].
pub fn parse_matrix(text: &str) -> Result<Array2<f64>, TextError> {
    parse_matrix_max(text, usize::MAX)
}

/// [`parse_matrix`] holding at most `max_values` numbers: the value past the limit is refused
/// with [`TextError::TooMany`] before it is stored, and the buffer never grows past the limit
/// (capacity ≤ `max_values` f64, grown by doubling up to it), so a too-large input allocates at
/// most `8 · max_values` bytes (`16 ·` during a reallocation's copy) plus the parsed matrix. Tokens are parsed
/// straight into the matrix (no per-line token list).
pub fn parse_matrix_max(text: &str, max_values: usize) -> Result<Array2<f64>, TextError> {
    let mut data: Vec<f64> = Vec::new();
    let mut cols = 0usize;
    let mut rows = 0usize;
    let mut seen_content = false;
    for (i, line) in text.lines().enumerate() {
        if tokens(line).next().is_none() {
            continue;
        }
        if !seen_content {
            seen_content = true;
            if tokens(line).all(|t| t.parse::<f64>().is_err()) {
                continue; // header row
            }
        }
        let before = data.len();
        for t in tokens(line) {
            if data.len() >= max_values {
                return Err(TextError::TooMany {
                    limit: max_values,
                    line: i + 1,
                });
            }
            let v = parse_token(t, i + 1)?;
            if data.len() == data.capacity() {
                let grow = data.capacity().max(64).min(max_values - data.len());
                data.reserve_exact(grow);
            }
            data.push(v);
        }
        let found = data.len() - before;
        if rows == 0 {
            cols = found;
        } else if found != cols {
            return Err(TextError::Ragged {
                line: i + 1,
                expected: cols,
                found,
            });
        }
        rows += 1;
    }
    if rows == 0 {
        return Err(TextError::Empty);
    }
    // The parsed buffer becomes the array (no copy); rows · cols = data.len() by construction.
    Array2::from_shape_vec((rows, cols), data).map_err(|e| TextError::Shape(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_mixed_separators_and_comments() {
        let v = parse_numbers("1, 2\n3\t4.5e1 # comment 99\n\n-0.5").unwrap();
        assert_eq!(v, vec![1.0, 2.0, 3.0, 45.0, -0.5]);
    }

    #[test]
    fn bad_token_is_named_with_its_line() {
        let e = parse_numbers("1 2\n3 x7 4").unwrap_err();
        assert_eq!(
            e,
            TextError::NotANumber {
                token: "x7".into(),
                line: 2
            }
        );
        assert_eq!(e.to_string(), "line 2: 'x7' is not a number");
    }

    #[test]
    fn non_finite_and_empty_are_refused() {
        assert!(matches!(
            parse_numbers("1 nan"),
            Err(TextError::NonFinite { line: 1, .. })
        ));
        assert!(matches!(parse_numbers("inf"), Err(TextError::NonFinite { .. })));
        assert!(matches!(parse_numbers("1e999"), Err(TextError::NonFinite { .. })));
        assert_eq!(parse_numbers(" \n# only a comment\n"), Err(TextError::Empty));
    }

    #[test]
    fn matrix_with_header_and_ragged_rows() {
        let m = parse_matrix("a,b,c\n1,2,3\n4,5,6\n").unwrap();
        assert_eq!(m.dim(), (2, 3));
        assert_eq!(m.row(1).to_slice(), Some(&[4.0, 5.0, 6.0][..]));
        let e = parse_matrix("1 2 3\n4 5\n").unwrap_err();
        assert_eq!(
            e,
            TextError::Ragged {
                line: 2,
                expected: 3,
                found: 2
            }
        );
    }

    #[test]
    fn matrix_limit_counts_values_not_lines() {
        assert_eq!(
            parse_matrix_max("h1,h2\n1,2\n3,4\n", 4).unwrap(),
            ndarray::array![[1.0, 2.0], [3.0, 4.0]]
        );
        let e = parse_matrix_max("1,2\n3,4\n5,6\n", 5).unwrap_err();
        assert_eq!(e, TextError::TooMany { limit: 5, line: 3 });
        assert_eq!(e.to_string(), "line 3: more than 5 values (the limit)");
    }
}
