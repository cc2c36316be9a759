//! The `stories` table. Story ids are assigned by the clusterer, which owns
//! them; the store only keeps each story's latest summary.

use std::fmt;
use std::str::FromStr;

use ajil_model::{ArticleId, SourceId, StoryId};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, ts, ts_opt};

/// Where a story stands on the way to "breaking".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum StoryState {
    /// One outlet so far.
    #[default]
    New,
    /// Picked up by more outlets, not (yet) breaking.
    Developing,
    /// Judged breaking news.
    Breaking,
}

impl StoryState {
    /// The lowercase name stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            StoryState::New => "new",
            StoryState::Developing => "developing",
            StoryState::Breaking => "breaking",
        }
    }
}

impl fmt::Display for StoryState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StoryState {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "new" => Ok(StoryState::New),
            "developing" => Ok(StoryState::Developing),
            "breaking" => Ok(StoryState::Breaking),
            _ => Err(StoreError::Invalid {
                column: "stories.state",
                value: s.into(),
            }),
        }
    }
}

/// A story's summary row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryRow {
    /// The clusterer's id.
    pub id: StoryId,
    /// Title shown for the story (usually its first or best article's).
    pub title: String,
    /// Main language.
    pub lang: String,
    /// Time of its first article.
    pub first_seen: DateTime<Utc>,
    /// Time of its latest article.
    pub last_seen: DateTime<Utc>,
    /// Articles in it, copies included.
    pub article_count: i64,
    /// Distinct outlets reporting it.
    pub outlet_count: i64,
    /// Outlets that are not mere copies of a wire or of each other.
    pub independent_outlets: i64,
    /// Where it stands.
    pub state: StoryState,
    /// When it was first judged breaking.
    pub breaking_at: Option<DateTime<Utc>>,
}

/// An article as listed under its story.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryArticle {
    /// Article id.
    pub id: ArticleId,
    /// Title.
    pub title: String,
    /// Link.
    pub url: String,
    /// Source id.
    pub source_id: SourceId,
    /// Source (outlet) name.
    pub source_name: String,
    /// Language code.
    pub lang: String,
    /// Publication time.
    pub published: DateTime<Utc>,
    /// The article it copies, if it is an exact copy.
    pub copy_of: Option<ArticleId>,
    /// It joined as an angle, swept in as the story turned breaking
    /// ([`Store::mark_angles`]).
    pub angle: bool,
}

/// A story with its articles, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryDetail {
    /// The summary row.
    #[serde(flatten)]
    pub story: StoryRow,
    /// Its articles.
    pub articles: Vec<StoryArticle>,
}

impl StoryDetail {
    /// The headline (and its language) to show a reader of `langs`, best first: for
    /// the first of those languages the story has, its own title if it is in it,
    /// else its first original report in it; failing all, its own title. A story can
    /// hold reports in several languages (an English wire report and its Arabic
    /// translation), and its own title is its first report's.
    pub fn headline_in(&self, langs: &[&str]) -> (&str, &str) {
        for lang in langs {
            if self.story.lang == *lang {
                break;
            }
            if let Some(a) = self
                .articles
                .iter()
                .find(|a| a.copy_of.is_none() && a.lang == *lang && !a.title.trim().is_empty())
            {
                return (&a.title, &a.lang);
            }
        }
        (&self.story.title, &self.story.lang)
    }

    /// One entry per outlet: first those that reported the story in their own
    /// words, each at its first own report and in the order they came (the
    /// confirmations), then those that only reprinted another outlet's report,
    /// marked as reprints. What alerts list and the story page shows.
    pub fn outlets(&self) -> Vec<StoryOutlet> {
        let mut seen = std::collections::BTreeSet::new();
        // Articles come oldest first.
        let own = self.articles.iter().filter(|a| a.copy_of.is_none());
        let copies = self.articles.iter().filter(|a| a.copy_of.is_some());
        own.map(|a| (a, false))
            .chain(copies.map(|a| (a, true)))
            .filter(|(a, _)| seen.insert(a.source_name.as_str()))
            .map(|(a, reprint)| StoryOutlet {
                name: a.source_name.clone(),
                url: a.url.clone(),
                published: a.published,
                reprint,
            })
            .collect()
    }
}

/// An outlet of a story, from [`StoryDetail::outlets`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoryOutlet {
    /// The outlet's display name.
    pub name: String,
    /// Its first report's address (its own report's, for a confirmation).
    pub url: String,
    /// When that report was published.
    pub published: DateTime<Utc>,
    /// It only reprinted another outlet's report: it carries the story but
    /// does not confirm it.
    pub reprint: bool,
}

const COLUMNS: &str = "id, title, lang, first_seen, last_seen, article_count, outlet_count, \
     independent_outlets, state, breaking_at";

fn from_row(row: &AnyRow) -> Result<StoryRow> {
    Ok(StoryRow {
        id: StoryId(row.try_get("id")?),
        title: row.try_get("title")?,
        lang: row.try_get("lang")?,
        first_seen: crate::time(row, "first_seen")?,
        last_seen: crate::time(row, "last_seen")?,
        article_count: row.try_get("article_count")?,
        outlet_count: row.try_get("outlet_count")?,
        independent_outlets: row.try_get("independent_outlets")?,
        state: row.try_get::<String, _>("state")?.parse()?,
        breaking_at: crate::time_opt(row, "breaking_at")?,
    })
}

impl Store {
    /// Inserts the story or replaces every field of the row with that id.
    pub async fn upsert_story(&self, s: &StoryRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO stories (id, title, lang, first_seen, last_seen, article_count, \
             outlet_count, independent_outlets, state, breaking_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, lang = excluded.lang, \
             first_seen = excluded.first_seen, last_seen = excluded.last_seen, \
             article_count = excluded.article_count, outlet_count = excluded.outlet_count, \
             independent_outlets = excluded.independent_outlets, state = excluded.state, \
             breaking_at = excluded.breaking_at",
        )
        .bind(s.id.0)
        .bind(&s.title)
        .bind(&s.lang)
        .bind(ts(s.first_seen))
        .bind(ts(s.last_seen))
        .bind(s.article_count)
        .bind(s.outlet_count)
        .bind(s.independent_outlets)
        .bind(s.state.as_str())
        .bind(ts_opt(s.breaking_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Sets story `s.id`'s times, counts and state as the story index now
    /// sees them, keeping its title and language (nothing happens to a story
    /// that is not stored).
    pub async fn update_story_counts(&self, s: &StoryRow) -> Result<()> {
        sqlx::query(
            "UPDATE stories SET first_seen = $1, last_seen = $2, article_count = $3, \
             outlet_count = $4, independent_outlets = $5, state = $6, breaking_at = $7 \
             WHERE id = $8",
        )
        .bind(ts(s.first_seen))
        .bind(ts(s.last_seen))
        .bind(s.article_count)
        .bind(s.outlet_count)
        .bind(s.independent_outlets)
        .bind(s.state.as_str())
        .bind(ts_opt(s.breaking_at))
        .bind(s.id.0)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Zeroes the counts of stories no article is left in (their source was
    /// removed), so that listings leave them out; their rows stay for the
    /// alerts that name them. Returns how many there were.
    pub async fn empty_stories_without_articles(&self) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE stories SET article_count = 0, outlet_count = 0, independent_outlets = 0 \
             WHERE article_count > 0 \
             AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.story_id = stories.id)",
        )
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Stories seen at or after `since` that hold an article, the most
    /// recently updated first.
    pub async fn list_stories(&self, since: DateTime<Utc>, limit: u32) -> Result<Vec<StoryRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM stories WHERE last_seen >= $1 AND article_count > 0 \
             ORDER BY last_seen DESC, id DESC LIMIT $2"
        ))
        .bind(ts(since))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// [`StoryDetail::headline_in`] of each of `stories` for a reader of `lang`, for a
    /// list of stories: a story whose first report is in another language gets the
    /// title and language of its first original report in `lang`, if it has one.
    pub async fn headlines_in(&self, stories: &mut [StoryRow], lang: &str) -> Result<()> {
        let others: Vec<i64> = stories
            .iter()
            .filter(|s| s.lang != lang)
            .map(|s| s.id.0)
            .collect();
        if others.is_empty() {
            return Ok(());
        }
        // The ids are integers the store wrote: listed inline, as both
        // backends read a plain `IN (…)` list.
        let ids = others
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let rows = sqlx::query(&format!(
            "SELECT story_id, title FROM articles \
                 WHERE lang = $1 AND copy_of IS NULL AND trim(title) <> '' \
                 AND story_id IN ({ids}) \
                 ORDER BY story_id, published, id",
        ))
        .bind(lang)
        .fetch_all(&self.pool)
        .await?;
        let mut first = std::collections::HashMap::new();
        for row in &rows {
            let story: i64 = row.try_get("story_id")?;
            let title: String = row.try_get("title")?;
            first.entry(story).or_insert(title);
        }
        for s in stories.iter_mut() {
            if let Some(title) = first.remove(&s.id.0) {
                s.title = title;
                s.lang = lang.to_string();
            }
        }
        Ok(())
    }

    /// Breaking stories seen at or after `since`, by id: what the story index restores
    /// after a restart, as a story may have turned breaking on support it does not keep.
    pub async fn breaking_stories(&self, since: DateTime<Utc>) -> Result<Vec<StoryRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM stories WHERE last_seen >= $1 AND state = $2 ORDER BY id"
        ))
        .bind(ts(since))
        .bind(StoryState::Breaking.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// One story with its articles; [`StoreError::NotFound`] if absent.
    pub async fn get_story(&self, id: StoryId) -> Result<StoryDetail> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM stories WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound {
                what: "story",
                id: id.0,
            })?;
        let story = from_row(&row)?;
        let rows = sqlx::query(
            "SELECT a.id, a.title, a.url, a.source_id, s.name AS source_name, a.lang, \
             a.published, a.copy_of, a.angle FROM articles a \
             JOIN sources s ON s.id = a.source_id \
             WHERE a.story_id = $1 ORDER BY a.published, a.id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        let articles = rows
            .iter()
            .map(|r| {
                Ok(StoryArticle {
                    id: ArticleId(r.try_get("id")?),
                    title: r.try_get("title")?,
                    url: r.try_get("url")?,
                    source_id: SourceId(r.try_get("source_id")?),
                    source_name: r.try_get("source_name")?,
                    lang: r.try_get("lang")?,
                    published: crate::time(r, "published")?,
                    copy_of: r.try_get::<Option<i64>, _>("copy_of")?.map(ArticleId),
                    angle: r.try_get::<i64, _>("angle")? != 0,
                })
            })
            .collect::<Result<_>>()?;
        Ok(StoryDetail { story, articles })
    }

    /// The highest story id in use (stories or articles), so the clusterer can
    /// continue numbering after a restart; `None` on an empty database.
    pub async fn max_story_id(&self) -> Result<Option<StoryId>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(m) FROM (SELECT MAX(id) AS m FROM stories \
             UNION ALL SELECT MAX(story_id) FROM articles) AS ids",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(id.map(StoryId))
    }

    /// Folds story `from` into `into`: its articles move over, its alerts move
    /// over where the subscription had none for `into` (so a merge never lets
    /// a second alert through), and the `from` row is deleted, leaving a note of
    /// where it went ([`Store::merged_into`]). The caller upserts `into`'s new
    /// counts.
    pub async fn merge_stories(&self, from: StoryId, into: StoryId) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        // Stories merged into `from` earlier now lead straight to `into`.
        sqlx::query("UPDATE story_merges SET into_id = $1 WHERE into_id = $2")
            .bind(into.0)
            .bind(from.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO story_merges (from_id, into_id) VALUES ($1, $2) \
             ON CONFLICT (from_id) DO UPDATE SET into_id = excluded.into_id",
        )
        .bind(from.0)
        .bind(into.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE articles SET story_id = $1 WHERE story_id = $2")
            .bind(into.0)
            .bind(from.0)
            .execute(&mut *tx)
            .await?;
        // An alert of a subscription that already has one for `into` stays
        // where it is: the pair is unique.
        sqlx::query(
            "UPDATE alerts SET story_id = $1 WHERE story_id = $2 AND NOT EXISTS \
             (SELECT 1 FROM alerts AS other \
              WHERE other.subscription_id = alerts.subscription_id AND other.story_id = $1)",
        )
        .bind(into.0)
        .bind(from.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM stories WHERE id = $1")
            .bind(from.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The story a merged story's articles are in now, if `id` was merged into
    /// another (through any number of merges); `None` for a story that was never
    /// merged away.
    pub async fn merged_into(&self, id: StoryId) -> Result<Option<StoryId>> {
        let into: Option<i64> =
            sqlx::query_scalar("SELECT into_id FROM story_merges WHERE from_id = $1")
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?;
        Ok(into.map(StoryId))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::articles::tests::{article, stores_with_source, t};

    pub(crate) fn story(id: i64, last_seen: i64) -> StoryRow {
        StoryRow {
            id: StoryId(id),
            title: format!("story {id}"),
            lang: "ar".into(),
            first_seen: t(0),
            last_seen: t(last_seen),
            article_count: 1,
            outlet_count: 1,
            independent_outlets: 1,
            state: StoryState::New,
            breaking_at: None,
        }
    }

    #[tokio::test]
    async fn upsert_list_get_and_max() {
        for (s, _scratch) in crate::testing::stores().await {
            assert_eq!(s.max_story_id().await.unwrap(), None);
            s.upsert_story(&story(1, 10)).await.unwrap();
            s.upsert_story(&story(2, 20)).await.unwrap();
            let mut b = story(1, 30);
            b.state = StoryState::Breaking;
            b.breaking_at = Some(t(30));
            b.outlet_count = 4;
            s.upsert_story(&b).await.unwrap();

            let list = s.list_stories(t(0), 10).await.unwrap();
            assert_eq!(
                list.iter().map(|s| s.id.0).collect::<Vec<_>>(),
                vec![1, 2],
                "newest first"
            );
            assert_eq!(list[0], b);
            assert_eq!(s.list_stories(t(25), 10).await.unwrap().len(), 1);
            assert_eq!(s.list_stories(t(0), 1).await.unwrap().len(), 1);
            assert_eq!(s.breaking_stories(t(0)).await.unwrap(), vec![b.clone()]);
            assert!(s.breaking_stories(t(31)).await.unwrap().is_empty());
            assert_eq!(s.max_story_id().await.unwrap(), Some(StoryId(2)));
            assert!(matches!(
                s.get_story(StoryId(5)).await.unwrap_err(),
                StoreError::NotFound { what: "story", .. }
            ));
            let json = serde_json::to_value(s.get_story(StoryId(1)).await.unwrap()).unwrap();
            assert_eq!(json["state"], "breaking");
            assert_eq!(json["articles"], serde_json::json!([]));
        }
    }

    #[tokio::test]
    async fn a_story_is_headlined_in_the_readers_language_where_it_can_be() {
        for (s, src, _scratch) in stores_with_source().await {
            let mut english = article(src.id, "en", 2);
            english.lang = "en".into();
            english.title = "Summit in Helsinki".into();
            for a in [article(src.id, "ar", 1), english] {
                let id = s.insert_article(&a).await.unwrap().unwrap();
                s.set_article_story(id, StoryId(1), None).await.unwrap();
            }
            let mut row = story(1, 2);
            row.title = "عنوان ar".into();
            s.upsert_story(&row).await.unwrap();
            s.upsert_story(&story(2, 3)).await.unwrap();

            let mut list = s.list_stories(t(0), 10).await.unwrap();
            s.headlines_in(&mut list, "en").await.unwrap();
            let titles: Vec<(&str, &str)> = list
                .iter()
                .map(|r| (r.title.as_str(), r.lang.as_str()))
                .collect();
            // Story 2 has no English report: its own title stays.
            assert_eq!(titles, [("story 2", "ar"), ("Summit in Helsinki", "en")]);
            let mut list = s.list_stories(t(0), 10).await.unwrap();
            s.headlines_in(&mut list, "ar").await.unwrap();
            assert_eq!(list[1].title, "عنوان ar");

            let detail = s.get_story(StoryId(1)).await.unwrap();
            assert_eq!(
                detail.headline_in(&["fr", "en"]),
                ("Summit in Helsinki", "en")
            );
            assert_eq!(detail.headline_in(&["fr"]), ("عنوان ar", "ar"));
        }
    }

    #[tokio::test]
    async fn merge_moves_articles_and_alerts_without_duplicates() {
        for (s, src, _scratch) in stores_with_source().await {
            let a1 = s
                .insert_article(&article(src.id, "1", 1))
                .await
                .unwrap()
                .unwrap();
            let a2 = s
                .insert_article(&article(src.id, "2", 2))
                .await
                .unwrap()
                .unwrap();
            s.set_article_story(a1, StoryId(1), None).await.unwrap();
            s.set_article_story(a2, StoryId(2), None).await.unwrap();
            s.upsert_story(&story(1, 1)).await.unwrap();
            s.upsert_story(&story(2, 2)).await.unwrap();

            let sub = crate::subscribers::tests::active_subscription(&s, "x@example.org").await;
            let other = crate::subscribers::tests::active_subscription(&s, "y@example.org").await;
            assert!(
                s.record_match(sub, StoryId(1), t(3))
                    .await
                    .unwrap()
                    .is_some()
            );
            assert!(
                s.record_match(sub, StoryId(2), t(3))
                    .await
                    .unwrap()
                    .is_some()
            );
            assert!(
                s.record_match(other, StoryId(2), t(3))
                    .await
                    .unwrap()
                    .is_some()
            );

            s.merge_stories(StoryId(2), StoryId(1)).await.unwrap();
            let d = s.get_story(StoryId(1)).await.unwrap();
            assert_eq!(d.articles.len(), 2);
            assert_eq!(d.articles[1].source_name, "A");
            assert!(s.get_story(StoryId(2)).await.is_err());
            // `other` was told about story 2, which is now story 1: no new alert.
            assert_eq!(s.record_match(other, StoryId(1), t(4)).await.unwrap(), None);
            assert_eq!(s.max_story_id().await.unwrap(), Some(StoryId(1)));
        }
    }

    #[tokio::test]
    async fn counts_are_set_and_storyless_stories_leave_the_list() {
        for (s, src, _scratch) in stores_with_source().await {
            let id = s
                .insert_article(&article(src.id, "1", 1))
                .await
                .unwrap()
                .unwrap();
            s.set_article_story(id, StoryId(1), None).await.unwrap();
            let mut row = story(1, 5);
            row.title = "العنوان".into();
            row.outlet_count = 3;
            s.upsert_story(&row).await.unwrap();
            s.upsert_story(&story(2, 6)).await.unwrap();
            // Counts from the index; the title stays.
            let mut counted = story(1, 7);
            counted.title = "ignored".into();
            counted.outlet_count = 1;
            s.update_story_counts(&counted).await.unwrap();
            let got = s.get_story(StoryId(1)).await.unwrap().story;
            assert_eq!((got.title.as_str(), got.outlet_count), ("العنوان", 1));
            assert_eq!(got.last_seen, t(7));
            // Story 2 holds no article: emptied once, and not listed.
            assert_eq!(s.empty_stories_without_articles().await.unwrap(), 1);
            assert_eq!(s.empty_stories_without_articles().await.unwrap(), 0);
            let listed: Vec<StoryId> = s
                .list_stories(t(0), 10)
                .await
                .unwrap()
                .iter()
                .map(|r| r.id)
                .collect();
            assert_eq!(listed, [StoryId(1)]);
        }
    }

    #[tokio::test]
    async fn a_merged_story_leads_to_where_its_articles_went() {
        for (s, _scratch) in crate::testing::stores().await {
            for id in 1..=4 {
                s.upsert_story(&story(id, 0)).await.unwrap();
            }
            s.merge_stories(StoryId(4), StoryId(3)).await.unwrap();
            assert_eq!(s.merged_into(StoryId(4)).await.unwrap(), Some(StoryId(3)));
            // Then 3 into 2: both lead to 2, in one step.
            s.merge_stories(StoryId(3), StoryId(2)).await.unwrap();
            assert_eq!(s.merged_into(StoryId(4)).await.unwrap(), Some(StoryId(2)));
            assert_eq!(s.merged_into(StoryId(3)).await.unwrap(), Some(StoryId(2)));
            assert_eq!(s.merged_into(StoryId(2)).await.unwrap(), None);
            assert_eq!(s.merged_into(StoryId(9)).await.unwrap(), None);
        }
    }
}
