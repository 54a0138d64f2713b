//! Synthetic datasets, every draw from `substream(seed, streams::SYNTHETIC)`.
