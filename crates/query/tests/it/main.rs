//! Queries matched through the real analyzer, as the pipeline does it.

mod real_normalizer;
