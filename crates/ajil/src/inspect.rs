//! Checking a URL before it becomes a source: fetched once, it says whether
//! it is a feed, a sitemap index or a web page, and which address to follow.
//! `ajil sources add` and `POST /api/sources` both use it.

use std::time::Duration;

use serde::Serialize;

use crate::config::Config;

/// What a URL turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// An RSS, Atom or JSON feed, or a news sitemap.
    Feed,
    /// A sitemap index: each poll reads its newest sitemaps.
    SitemapIndex,
    /// A web page whose article links each poll follows.
    Page,
    /// A web page that advertises a feed: the feed is what gets added.
    AdvertisedFeed,
    /// The server could not be reached now: added as given.
    Unchecked,
}

/// The outcome of [`inspect`].
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    /// The address to add: the one given, or the feed its page advertises.
    pub url: String,
    /// What the URL is.
    pub kind: SourceKind,
    /// One sentence for the person adding it.
    pub note: String,
    /// Further lines worth showing (other feeds the page advertises).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub more: Vec<String>,
}

/// A client for checks: the configured user agent and size cap, and at most
/// 20 seconds of waiting (someone is waiting for the answer).
pub fn checking_fetcher(config: &Config) -> anyhow::Result<ajil_fetch::Fetcher> {
    use anyhow::Context;
    ajil_fetch::Fetcher::new(ajil_fetch::FetchOptions {
        timeout: config.fetch_timeout.min(Duration::from_secs(20)),
        max_bytes: config.max_page_bytes as u64,
        user_agent: config.user_agent.clone(),
        ..Default::default()
    })
    .context("cannot set up the HTTP client")
}

/// Fetches `url` once and tells what it is. A web page that advertises a feed
/// gives the feed's address unless `keep_page`. A page that offers nothing to
/// follow, or a document ajil cannot read, is an error (the message says what
/// to give instead); a server that cannot be reached now is
/// [`SourceKind::Unchecked`], since it may be back by the next poll.
pub async fn inspect(
    fetcher: &ajil_fetch::Fetcher,
    url: &url::Url,
    keep_page: bool,
) -> Result<Inspection, String> {
    let plain = |kind, note: String| Inspection {
        url: url.to_string(),
        kind,
        note,
        more: Vec::new(),
    };
    let response = match fetcher
        .fetch(url.as_str(), &ajil_fetch::Validators::default())
        .await
    {
        Ok(ajil_fetch::FetchOutcome::Fetched(r)) => r,
        Ok(ajil_fetch::FetchOutcome::NotModified) => {
            return Ok(plain(
                SourceKind::Unchecked,
                format!("{url} answered 304 Not Modified; added as given"),
            ));
        }
        Err(e) => {
            return Ok(plain(
                SourceKind::Unchecked,
                format!(
                    "could not check {url} now ({e}); added as given: its health shows after the next poll"
                ),
            ));
        }
    };
    let doc = ajil_parse::parse_source(
        &response.body,
        response.content_type.as_deref(),
        &response.final_url,
    )
    .map_err(|e| format!("{url} is not a feed ajil can read: {e}"))?;
    match doc {
        ajil_parse::Document::Feed(feed) => {
            let title = feed.title.map(|t| format!(" \"{t}\"")).unwrap_or_default();
            Ok(plain(
                SourceKind::Feed,
                format!("{url}: feed{title} with {} items", feed.items.len()),
            ))
        }
        ajil_parse::Document::SitemapIndex(children) => {
            if children.is_empty() {
                return Err(format!(
                    "{url} is a sitemap index that lists no sitemaps: add one of the site's news sitemaps instead"
                ));
            }
            Ok(plain(
                SourceKind::SitemapIndex,
                format!(
                    "{url}: sitemap index of {} sitemaps; each poll reads the newest",
                    children.len()
                ),
            ))
        }
        ajil_parse::Document::Page(page) => match page.feeds.first() {
            Some(feed) if !keep_page => {
                let feed_url = url::Url::parse(&feed.url)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .ok_or_else(|| {
                        format!(
                            "{url} advertises the feed {:?}, which is not an http(s) address: give the feed's address yourself",
                            feed.url
                        )
                    })?;
                let title = feed
                    .title
                    .as_deref()
                    .map(|t| format!(" \"{t}\""))
                    .unwrap_or_default();
                let mut more: Vec<String> = page
                    .feeds
                    .iter()
                    .skip(1)
                    .map(|other| format!("it also advertises {}", other.url))
                    .collect();
                more.push("(add the page itself to watch its links instead)".into());
                Ok(Inspection {
                    url: feed_url.to_string(),
                    kind: SourceKind::AdvertisedFeed,
                    note: format!(
                        "{url} is a web page that advertises the feed{title} {feed_url}: adding the feed"
                    ),
                    more,
                })
            }
            _ if !page.links.is_empty() => Ok(plain(
                SourceKind::Page,
                format!(
                    "{url}: web page with {} article links; each poll follows the new ones",
                    page.links.len()
                ),
            )),
            Some(feed) => Ok(plain(
                SourceKind::Page,
                format!(
                    "{url}: web page without article links; until it lists some, each poll reads the feed it advertises, {}",
                    feed.url
                ),
            )),
            None => Err(format!(
                "{url} is a web page with no article links or feeds ajil can follow: give the address of a news section page or of the site's RSS feed"
            )),
        },
    }
}
