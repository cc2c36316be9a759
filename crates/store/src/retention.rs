//! Retention: old articles give up their text, feed summary and analysis (most
//! of the store's bytes) and keep the rest of their row.
//!
//! The row stays because two things still need it: its `(source, guid)` is what
//! keeps a feed that lists an item for months from bringing it back as new (a new
//! story and a second alert), and its title, link, outlet and story keep the story
//! pages and the alert history whole. Only articles published *and* fetched before
//! the cutoff are pruned, so an item a feed dates years back but ajil has only just
//! read keeps its text.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{Backend, Result, Store, ts};

/// How many articles the store holds, and how many gave up their text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RetentionCounts {
    /// Every article row.
    pub articles: u64,
    /// Rows whose text, summary and analysis were dropped.
    pub pruned: u64,
}

impl Store {
    /// How many articles published and fetched before `before` still keep their
    /// text: what [`Store::prune_articles`] would drop.
    pub async fn prunable_articles(&self, before: DateTime<Utc>) -> Result<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM articles \
             WHERE pruned_at IS NULL AND published < $1 AND fetched_at < $2",
        )
        .bind(ts(before))
        .bind(ts(before))
        .fetch_one(&self.pool)
        .await?;
        Ok(n.max(0) as u64)
    }

    /// Drops the text, feed summary and analysis of at most `limit` articles
    /// published and fetched before `before`, oldest first, and marks them pruned
    /// at `now`. Returns how many it pruned: call it again until that is under
    /// `limit`. Each call is one short write, so a running pipeline waits at most
    /// one batch for the database.
    pub async fn prune_articles(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE articles SET text = '', summary = NULL, analysis = '', pruned_at = $1 \
             WHERE id IN (SELECT id FROM articles \
                 WHERE pruned_at IS NULL AND published < $2 AND fetched_at < $3 \
                 ORDER BY published, id LIMIT $4)",
        )
        .bind(ts(now))
        .bind(ts(before))
        .bind(ts(before))
        .bind(i64::from(limit))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// How many articles there are and how many were pruned.
    pub async fn retention_counts(&self) -> Result<RetentionCounts> {
        let (articles, pruned): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN pruned_at IS NULL THEN 0 ELSE 1 END), 0) \
             FROM articles",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(RetentionCounts {
            articles: articles.max(0) as u64,
            pruned: pruned.max(0) as u64,
        })
    }

    /// Gives the space pruning freed back to the file system (`VACUUM`). SQLite
    /// otherwise reuses freed pages for new rows without shrinking the file;
    /// PostgreSQL's autovacuum makes them reusable on its own, and a plain
    /// `VACUUM` there also refreshes the planner's statistics. It rewrites the
    /// whole SQLite file: run it when the service is quiet.
    pub async fn compact(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::raw_sql("VACUUM").execute(&self.pool).await?;
            }
            Backend::Postgres => {
                sqlx::raw_sql("VACUUM articles").execute(&self.pool).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::articles::tests::{article, stores_with_source, t};

    #[tokio::test]
    async fn old_articles_give_up_their_text_and_keep_their_place() {
        for (s, src, _scratch) in stores_with_source().await {
            let old = s
                .insert_article(&article(src.id, "old", 100))
                .await
                .unwrap()
                .unwrap();
            let mut recent_fetch = article(src.id, "dated-back", 100);
            // An item the feed dates back but ajil read only now keeps its text.
            recent_fetch.fetched_at = t(10_000);
            let dated_back = s.insert_article(&recent_fetch).await.unwrap().unwrap();
            let new = s
                .insert_article(&article(src.id, "new", 5_000))
                .await
                .unwrap()
                .unwrap();
            s.set_article_story(old, ajil_model::StoryId(7), None)
                .await
                .unwrap();

            assert_eq!(s.prunable_articles(t(1_000)).await.unwrap(), 1);
            assert_eq!(s.prune_articles(t(1_000), t(20_000), 10).await.unwrap(), 1);
            assert_eq!(s.prune_articles(t(1_000), t(20_000), 10).await.unwrap(), 0);
            assert_eq!(s.prunable_articles(t(1_000)).await.unwrap(), 0);

            let got = s.get_article(old).await.unwrap();
            assert_eq!(got.text, "");
            assert_eq!(got.summary, None);
            assert_eq!(got.analysis, "");
            assert_eq!(got.pruned_at, Some(t(20_000)));
            assert_eq!(
                got.title, "عنوان old",
                "the title stays for the story pages"
            );
            assert_eq!(got.story_id, Some(ajil_model::StoryId(7)));
            for id in [dated_back, new] {
                let kept = s.get_article(id).await.unwrap();
                assert!(!kept.text.is_empty() && !kept.analysis.is_empty());
                assert_eq!(kept.pruned_at, None);
            }
            // A feed that still lists the old item does not bring it back.
            assert_eq!(
                s.insert_article(&article(src.id, "old", 100))
                    .await
                    .unwrap(),
                None
            );
            assert!(s.article_exists(src.id, "old").await.unwrap());
            assert_eq!(
                s.retention_counts().await.unwrap(),
                super::RetentionCounts {
                    articles: 3,
                    pruned: 1
                }
            );
            s.compact().await.unwrap();
        }
    }

    #[tokio::test]
    async fn pruning_goes_in_batches_oldest_first() {
        for (s, src, _scratch) in stores_with_source().await {
            let mut ids = Vec::new();
            for i in 0..5 {
                let a = article(src.id, &format!("g{i}"), 100 + i * 10);
                ids.push(s.insert_article(&a).await.unwrap().unwrap());
            }
            assert_eq!(s.prune_articles(t(1_000), t(2_000), 2).await.unwrap(), 2);
            let pruned: Vec<bool> = {
                let mut v = Vec::new();
                for id in &ids {
                    v.push(s.get_article(*id).await.unwrap().pruned_at.is_some());
                }
                v
            };
            assert_eq!(pruned, [true, true, false, false, false]);
            assert_eq!(s.prune_articles(t(1_000), t(2_000), 2).await.unwrap(), 2);
            assert_eq!(s.prune_articles(t(1_000), t(2_000), 2).await.unwrap(), 1);
            assert_eq!(s.retention_counts().await.unwrap().pruned, 5);
        }
    }
}
