//! The `articles` table: every fetched article, unique per (source, guid).

use ajil_model::{Article, ArticleId, SourceId, StoryId};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, ts};

/// An article to insert; the store assigns its id.
#[derive(Debug, Clone, PartialEq)]
pub struct NewArticle {
    /// The source it came from.
    pub source_id: SourceId,
    /// The item's guid (or its URL when the feed has none); unique per source.
    pub guid: String,
    /// Link to the page.
    pub url: String,
    /// Canonical URL when known.
    pub canonical_url: Option<String>,
    /// Title.
    pub title: String,
    /// Body text.
    pub text: String,
    /// Feed summary, plain text.
    pub summary: Option<String>,
    /// Language code.
    pub lang: String,
    /// Publication time (fetch time when the source gives none).
    pub published: DateTime<Utc>,
    /// When ajil fetched it.
    pub fetched_at: DateTime<Utc>,
    /// Author.
    pub author: Option<String>,
    /// Wire agency.
    pub wire: Option<String>,
    /// The section (feed category) it ran in, such as "sport".
    pub section: Option<String>,
    /// Hash of the normalized body (stored as the same 64 bits in an `i64`).
    pub content_hash: u64,
    /// The analysis as JSON (keys, minhash, …); the store does not read it.
    pub analysis: String,
}

/// An article as stored, with its story and the source's name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredArticle {
    /// Store id.
    pub id: ArticleId,
    /// The source it came from.
    pub source_id: SourceId,
    /// The source's display name.
    pub source_name: String,
    /// Guid within the source.
    pub guid: String,
    /// Link to the page.
    pub url: String,
    /// Canonical URL when known.
    pub canonical_url: Option<String>,
    /// Title.
    pub title: String,
    /// Body text.
    pub text: String,
    /// Feed summary.
    pub summary: Option<String>,
    /// Language code.
    pub lang: String,
    /// Publication time.
    pub published: DateTime<Utc>,
    /// Fetch time.
    pub fetched_at: DateTime<Utc>,
    /// Author.
    pub author: Option<String>,
    /// Wire agency.
    pub wire: Option<String>,
    /// Hash of the normalized body.
    pub content_hash: u64,
    /// The analysis JSON as inserted.
    pub analysis: String,
    /// The story it belongs to, once clustered.
    pub story_id: Option<StoryId>,
    /// The earlier article it is an exact copy of, if any.
    pub copy_of: Option<ArticleId>,
    /// When its text, summary and analysis were dropped under the retention
    /// policy ([`Store::prune_articles`]); `None` while it keeps them.
    pub pruned_at: Option<DateTime<Utc>>,
}

impl StoredArticle {
    /// The pipeline's view of this article.
    pub fn to_article(&self) -> Article {
        Article {
            id: self.id,
            source_id: self.source_id,
            source_name: self.source_name.clone(),
            url: self.url.clone(),
            canonical_url: self.canonical_url.clone(),
            title: self.title.clone(),
            text: self.text.clone(),
            lang: self.lang.clone(),
            published: self.published,
            author: self.author.clone(),
            wire: self.wire.clone(),
        }
    }
}

const SELECT: &str = "SELECT a.id, a.source_id, s.name AS source_name, a.guid, a.url, \
     a.canonical_url, a.title, a.text, a.summary, a.lang, a.published, a.fetched_at, a.author, \
     a.wire, a.content_hash, a.analysis, a.story_id, a.copy_of, a.pruned_at \
     FROM articles a JOIN sources s ON s.id = a.source_id";

/// A stored article as the story index reads it at start-up: everything but the
/// text, title and feed fields, from [`Store::index_articles`].
#[derive(Debug, Clone, PartialEq)]
pub struct IndexArticle {
    /// Store id.
    pub id: ArticleId,
    /// Display name of its source (the outlet).
    pub source_name: String,
    /// Link to the page.
    pub url: String,
    /// Canonical URL when known.
    pub canonical_url: Option<String>,
    /// Publication time.
    pub published: DateTime<Utc>,
    /// Wire agency.
    pub wire: Option<String>,
    /// The section (feed category) it ran in.
    pub section: Option<String>,
    /// Hash of the normalized body.
    pub content_hash: u64,
    /// The analysis as JSON, as stored.
    pub analysis: String,
    /// Its story, once the clusterer placed it.
    pub story_id: Option<StoryId>,
    /// It joined its story as an angle ([`Store::mark_angles`]).
    pub angle: bool,
}

fn from_row(row: &AnyRow) -> Result<StoredArticle> {
    Ok(StoredArticle {
        id: ArticleId(row.try_get("id")?),
        source_id: SourceId(row.try_get("source_id")?),
        source_name: row.try_get("source_name")?,
        guid: row.try_get("guid")?,
        url: row.try_get("url")?,
        canonical_url: row.try_get("canonical_url")?,
        title: row.try_get("title")?,
        text: row.try_get("text")?,
        summary: row.try_get("summary")?,
        lang: row.try_get("lang")?,
        published: crate::time(row, "published")?,
        fetched_at: crate::time(row, "fetched_at")?,
        author: row.try_get("author")?,
        wire: row.try_get("wire")?,
        // The same 64 bits: SQLite integers are signed.
        content_hash: row.try_get::<i64, _>("content_hash")? as u64,
        analysis: row.try_get("analysis")?,
        story_id: row.try_get::<Option<i64>, _>("story_id")?.map(StoryId),
        copy_of: row.try_get::<Option<i64>, _>("copy_of")?.map(ArticleId),
        pruned_at: crate::time_opt(row, "pruned_at")?,
    })
}

impl Store {
    /// Inserts an article; `None` if the source already has one with that
    /// guid, so that polling the same feed again inserts nothing.
    pub async fn insert_article(&self, a: &NewArticle) -> Result<Option<ArticleId>> {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO articles (source_id, guid, url, canonical_url, title, text, summary, \
             lang, published, fetched_at, author, wire, content_hash, analysis, section) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
             ON CONFLICT (source_id, guid) DO NOTHING RETURNING id",
        )
        .bind(a.source_id.0)
        .bind(&a.guid)
        .bind(&a.url)
        .bind(&a.canonical_url)
        .bind(&a.title)
        .bind(&a.text)
        .bind(&a.summary)
        .bind(&a.lang)
        .bind(ts(a.published))
        .bind(ts(a.fetched_at))
        .bind(&a.author)
        .bind(&a.wire)
        .bind(a.content_hash as i64)
        .bind(&a.analysis)
        .bind(&a.section)
        .fetch_optional(&self.pool)
        .await?;
        Ok(id.map(ArticleId))
    }

    /// Whether the source already has an article with that guid (lets the
    /// pipeline skip fetching pages it has).
    pub async fn article_exists(&self, source_id: SourceId, guid: &str) -> Result<bool> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM articles WHERE source_id = $1 AND guid = $2")
                .bind(source_id.0)
                .bind(guid)
                .fetch_one(&self.pool)
                .await?;
        Ok(n > 0)
    }

    /// One article; [`StoreError::NotFound`] if absent.
    pub async fn get_article(&self, id: ArticleId) -> Result<StoredArticle> {
        let row = sqlx::query(&format!("{SELECT} WHERE a.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound {
                what: "article",
                id: id.0,
            })?;
        from_row(&row)
    }

    /// Records the story the clusterer put the article in, and the article it
    /// copies (if it is an exact copy).
    pub async fn set_article_story(
        &self,
        id: ArticleId,
        story_id: StoryId,
        copy_of: Option<ArticleId>,
    ) -> Result<()> {
        let done = sqlx::query("UPDATE articles SET story_id = $1, copy_of = $2 WHERE id = $3")
            .bind(story_id.0)
            .bind(copy_of.map(|c| c.0))
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "article",
                id: id.0,
            });
        }
        Ok(())
    }

    /// Marks every article of story `story` an angle: a story swept into another as
    /// that one turned breaking (`ajil_story::Assignment::swept`), before it is merged
    /// with [`Store::merge_stories`]. Returns how many articles it marked.
    pub async fn mark_angles(&self, story: StoryId) -> Result<u64> {
        let done = sqlx::query("UPDATE articles SET angle = 1 WHERE story_id = $1")
            .bind(story.0)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Articles published at or after `since`, oldest first (by published
    /// time, then id): the input for rebuilding the story index at start-up.
    pub async fn articles_since(&self, since: DateTime<Utc>) -> Result<Vec<StoredArticle>> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE a.published >= $1 ORDER BY a.published, a.id"
        ))
        .bind(ts(since))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// The newest `limit` articles published at or after `since`, newest
    /// first: what a query is tried on before it is saved.
    pub async fn recent_articles(
        &self,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<StoredArticle>> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE a.published >= $1 ORDER BY a.published DESC, a.id DESC LIMIT $2"
        ))
        .bind(ts(since))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// How many articles of `source` were published at or after `since`: how
    /// often the source publishes, which sets how often it is polled.
    pub async fn count_source_articles_since(
        &self,
        source: SourceId,
        since: DateTime<Utc>,
    ) -> Result<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM articles WHERE source_id = $1 AND published >= $2",
        )
        .bind(source.0)
        .bind(ts(since))
        .fetch_one(&self.pool)
        .await?;
        Ok(n.max(0) as u64)
    }

    /// Articles with an id above `after_id` published at or after `since`,
    /// oldest first: what another process stored since the story index last
    /// looked.
    pub async fn articles_after(
        &self,
        after_id: ArticleId,
        since: DateTime<Utc>,
    ) -> Result<Vec<StoredArticle>> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE a.id > $1 AND a.published >= $2 ORDER BY a.published, a.id"
        ))
        .bind(after_id.0)
        .bind(ts(since))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// One page of the articles with an id above `after_id` published at or after
    /// `since`, oldest first (by published time, then id), without their text:
    /// what the story index needs to rebuild itself. Pass the last article of a page
    /// as `from` to get the next one; an empty page is the end.
    pub async fn index_articles(
        &self,
        after_id: ArticleId,
        since: DateTime<Utc>,
        from: Option<(DateTime<Utc>, ArticleId)>,
        limit: u32,
    ) -> Result<Vec<IndexArticle>> {
        let (from_time, from_id) = from.unwrap_or((since, ArticleId(i64::MIN)));
        let rows = sqlx::query(
            "SELECT a.id, s.name AS source_name, a.url, a.canonical_url, a.published, \
             a.wire, a.section, a.content_hash, a.analysis, a.story_id, a.angle \
             FROM articles a JOIN sources s ON s.id = a.source_id \
             WHERE a.id > $1 AND a.published >= $2 \
             AND (a.published > $3 OR (a.published = $4 AND a.id > $5)) \
             ORDER BY a.published, a.id LIMIT $6",
        )
        .bind(after_id.0)
        .bind(ts(since))
        .bind(ts(from_time))
        .bind(ts(from_time))
        .bind(from_id.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(IndexArticle {
                    id: ArticleId(row.try_get("id")?),
                    source_name: row.try_get("source_name")?,
                    url: row.try_get("url")?,
                    canonical_url: row.try_get("canonical_url")?,
                    published: crate::time(row, "published")?,
                    wire: row.try_get("wire")?,
                    section: row.try_get("section")?,
                    content_hash: row.try_get::<i64, _>("content_hash")? as u64,
                    analysis: row.try_get("analysis")?,
                    story_id: row.try_get::<Option<i64>, _>("story_id")?.map(StoryId),
                    angle: row.try_get::<i64, _>("angle")? != 0,
                })
            })
            .collect()
    }

    /// The highest article id, if any article is stored.
    pub async fn max_article_id(&self) -> Result<Option<ArticleId>> {
        let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM articles")
            .fetch_one(&self.pool)
            .await?;
        Ok(id.map(ArticleId))
    }

    /// Every article of a story, oldest first.
    pub async fn story_articles(&self, story_id: StoryId) -> Result<Vec<StoredArticle>> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE a.story_id = $1 ORDER BY a.published, a.id"
        ))
        .bind(story_id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::time::Duration;

    pub(crate) fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
    }

    /// A store of each backend with one source, "A".
    pub(crate) async fn stores_with_source()
    -> Vec<(Store, crate::Source, Option<crate::testing::Scratch>)> {
        let mut out = Vec::new();
        for (s, scratch) in crate::testing::stores().await {
            let src = s
                .add_source("https://a.example/rss", "A", Duration::from_secs(60), t(0))
                .await
                .unwrap();
            out.push((s, src, scratch));
        }
        out
    }

    pub(crate) fn article(source_id: SourceId, guid: &str, published: i64) -> NewArticle {
        NewArticle {
            source_id,
            guid: guid.into(),
            url: format!("https://example.org/{guid}"),
            canonical_url: None,
            title: format!("عنوان {guid}"),
            text: "نص الخبر".into(),
            summary: None,
            lang: "ar".into(),
            published: t(published),
            fetched_at: t(published + 5),
            author: None,
            wire: Some("AFP".into()),
            section: Some("middleEast".into()),
            content_hash: u64::MAX - 1,
            analysis: r#"{"keys":["خبر"]}"#.into(),
        }
    }

    #[tokio::test]
    async fn insert_is_idempotent_per_source_and_guid() {
        for (s, _scratch) in crate::testing::stores().await {
            let a = s
                .add_source("https://a.example/rss", "A", Duration::from_secs(60), t(0))
                .await
                .unwrap();
            let b = s
                .add_source("https://b.example/rss", "B", Duration::from_secs(60), t(0))
                .await
                .unwrap();
            let first = s.insert_article(&article(a.id, "g1", 10)).await.unwrap();
            assert!(first.is_some());
            assert_eq!(
                s.insert_article(&article(a.id, "g1", 10)).await.unwrap(),
                None
            );
            // The same guid from another source is another article.
            assert!(
                s.insert_article(&article(b.id, "g1", 10))
                    .await
                    .unwrap()
                    .is_some()
            );
            assert!(s.article_exists(a.id, "g1").await.unwrap());
            assert!(!s.article_exists(a.id, "g2").await.unwrap());

            let got = s.get_article(first.unwrap()).await.unwrap();
            assert_eq!(
                got.content_hash,
                u64::MAX - 1,
                "u64 survives the i64 column"
            );
            assert_eq!(got.source_name, "A");
            assert_eq!(got.to_article().title, "عنوان g1");
        }
    }

    #[tokio::test]
    async fn a_swept_story_keeps_its_articles_marked_as_angles_through_the_merge() {
        for (s, a, _scratch) in stores_with_source().await {
            let mut ids = Vec::new();
            for (guid, at, story) in [
                ("r1", 100, 3),
                ("r2", 110, 3),
                ("lone", 120, 4),
                ("x", 130, 5),
            ] {
                let id = s
                    .insert_article(&article(a.id, guid, at))
                    .await
                    .unwrap()
                    .unwrap();
                s.set_article_story(id, StoryId(story), None).await.unwrap();
                ids.push(id);
            }
            // Story 4 swept into story 3 as it turned breaking.
            assert_eq!(s.mark_angles(StoryId(4)).await.unwrap(), 1);
            s.merge_stories(StoryId(4), StoryId(3)).await.unwrap();
            let page = s
                .index_articles(ArticleId(0), t(0), None, 10)
                .await
                .unwrap();
            let got: Vec<(ArticleId, Option<StoryId>, bool)> =
                page.iter().map(|x| (x.id, x.story_id, x.angle)).collect();
            assert_eq!(
                got,
                vec![
                    (ids[0], Some(StoryId(3)), false),
                    (ids[1], Some(StoryId(3)), false),
                    (ids[2], Some(StoryId(3)), true),
                    (ids[3], Some(StoryId(5)), false),
                ]
            );
        }
    }

    #[tokio::test]
    async fn index_pages_cover_the_window_once_in_order() {
        for (s, _scratch) in crate::testing::stores().await {
            let a = s
                .add_source("https://a.example/rss", "A", Duration::from_secs(60), t(0))
                .await
                .unwrap();
            // Inserted out of order, two at the same second, one before the window.
            let mut ids = Vec::new();
            for (guid, at) in [("c", 300), ("a", 100), ("b1", 200), ("b2", 200), ("x", -50)] {
                let id = s.insert_article(&article(a.id, guid, at)).await.unwrap();
                ids.push((guid, id.unwrap()));
            }
            let id_of = |g: &str| ids.iter().find(|(x, _)| *x == g).unwrap().1;
            s.set_article_story(id_of("a"), StoryId(7), None)
                .await
                .unwrap();
            let mut seen = Vec::new();
            let mut from = None;
            let mut pages = 0;
            loop {
                let page = s.index_articles(ArticleId(0), t(0), from, 2).await.unwrap();
                let Some(last) = page.last() else { break };
                from = Some((last.published, last.id));
                pages += 1;
                seen.extend(page);
            }
            assert_eq!(pages, 2, "four articles in pages of two");
            let order: Vec<ArticleId> = seen.iter().map(|x| x.id).collect();
            assert_eq!(
                order,
                vec![id_of("a"), id_of("b1"), id_of("b2"), id_of("c")],
                "by time, then id; the one before the window is left out"
            );
            assert_eq!(seen[0].story_id, Some(StoryId(7)));
            assert_eq!(seen[0].source_name, "A");
            assert_eq!(seen[0].wire.as_deref(), Some("AFP"));
            assert_eq!(seen[0].section.as_deref(), Some("middleEast"));
            assert_eq!(seen[0].content_hash, u64::MAX - 1);
            assert!(seen.iter().all(|x| !x.angle));
            // Only ids above `after_id` (what another process stored since).
            let newer = s.index_articles(id_of("b1"), t(0), None, 10).await.unwrap();
            let newer: Vec<ArticleId> = newer.iter().map(|x| x.id).collect();
            assert!(newer.iter().all(|id| id.0 > id_of("b1").0), "{newer:?}");
        }
    }

    #[tokio::test]
    async fn since_is_ordered_and_story_tags_stick() {
        for (s, _scratch) in crate::testing::stores().await {
            let a = s
                .add_source("https://a.example/rss", "A", Duration::from_secs(60), t(0))
                .await
                .unwrap();
            let late = s
                .insert_article(&article(a.id, "late", 300))
                .await
                .unwrap()
                .unwrap();
            let early = s
                .insert_article(&article(a.id, "early", 100))
                .await
                .unwrap()
                .unwrap();
            let old = s
                .insert_article(&article(a.id, "old", -5000))
                .await
                .unwrap()
                .unwrap();
            let ids: Vec<_> = s
                .articles_since(t(0))
                .await
                .unwrap()
                .into_iter()
                .map(|a| a.id)
                .collect();
            assert_eq!(ids, vec![early, late]);
            assert!(!ids.contains(&old));
            assert_eq!(s.count_source_articles_since(a.id, t(0)).await.unwrap(), 2);
            assert_eq!(
                s.count_source_articles_since(a.id, t(-6000)).await.unwrap(),
                3
            );
            assert_eq!(
                s.count_source_articles_since(SourceId(a.id.0 + 1), t(-6000))
                    .await
                    .unwrap(),
                0
            );

            s.set_article_story(early, StoryId(7), None).await.unwrap();
            s.set_article_story(late, StoryId(7), Some(early))
                .await
                .unwrap();
            let members = s.story_articles(StoryId(7)).await.unwrap();
            assert_eq!(members.len(), 2);
            assert_eq!(members[1].copy_of, Some(early));
            let err = s
                .set_article_story(ArticleId(999), StoryId(1), None)
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::NotFound { .. }));
        }
    }
}
