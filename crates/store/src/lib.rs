//! ajil-store (work in progress).
