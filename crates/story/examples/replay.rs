//! Replay placeholder.
fn main() {}
