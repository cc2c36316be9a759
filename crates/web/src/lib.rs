//! ajil-web (work in progress).
