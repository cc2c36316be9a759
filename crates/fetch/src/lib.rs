//! ajil-fetch (work in progress).
