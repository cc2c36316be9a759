//! Integration tests for ajil-parse: the feedparser corpus and repair fixtures.

mod corpus;
mod fixtures;
mod pages;
