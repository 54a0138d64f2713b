//! Datasets and readers.

pub mod text;
