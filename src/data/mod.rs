//! Datasets and readers.

pub mod npy;
pub mod text;
