//! The library half of the `ajil` binary: configuration and the pipeline
//! that chains the stage crates, exposed so that integration tests can drive
//! a cycle with a chosen clock.
//!
//! The command-line interface lives in `main.rs` and `cmd/`; nothing here
//! parses arguments or prints for users.

pub mod config;
pub mod inspect;
pub mod pipeline;
pub mod retention;
pub mod sources;
pub mod telemetry;
pub mod web_glue;
