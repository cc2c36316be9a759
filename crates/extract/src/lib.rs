//! ajil-extract (work in progress).
