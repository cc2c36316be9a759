//! ajil-query (work in progress).
