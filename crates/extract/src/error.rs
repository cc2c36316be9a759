//! The error type of this crate.

/// Why a page could not be extracted.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExtractError {
    /// The input is larger than [`crate::ExtractOptions::max_bytes`].
    #[error("page is {size} bytes, over the {limit}-byte limit: raise max_bytes or skip the page")]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit that was exceeded.
        limit: usize,
    },
    /// The input does not look like HTML (binary data, an image, a PDF, …).
    #[error("input is not html (looks like {sniffed}): check the content type before extracting")]
    NotHtml {
        /// What the sniffer saw instead, e.g. `"pdf"` or `"binary data"`.
        sniffed: &'static str,
    },
}
