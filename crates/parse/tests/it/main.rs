//! Integration tests for ajil-parse.
