//! Integration tests of the `ajil` binary: real processes, a real HTTP server
//! serving feeds and pages, a real SMTP server on loopback, real SQLite.

mod api;
mod bounces;
mod cli;
mod crash;
mod e2e;
mod imap_bounces;
mod pipeline;
mod postfix;
mod postfix_bounces;
mod support;
mod websub;
