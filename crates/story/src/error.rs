//! Errors of the story crate.

/// What can go wrong when configuring a [`crate::Clusterer`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StoryError {
    /// LSH banding needs at least one band of at least one row.
    #[error("lsh banding of {bands} bands x {rows} rows is empty: use at least 1 band of 1 row")]
    EmptyBanding {
        /// Bands asked for.
        bands: usize,
        /// Rows per band asked for.
        rows: usize,
    },
    /// A similarity threshold must lie in `0.0..=1.0`.
    #[error("{name} is {value}: use a value between 0.0 and 1.0")]
    ThresholdOutOfRange {
        /// Which option.
        name: &'static str,
        /// The bad value.
        value: f64,
    },
    /// A time span that must be positive is zero or negative.
    #[error("{name} is {minutes} minutes: use a positive duration")]
    NonPositiveDuration {
        /// Which option.
        name: &'static str,
        /// The bad value, in minutes.
        minutes: i64,
    },
    /// Breaking needs more independent outlets than developing, and both at least one.
    #[error(
        "breaking needs {breaking} outlets and developing {developing}: use 1 <= developing <= breaking"
    )]
    OutletCounts {
        /// Outlets for breaking.
        breaking: usize,
        /// Outlets for developing.
        developing: usize,
    },
}
