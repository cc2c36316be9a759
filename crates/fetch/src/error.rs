//! The one error type of `ajil-fetch`.

use std::time::Duration;

/// Why a fetch failed. Every message names the URL and what to do next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL could not be parsed or is not http(s).
    #[error("{url:?} is not a valid http(s) URL ({reason}): fix the source's address")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The server answered with an error status.
    #[error("{url} answered HTTP {status}{}: {}", retry_after_note(*retry_after), status_advice(*status))]
    Status {
        /// The URL fetched.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// The body is larger than the configured cap.
    #[error(
        "{url} sent more than {limit} bytes: raise max_bytes if this source is legitimately that large"
    )]
    TooLarge {
        /// The URL fetched.
        url: String,
        /// The cap in bytes.
        limit: u64,
    },
    /// The connect or total timeout elapsed.
    #[error(
        "{url} did not answer within {timeout:?}: will retry later; raise the timeout if the site is always slow"
    )]
    Timeout {
        /// The URL fetched.
        url: String,
        /// The total timeout in force.
        timeout: Duration,
    },
    /// No connection could be made (DNS, refused, TLS).
    #[error(
        "cannot connect to {url} ({reason}): check the host name and that the site is up; will retry later"
    )]
    Connect {
        /// The URL fetched.
        url: String,
        /// The transport's message.
        reason: String,
    },
    /// The redirect chain was longer than allowed or looped.
    #[error("{url} redirects too many times: use the final address of the feed instead")]
    TooManyRedirects {
        /// The URL fetched.
        url: String,
    },
    /// Any other transport failure, such as a connection dropped mid-body.
    #[error("fetching {url} failed ({reason}): will retry later")]
    Transport {
        /// The URL fetched.
        url: String,
        /// The transport's message.
        reason: String,
    },
    /// The HTTP client could not be built (TLS setup).
    #[error("cannot set up the HTTP client ({reason}): check the TLS configuration")]
    Client {
        /// The builder's message.
        reason: String,
    },
}

fn retry_after_note(retry_after: Option<Duration>) -> String {
    retry_after.map_or(String::new(), |d| {
        format!(" (retry after {}s)", d.as_secs())
    })
}

fn status_advice(status: u16) -> &'static str {
    match status {
        404 | 410 => {
            "nothing is at this address any more; if it is a source's, update or remove the source"
        }
        401 | 403 => {
            "access is refused; the site may block crawlers, check the user agent or remove the source"
        }
        429 => "the site rate-limits us; will retry later, lower the fetch frequency",
        500..=599 => "the site has a server error; will retry later",
        _ => "check the source's address",
    }
}

impl FetchError {
    /// Whether trying again later may succeed: timeouts, connection and
    /// transport errors, 5xx, 429 and 408. A 404, 410 or other 4xx will not
    /// fix itself, though the caller should still record it.
    pub fn is_retryable(&self) -> bool {
        match self {
            FetchError::Timeout { .. }
            | FetchError::Connect { .. }
            | FetchError::Transport { .. } => true,
            FetchError::Status { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            FetchError::InvalidUrl { .. }
            | FetchError::TooLarge { .. }
            | FetchError::TooManyRedirects { .. }
            | FetchError::Client { .. } => false,
        }
    }

    /// The delay the server asked for with `Retry-After`, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The URL the error is about, when there is one.
    pub fn url(&self) -> Option<&str> {
        match self {
            FetchError::InvalidUrl { url, .. }
            | FetchError::Status { url, .. }
            | FetchError::TooLarge { url, .. }
            | FetchError::Timeout { url, .. }
            | FetchError::Connect { url, .. }
            | FetchError::TooManyRedirects { url }
            | FetchError::Transport { url, .. } => Some(url),
            FetchError::Client { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_kinds() {
        let status = |s| FetchError::Status {
            url: "u".into(),
            status: s,
            retry_after: None,
        };
        assert!(status(500).is_retryable());
        assert!(status(503).is_retryable());
        assert!(status(429).is_retryable());
        assert!(!status(404).is_retryable());
        assert!(!status(410).is_retryable());
        assert!(!status(403).is_retryable());
        assert!(
            FetchError::Timeout {
                url: "u".into(),
                timeout: Duration::from_secs(1)
            }
            .is_retryable()
        );
        assert!(
            !FetchError::TooLarge {
                url: "u".into(),
                limit: 1
            }
            .is_retryable()
        );
    }

    #[test]
    fn messages_name_the_url_and_advise() {
        let e = FetchError::Status {
            url: "https://ex.org/rss".into(),
            status: 503,
            retry_after: Some(Duration::from_secs(120)),
        };
        assert_eq!(
            e.to_string(),
            "https://ex.org/rss answered HTTP 503 (retry after 120s): the site has a server error; will retry later"
        );
        let e = FetchError::Status {
            url: "https://ex.org/a.html".into(),
            status: 404,
            retry_after: None,
        };
        assert_eq!(
            e.to_string(),
            "https://ex.org/a.html answered HTTP 404: nothing is at this address any more; if it is a source's, update or remove the source"
        );
        let e = FetchError::TooLarge {
            url: "https://ex.org/big".into(),
            limit: 10,
        };
        assert!(
            e.to_string().contains("https://ex.org/big") && e.to_string().contains("max_bytes")
        );
    }
}
