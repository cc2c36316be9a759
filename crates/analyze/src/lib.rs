//! ajil-analyze (work in progress).
