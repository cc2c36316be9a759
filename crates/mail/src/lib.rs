//! ajil-mail (work in progress).
