//! ajil-parse (work in progress).
