//! `GET /stories.atom`: the stories page as an Atom feed, with the same
//! filters (`q`, `breaking`, `lang`), so a feed reader can follow breaking
//! news, or one topic, beside the email alerts.

use atom_syndication::{Category, Entry, Feed, Link, Text};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, FixedOffset};

use super::browse::StoriesParams;
use crate::AppState;
use crate::i18n::PageLang;

/// Entries in the feed.
const FEED_STORIES: u32 = 50;
/// How far back the feed looks.
const FEED_DAYS: i64 = 7;

pub(super) async fn stories(
    State(state): State<AppState>,
    lang: PageLang,
    peer: Option<axum::Extension<crate::Peer>>,
    Query(params): Query<StoriesParams>,
) -> Response {
    let lang = lang.lang;
    let q = params.q();
    let query = match q {
        Some(q) => {
            if let Some(axum::Extension(peer)) = &peer
                && !state.search_limiter.allow(peer.0.ip(), state.now())
            {
                return (StatusCode::TOO_MANY_REQUESTS, lang.t("err_too_many")).into_response();
            }
            match ajil_query::Query::parse(q) {
                Ok(query) => Some(query),
                Err(e) => {
                    return (
                        StatusCode::BAD_REQUEST,
                        format!("q does not parse: {e}: write it as a subscription query"),
                    )
                        .into_response();
                }
            }
        }
        None => None,
    };
    let since = state.now() - Duration::days(FEED_DAYS);
    let listed =
        crate::search::listing(&state, query, params.breaking(), since, FEED_STORIES).await;
    let mut stories = match listed {
        Ok((stories, _)) => stories,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    if let Err(e) = state.store.headlines_in(&mut stories, lang.code()).await {
        return crate::error::ApiError::from(e).into_response();
    }

    let base = &state.public_url;
    let filters = params.query_string(lang.code());
    let utc = FixedOffset::east_opt(0).expect("zero offset");
    let entries: Vec<Entry> = stories
        .iter()
        .map(|s| {
            let url = format!("{base}/stories/{}?lang={}", s.id, lang.code());
            let mut summary = format!(
                "{}: {} · {}: {}",
                lang.t("col_outlets"),
                s.outlet_count,
                lang.t("col_independent"),
                s.independent_outlets
            );
            if let Some(at) = s.breaking_at {
                summary += &format!(
                    " · {} {}",
                    lang.t("breaking_since"),
                    at.format("%Y-%m-%d %H:%M UTC")
                );
            }
            Entry {
                title: Text {
                    lang: Some(s.lang.clone()),
                    ..Text::plain(s.title.clone())
                },
                id: format!("{base}/stories/{}", s.id),
                updated: s.last_seen.with_timezone(&utc),
                published: Some(s.first_seen.with_timezone(&utc)),
                links: vec![Link {
                    href: url,
                    rel: "alternate".into(),
                    mime_type: Some("text/html".into()),
                    ..Link::default()
                }],
                categories: vec![Category {
                    term: s.state.as_str().into(),
                    label: Some(lang.t(&format!("state_{}", s.state.as_str())).into()),
                    ..Category::default()
                }],
                summary: Some(Text::plain(summary)),
                ..Entry::default()
            }
        })
        .collect();
    let mut title = lang.t("feed_title").to_string();
    if let Some(q) = q {
        title += &format!(": {q}");
    }
    if params.breaking() {
        title += &format!(" ({})", lang.t("breaking_only_label"));
    }
    let feed = Feed {
        title: Text::plain(title),
        id: format!("{base}/stories.atom?{filters}"),
        updated: stories
            .iter()
            .map(|s| s.last_seen)
            .max()
            .unwrap_or_else(|| state.now())
            .with_timezone(&utc),
        links: vec![
            Link {
                href: format!("{base}/stories.atom?{filters}"),
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Link::default()
            },
            Link {
                href: format!("{base}/stories?{filters}"),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Link::default()
            },
        ],
        lang: Some(lang.code().into()),
        entries,
        ..Feed::default()
    };
    (
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        feed.to_string(),
    )
        .into_response()
}
