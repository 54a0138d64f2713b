//! The one place the subcommands read their FILE argument: a path, or `-` for standard input
//! (read whole, as bytes, so `.npy` arrays can be piped as well as text). Every error is a
//! bad-input [`CliError`] naming the source ("stdin" for `-`).

use crate::CliError;
use ndarray::Array2;
use sgn_lab::data::{npy, text};

/// The FILE argument that reads standard input.
pub const STDIN: &str = "-";

/// How messages name the source: `stdin` for `-`, else the path.
pub fn source_name(file: &str) -> &str {
    if file == STDIN {
        "stdin"
    } else {
        file
    }
}

/// The bytes of FILE, or of standard input for `-`.
pub fn read_bytes(file: &str) -> Result<Vec<u8>, CliError> {
    use std::io::Read;
    if file == STDIN {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::input(format!("cannot read stdin: {e}")))?;
        Ok(bytes)
    } else {
        std::fs::read(file).map_err(|e| CliError::input(format!("cannot read {file}: {e}")))
    }
}

/// FILE (or stdin for `-`) as UTF-8 text.
pub fn read_text(file: &str) -> Result<String, CliError> {
    String::from_utf8(read_bytes(file)?).map_err(|_| CliError::input(format!("{}: not UTF-8 text", source_name(file))))
}

/// A matrix from FILE (or stdin for `-`): a `.npy` array (recognised by its magic bytes;
/// float32/float64, C order, 1-D or 2-D) or text (one row per line, whitespace or commas,
/// `#` comments, an optional header line).
pub fn read_matrix(file: &str) -> Result<Array2<f64>, CliError> {
    let bytes = read_bytes(file)?;
    let name = source_name(file);
    if npy::is_npy(&bytes) {
        return npy::read_npy(&bytes).map_err(|e| CliError::input(format!("{name}: {e}")));
    }
    let s =
        std::str::from_utf8(&bytes).map_err(|_| CliError::input(format!("{name}: not text (and not a .npy file)")))?;
    text::parse_matrix(s).map_err(|e| CliError::input(format!("{name}: {e}")))
}

/// A sample of numbers from FILE (or stdin for `-`): a `.npy` array (all its values, row by
/// row) or text (numbers separated by whitespace, commas or newlines, `#` comments).
pub fn read_numbers(file: &str) -> Result<Vec<f64>, CliError> {
    let bytes = read_bytes(file)?;
    let name = source_name(file);
    if npy::is_npy(&bytes) {
        return npy::read_npy(&bytes)
            .map(|m| m.into_raw_vec_and_offset().0) // standard layout: the row-major values
            .map_err(|e| CliError::input(format!("{name}: {e}")));
    }
    let s =
        std::str::from_utf8(&bytes).map_err(|_| CliError::input(format!("{name}: not text (and not a .npy file)")))?;
    text::parse_numbers(s).map_err(CliError::input)
}
