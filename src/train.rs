//! Minibatch SGD trainer (filled by the engine issue).
