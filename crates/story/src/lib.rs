//! ajil-story (work in progress).
