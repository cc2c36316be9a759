//! HTTP fetching for ajil: the I/O edge between a source's URL and the parser.
//!
//! [`Fetcher::fetch`] takes a URL and the [`Validators`] saved from the last
//! fetch and returns either [`FetchOutcome::NotModified`] or the body with the
//! headers the next stages need (`Content-Type` and its charset for
//! `ajil-parse`, `ETag`/`Last-Modified` for the next conditional GET). Bodies
//! are decompressed (gzip, deflate, brotli), capped at
//! [`FetchOptions::max_bytes`] while streaming, and bounded by connect and total
//! timeouts. Failures are [`FetchError`]s that say whether a retry may help;
//! [`backoff`] and [`next_fetch_at`] turn failure counts into a schedule.
//!
//! ```no_run
//! # async fn run() -> Result<(), ajil_fetch::FetchError> {
//! use ajil_fetch::{FetchOptions, FetchOutcome, Fetcher, Validators};
//! let fetcher = Fetcher::new(FetchOptions::default())?;
//! match fetcher.fetch("https://example.org/rss", &Validators::default()).await? {
//!     FetchOutcome::NotModified => {}
//!     FetchOutcome::Fetched(resp) => println!("{} bytes, etag {:?}", resp.body.len(), resp.etag),
//! }
//! # Ok(()) }
//! ```

mod error;
mod schedule;

use std::time::Duration;

use reqwest::header::{self, HeaderMap};

pub use error::FetchError;
pub use schedule::{
    MAX_BACKOFF, adaptive_interval, backoff, backoff_jittered, next_fetch_at, next_fetch_at_with,
    parse_retry_after, retry_at,
};

/// Settings for a [`Fetcher`].
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Total time for one fetch, body included.
    pub timeout: Duration,
    /// Time to establish the connection (DNS, TCP, TLS).
    pub connect_timeout: Duration,
    /// The largest body accepted, after decompression.
    pub max_bytes: u64,
    /// The `User-Agent` header sent.
    pub user_agent: String,
    /// How many redirects to follow before giving up.
    pub max_redirects: usize,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            // News feeds are rarely above 1 MiB; 10 MiB leaves room for the
            // occasional full-content feed without letting a mistake eat memory.
            max_bytes: 10 * 1024 * 1024,
            user_agent: concat!("ajil/", env!("CARGO_PKG_VERSION"), " (news alert reader)")
                .to_string(),
            max_redirects: 5,
        }
    }
}

/// What the last successful fetch of a URL said, for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The `ETag` header, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// The `Last-Modified` header, sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

/// A successful response with its body read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The URL after redirects.
    pub final_url: String,
    /// The HTTP status (2xx).
    pub status: u16,
    /// The `Content-Type` header as sent.
    pub content_type: Option<String>,
    /// The charset named in `Content-Type`, if any.
    pub charset: Option<String>,
    /// The `ETag` header, to store for the next fetch.
    pub etag: Option<String>,
    /// The `Last-Modified` header, to store for the next fetch.
    pub last_modified: Option<String>,
    /// The decompressed body.
    pub body: Vec<u8>,
}

impl Response {
    /// The validators to send on the next fetch of this URL.
    pub fn validators(&self) -> Validators {
        Validators {
            etag: self.etag.clone(),
            last_modified: self.last_modified.clone(),
        }
    }
}

/// The result of a successful fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum FetchOutcome {
    /// The server answered 304: nothing changed since the validators.
    NotModified,
    /// A new body.
    Fetched(Response),
}

/// An HTTP client with ajil's limits; cheap to clone and share.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    options: FetchOptions,
}

impl Fetcher {
    /// Build a fetcher with `options`.
    pub fn new(options: FetchOptions) -> Result<Self, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(options.user_agent.clone())
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .redirect(reqwest::redirect::Policy::limited(options.max_redirects))
            .build()
            .map_err(|e| FetchError::Client {
                reason: e.to_string(),
            })?;
        Ok(Fetcher { client, options })
    }

    /// The options this fetcher was built with.
    pub fn options(&self) -> &FetchOptions {
        &self.options
    }

    /// GET `url`, conditionally on `validators`, reading at most `max_bytes`.
    pub async fn fetch(
        &self,
        url: &str,
        validators: &Validators,
    ) -> Result<FetchOutcome, FetchError> {
        let parsed = url::Url::parse(url).map_err(|e| FetchError::InvalidUrl {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(FetchError::InvalidUrl {
                url: url.to_string(),
                reason: format!("scheme {:?} is not http or https", parsed.scheme()),
            });
        }
        let mut request = self.client.get(parsed);
        if let Some(etag) = &validators.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(since) = &validators.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, since);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| self.transport_error(url, e))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(FetchOutcome::NotModified);
        }
        if !status.is_success() {
            let retry_after = header_str(response.headers(), header::RETRY_AFTER)
                .and_then(|v| parse_retry_after(&v, chrono::Utc::now()));
            return Err(FetchError::Status {
                url: url.to_string(),
                status: status.as_u16(),
                retry_after,
            });
        }
        let too_large = || FetchError::TooLarge {
            url: url.to_string(),
            limit: self.options.max_bytes,
        };
        // A declared length over the cap is refused before reading anything.
        if response
            .content_length()
            .is_some_and(|len| len > self.options.max_bytes)
        {
            return Err(too_large());
        }
        let headers = response.headers().clone();
        let final_url = response.url().to_string();
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(url, e))?
        {
            if (body.len() + chunk.len()) as u64 > self.options.max_bytes {
                // Dropping the response closes the connection mid-body.
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let content_type = header_str(&headers, header::CONTENT_TYPE);
        Ok(FetchOutcome::Fetched(Response {
            final_url,
            status: status.as_u16(),
            charset: content_type.as_deref().and_then(charset_param),
            content_type,
            etag: header_str(&headers, header::ETAG),
            last_modified: header_str(&headers, header::LAST_MODIFIED),
            body,
        }))
    }

    /// POSTs `fields` as an HTML form (`application/x-www-form-urlencoded`)
    /// and returns the status of a 2xx answer (a WebSub subscription request
    /// to a hub, say); any other status is an error.
    pub async fn post_form(&self, url: &str, fields: &[(&str, &str)]) -> Result<u16, FetchError> {
        let parsed = url::Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| FetchError::InvalidUrl {
                url: url.to_string(),
                reason: "not an absolute http(s) URL".into(),
            })?;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let response = self
            .client
            .post(parsed)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| self.transport_error(url, e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(status.as_u16());
        }
        let retry_after = header_str(response.headers(), header::RETRY_AFTER)
            .and_then(|v| parse_retry_after(&v, chrono::Utc::now()));
        Err(FetchError::Status {
            url: url.to_string(),
            status: status.as_u16(),
            retry_after,
        })
    }

    fn transport_error(&self, url: &str, e: reqwest::Error) -> FetchError {
        let url = url.to_string();
        if e.is_timeout() {
            FetchError::Timeout {
                url,
                timeout: self.options.timeout,
            }
        } else if e.is_redirect() {
            FetchError::TooManyRedirects { url }
        } else if e.is_connect() {
            FetchError::Connect {
                url,
                reason: error_chain(&e),
            }
        } else {
            FetchError::Transport {
                url,
                reason: error_chain(&e),
            }
        }
    }
}

/// reqwest's top-level message is generic ("error sending request"); the
/// cause chain holds the useful part ("connection refused").
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The `charset` parameter of a `Content-Type` value, unquoted.
fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| {
                value
                    .trim()
                    .trim_matches(|c| c == '"' || c == '\'')
                    .trim()
                    .to_string()
            })
            .filter(|v| !v.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charset_is_read_from_content_type() {
        assert_eq!(
            charset_param("text/xml; charset=\"windows-1256\"").as_deref(),
            Some("windows-1256")
        );
        assert_eq!(
            charset_param("application/rss+xml;Charset=UTF-8").as_deref(),
            Some("UTF-8")
        );
        assert_eq!(charset_param("text/xml"), None);
        assert_eq!(charset_param("text/xml; charset="), None);
    }

    #[tokio::test]
    async fn bad_urls_are_rejected_before_any_io() {
        let f = Fetcher::new(FetchOptions::default()).unwrap();
        let err = f
            .fetch("not a url", &Validators::default())
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::InvalidUrl { .. }), "{err:?}");
        let err = f
            .fetch("ftp://ex.org/feed", &Validators::default())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("ftp://ex.org/feed"), "{err}");
        assert!(!err.is_retryable());
    }
}
