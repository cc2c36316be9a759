//! Integration tests for ajil-fetch against a real HTTP server on loopback.

mod server;
