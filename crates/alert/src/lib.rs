//! ajil-alert (work in progress).
