//! (lab session: filled when the engine lands)
