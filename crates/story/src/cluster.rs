//! The clusterer: copy detection, same-event joining, merging, eviction and breaking.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use rustc_hash::FxHashMap as HashMap;
use smallvec::SmallVec;

use ajil_model::{ArticleId, StoryId};
use chrono::{DateTime, TimeDelta, Utc};

use crate::script::{Script, script_of_keys};
use crate::similarity::{
    Key, Marks, Vocab, band_keys, entity_keys, marked_entity_overlap, marked_mass,
    signature_similarity,
};
use crate::{Assignment, Breaking, StoryError, StoryInput, StoryOptions, StoryState, StoryView};

/// Candidates of the other script fully scored per added article: those sharing the
/// most weight of rare sound keys (a translation shares nearly all its names, so it
/// ranks first).
const CROSS_CANDIDATES: usize = 20;

/// Section names [`Clusterer::is_quiet_section`] remembers at most (feeds name their
/// own sections, so a long-running process could meet any number).
const QUIET_CACHE: usize = 1024;

/// One article held in the window, with the sets the comparisons need.
#[derive(Debug)]
struct Doc {
    id: ArticleId,
    outlet: String,
    published: DateTime<Utc>,
    story: StoryId,
    /// Sequence number of the original this article copies (always a root, never a copy).
    copy_of: Option<u64>,
    independent: bool,
    /// Joined as an angle when its story turned breaking (see [`Clusterer::sweep`]):
    /// a member whose keys stay out of the story's core.
    angle: bool,
    wire: Option<String>,
    /// From a quiet section: joins stories, never confirms breaking.
    quiet: bool,
    /// Its title names a violent incident (see [`StoryOptions::incident_keys`]).
    incident: bool,
    /// Its headline is a statement or a reaction (see [`StoryInput::statement`]).
    statement: bool,
    title: Vec<Key>,
    lead: Vec<Key>,
    /// Every key of title and body, deduplicated, in the order each first appears:
    /// the document-frequency unit.
    all: Vec<Key>,
    /// Title keys plus the rarest lead keys: what the same-event index holds.
    index_keys: Vec<Key>,
    bands: Vec<(u32, u64)>,
    minhash: Vec<u32>,
    urls: Vec<String>,
    content_hash: Option<u64>,
    /// The script of its title (or lead) keys.
    script: Script,
    /// Its sound keys.
    sound: Sound,
}

/// One open story.
#[derive(Debug)]
struct Story {
    /// Sequence numbers of its articles, in the order they joined.
    docs: Vec<u64>,
    first_seen: DateTime<Utc>,
    last_seen: DateTime<Utc>,
    state: StoryState,
    breaking_at: Option<DateTime<Utc>>,
    /// Title and lead keys of its original (non-copy) articles, with how many hold each:
    /// the keys several reports share are what the event is about.
    profile: HashMap<Key, u32>,
    /// The keys of `profile` held by at least two originals (its core), sorted by key,
    /// with their counts.
    core: Vec<(Key, u32)>,
    /// Original articles counted in `profile`.
    originals: u32,
    /// Independent reports (outlet, time) of articles that joined another story but
    /// scored above the join threshold against this one too: confirmation of this
    /// story's happening told together with another (see [`Clusterer::add`]).
    support: Vec<(String, DateTime<Utc>)>,
}

/// Groups articles into stories and tells when a story turns breaking.
///
/// Feed it articles with [`Clusterer::add`], roughly in publication order; it keeps the
/// stories of the last [`StoryOptions::window`] in memory and forgets older ones.
#[derive(Debug)]
pub struct Clusterer {
    opts: StoryOptions,
    next_story: i64,
    next_seq: u64,
    /// Articles by sequence number; never iterated, so hash order cannot reach a result.
    docs: HashMap<u64, Doc>,
    stories: BTreeMap<StoryId, Story>,
    /// Open stories by last publication time, so eviction reads only the stale ones.
    by_last_seen: BTreeSet<(DateTime<Utc>, StoryId)>,
    /// URL or canonical URL → the first article seen with it.
    urls: HashMap<String, u64>,
    /// Content hash → the first article seen with it.
    hashes: HashMap<u64, u64>,
    /// LSH band key → articles whose signature has that band. Evicted articles are left
    /// in it (lookups skip them) and swept out in one pass once they are as many as the
    /// live ones: a pass over the table costs less than a lookup per band at eviction.
    bands: HashMap<(u32, u64), Postings>,
    /// Postings in `bands` of articles still in the window, and of evicted ones.
    band_postings: (usize, usize),
    /// Title key or rare lead key → articles indexed under it.
    index: HashMap<Key, Postings>,
    vocab: Vocab,
    /// [`StoryOptions::incident_keys`], sorted for lookup.
    incident_keys: Vec<String>,
    /// Sections already looked up in [`StoryOptions::quiet_sections`].
    quiet_sections: HashMap<String, bool>,
    /// Scratch marks of the article being scored (kept to reuse the allocation).
    marks: RefCell<Marks>,
    /// When stories turned breaking, for the baseline rate.
    breaking_log: VecDeque<DateTime<Utc>>,
    /// The cross-script side (see [`Cross`]).
    cross: Cross,
    /// Stories begun by a statement, with their first report's time, oldest first:
    /// waiting to be settled (see [`Clusterer::settle`]).
    statements: VecDeque<(DateTime<Utc>, StoryId)>,
}

/// What the clusterer keeps to join reports across scripts (see [`crate::script`]):
/// each article's sound keys, and only once the window has held articles of two
/// scripts their document frequencies and an index of them, so a stream in one
/// script is never compared on them and costs little more.
#[derive(Debug)]
struct Cross {
    /// The script of the first article with one.
    first: Option<Script>,
    /// Set once a second script has been seen; never unset.
    active: bool,
    /// Sound key → articles in the window holding it (once active).
    df: HashMap<u64, u32>,
    /// Articles in the window (once active).
    docs: u32,
    /// The df prior, as [`StoryOptions::prior_docs`] and [`StoryOptions::prior_share`].
    prior: (f64, f64),
    /// (Script, sound key) → articles of that script holding it (once active).
    index: HashMap<(Script, u64), Postings>,
    /// Squared idf by document frequency, for the `docs` it was computed at (one
    /// `ln` per frequency per added article, not per key read).
    idf2: RefCell<(u32, Vec<f64>)>,
}

impl Cross {
    /// Counts an article in the window and indexes it.
    fn add(&mut self, seq: u64, doc: &Doc) {
        self.docs += 1;
        for key in doc.sound.all() {
            *self.df.entry(*key).or_insert(0) += 1;
            if doc.script != Script::Other {
                self.index.entry((doc.script, *key)).or_default().push(seq);
            }
        }
    }

    /// Forgets an article [`Cross::add`] counted.
    fn remove(&mut self, seq: u64, doc: &Doc) {
        self.docs = self.docs.saturating_sub(1);
        for key in doc.sound.all() {
            if let Some(count) = self.df.get_mut(key) {
                *count -= 1;
                if *count == 0 {
                    self.df.remove(key);
                }
            }
            remove_posting(&mut self.index, &(doc.script, *key), seq);
        }
    }

    /// The weight of a sound key in the cross-script cosine, and whether it is strong
    /// ([`is_strong`]): its smoothed idf (as the word vocabulary's) squared, a quarter
    /// of that for a key of two consonants, which many unrelated words of either
    /// script share ("rs" is Russia and "رأس", head; "sr" Syria and "سير", march).
    fn weight(&self, key: u64) -> (f64, bool) {
        let df = self.df.get(&key).copied().unwrap_or(0) as usize;
        let mut cache = self.idf2.borrow_mut();
        let (docs, squares) = &mut *cache;
        if *docs != self.docs {
            *docs = self.docs;
            squares.clear();
        }
        if squares.len() <= df {
            squares.resize(df + 1, f64::NAN);
        }
        if squares[df].is_nan() {
            let (n0, p0) = self.prior;
            let idf = (1.0 + (f64::from(self.docs) + n0) / (1.0 + df as f64 + n0 * p0)).ln();
            squares[df] = idf * idf;
        }
        let square = squares[df];
        let strong = is_strong(key);
        (if strong { square } else { square / 4.0 }, strong)
    }

    /// Length of a set of sound keys under [`Cross::weight`].
    fn norm(&self, set: &[u64]) -> f64 {
        set.iter().map(|&k| self.weight(k).0).sum::<f64>().sqrt()
    }
}

/// Whether a sound key (packed as `ajil_analyze::SoundCode`) is a number (top bit) or
/// of three consonant classes or more (four bits each), as `ajil_analyze::is_strong`.
fn is_strong(key: u64) -> bool {
    key & (1 << 63) != 0 || key >= 1 << 8
}

/// An article's sound keys ([`StoryInput::title_sound`] and [`StoryInput::sound`]),
/// each set sorted, in one allocation: the title's, then the title and lead's.
#[derive(Debug)]
struct Sound {
    keys: Box<[u64]>,
    title: usize,
}

impl Sound {
    fn new(title: &[u64], all: &[u64]) -> Self {
        let mut keys = Vec::with_capacity(title.len() + all.len());
        let mut title_len = 0;
        for set in [title, all] {
            let start = keys.len();
            keys.extend_from_slice(set);
            // Sorted and without repeats as the analyser gives them; made sure of here.
            if !keys[start..].is_sorted_by(|a, b| a < b) {
                let mut part = keys.split_off(start);
                part.sort_unstable();
                part.dedup();
                keys.extend(part);
            }
            if start == 0 {
                title_len = keys.len();
            }
        }
        Sound {
            keys: keys.into_boxed_slice(),
            title: title_len,
        }
    }

    fn title(&self) -> &[u64] {
        &self.keys[..self.title]
    }

    fn all(&self) -> &[u64] {
        &self.keys[self.title..]
    }
}

impl Clusterer {
    /// A clusterer with no stories, numbering new stories from 1.
    pub fn new(opts: StoryOptions) -> Result<Self, StoryError> {
        opts.validate()?;
        let vocab = Vocab::new(opts.prior_docs.max(0.0), opts.prior_share);
        let opts_prior = (opts.prior_docs.max(0.0), opts.prior_share);
        let mut incident_keys = opts.incident_keys.clone();
        incident_keys.sort_unstable();
        incident_keys.dedup();
        Ok(Clusterer {
            opts,
            incident_keys,
            next_story: 1,
            next_seq: 0,
            docs: HashMap::default(),
            stories: BTreeMap::new(),
            by_last_seen: BTreeSet::new(),
            urls: HashMap::default(),
            hashes: HashMap::default(),
            bands: HashMap::default(),
            index: HashMap::default(),
            vocab,
            quiet_sections: HashMap::default(),
            marks: RefCell::new(Marks::default()),
            breaking_log: VecDeque::new(),
            band_postings: (0, 0),
            cross: Cross {
                first: None,
                active: false,
                df: HashMap::default(),
                docs: 0,
                prior: opts_prior,
                index: HashMap::default(),
                idf2: RefCell::new((0, Vec::new())),
            },
            statements: VecDeque::new(),
        })
    }

    /// Makes the next new story get `id` (and later ones count up from it), so ids
    /// continue after those already stored.
    #[must_use]
    pub fn with_next_story_id(mut self, id: StoryId) -> Self {
        self.next_story = id.0;
        self
    }

    /// The options in force.
    pub fn options(&self) -> &StoryOptions {
        &self.opts
    }

    /// Places an article: as a copy into its original's story, else into the best
    /// same-event story above the threshold (a lower one for a story that turned
    /// breaking within hours: [`StoryOptions::breaking_join_threshold`]), merging
    /// stories it links strongly, else into a new story. Evicts stories older than the
    /// window first.
    ///
    /// An independent report that also scores above the join threshold against other
    /// stories supports them: it counts towards their breaking state (never their
    /// articles) once each has enough outlets of its own, and those that turn breaking
    /// with it are in [`Assignment::also_breaking`].
    pub fn add(&mut self, input: &StoryInput<'_>, now: DateTime<Utc>) -> Assignment {
        self.evict(now);
        let settled = self.settle(now);
        let mut doc = self.prepare(input);
        self.attach_cross(&doc);
        let copy = self.find_copy(&doc);

        let mut supported: Vec<StoryId> = Vec::new();
        let (story, new_story, merged) = match copy {
            Some(root) => (self.docs[&root].story, false, Vec::new()),
            None => {
                let scores = self.event_scores(&doc);
                let passing: BTreeMap<StoryId, f64> = scores
                    .iter()
                    .filter(|(id, s)| **s >= self.join_threshold(**id, doc.published))
                    .map(|(id, s)| (*id, *s))
                    .collect();
                // Stories told in another script that this article names enough of.
                let across: BTreeMap<StoryId, f64> = self
                    .cross_scores(&doc)
                    .into_iter()
                    .filter(|(_, s)| *s >= self.opts.cross_script_threshold)
                    .collect();
                match best_story(&passing).or_else(|| best_story(&across)) {
                    Some((best, _)) => {
                        let mut linked: Vec<StoryId> = scores
                            .iter()
                            .filter(|(id, s)| **id != best && **s >= self.opts.merge_threshold)
                            .map(|(id, _)| *id)
                            .chain(across.keys().copied().filter(|id| *id != best))
                            .collect();
                        // The oldest story survives a merge, so ids already shown keep
                        // pointing at the same story.
                        linked.push(best);
                        linked.sort_unstable();
                        linked.dedup();
                        supported = scores
                            .iter()
                            .filter(|(id, s)| {
                                **s >= self.opts.event_threshold && !linked.contains(id)
                            })
                            .map(|(id, _)| *id)
                            .collect();
                        let survivor = linked.remove(0);
                        (survivor, false, linked)
                    }
                    _ => (self.new_story_id(), true, Vec::new()),
                }
            }
        };
        if new_story && doc.statement {
            self.statements.push_back((doc.published, story));
        }
        doc.story = story;
        doc.copy_of = copy;
        doc.independent = copy.is_none() && !self.same_wire_voice(&doc, story);
        let copy_of = copy.map(|seq| self.docs[&seq].id);
        let independent = doc.independent;
        let quiet = doc.quiet;
        self.insert(doc);
        for absorbed in &merged {
            self.merge_into(story, *absorbed);
        }
        let breaking = self.refresh_state(story, now);
        let swept = match &breaking {
            Some(b) => self.sweep(story, b.at),
            None => Vec::new(),
        };
        let mut merged = merged;
        merged.extend(&swept);
        merged.sort_unstable();
        let also_breaking = if independent && !quiet {
            self.support(&supported, input, now)
        } else {
            Vec::new()
        };
        Assignment {
            story,
            new_story,
            copy_of,
            independent,
            merged,
            swept,
            settled,
            breaking,
            also_breaking,
        }
    }

    /// Settles the statement stories begun [`StoryOptions::statement_settle`] or
    /// more before `now` (see [`StoryOptions::statement_threshold`]): each that is
    /// still small, of statements alone and not breaking, goes as angles into the
    /// story that turned breaking within [`StoryOptions::statement_window`] before
    /// it whose original reports, taken together, its statements are nearest, if near
    /// enough and clearly nearer than the next. Returns `(from, into)` pairs.
    fn settle(&mut self, now: DateTime<Utc>) -> Vec<(StoryId, StoryId)> {
        let mut settled = Vec::new();
        while let Some(&(begun, id)) = self.statements.front() {
            if now - begun < self.opts.statement_settle {
                break;
            }
            self.statements.pop_front();
            if let Some(into) = self.statement_home(id) {
                if let Some(angle) = self.stories.get_mut(&id) {
                    angle.profile.clear();
                    angle.core.clear();
                    angle.originals = 0;
                    for seq in &angle.docs {
                        if let Some(doc) = self.docs.get_mut(seq) {
                            doc.angle = true;
                        }
                    }
                }
                self.merge_into(into, id);
                settled.push((id, into));
            }
        }
        settled
    }

    /// Where statement story `id` settles, if anywhere (see [`Clusterer::settle`]).
    fn statement_home(&self, id: StoryId) -> Option<StoryId> {
        let o = &self.opts;
        if o.statement_threshold >= 1.0 {
            return None;
        }
        let story = self.stories.get(&id)?;
        let members: Vec<&Doc> = story.docs.iter().filter_map(|s| self.docs.get(s)).collect();
        if story.state == StoryState::Breaking
            || story.docs.len() > o.statement_size
            || !story.support.is_empty()
            || !members.iter().all(|d| d.statement)
        {
            return None;
        }
        let mut outlets: Vec<&str> = members
            .iter()
            .filter(|d| d.independent)
            .map(|d| d.outlet.as_str())
            .collect();
        outlets.sort_unstable();
        outlets.dedup();
        if outlets.len() > o.statement_outlets {
            return None;
        }
        let begun = story.first_seen;
        let broke: Vec<StoryId> = self
            .stories
            .iter()
            .filter(|(other, s)| {
                **other != id
                    && s.breaking_at
                        .is_some_and(|at| at <= begun && begun - at <= o.statement_window)
            })
            .map(|(other, _)| *other)
            .collect();
        if broke.is_empty() {
            return None;
        }
        let own: Vec<Vec<(Key, f64)>> = members.iter().map(|d| self.weighted_keys(d)).collect();
        let mut scored: Vec<(f64, StoryId)> = broke
            .into_iter()
            .map(|other| {
                let centroid = self.centroid(other);
                let best = own
                    .iter()
                    .map(|v| cosine_with(v, &centroid))
                    .fold(0.0, f64::max);
                (best, other)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let (best, home) = scored[0];
        let next = scored.get(1).map_or(0.0, |s| s.0);
        (best >= o.statement_threshold && best - next >= o.statement_margin).then_some(home)
    }

    /// An article as a unit vector over its keys, sorted by key: idf-weighted, the
    /// title's keys three times, the lead's twice, the rest once; keys in more than
    /// three in ten of the window's articles left out.
    fn weighted_keys(&self, doc: &Doc) -> Vec<(Key, f64)> {
        let mut weights: Vec<(Key, f64)> = doc
            .all
            .iter()
            .map(|&k| {
                let times = 1.0
                    + 3.0 * f64::from(u8::from(doc.title.binary_search(&k).is_ok()))
                    + 2.0 * f64::from(u8::from(doc.lead.binary_search(&k).is_ok()));
                (k, times)
            })
            .chain(
                // Title keys outside `all` (an analyser that did not prefix the title).
                doc.title
                    .iter()
                    .filter(|k| !doc.all.contains(k))
                    .map(|&k| (k, 3.0)),
            )
            .filter(|(k, _)| self.vocab.share(*k) <= 0.3)
            .map(|(k, times)| (k, times * self.vocab.idf(k)))
            .collect();
        weights.sort_unstable_by_key(|(k, _)| *k);
        weights.dedup_by_key(|(k, _)| *k);
        let norm = weights.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
        if norm > 0.0 {
            for (_, w) in &mut weights {
                *w /= norm;
            }
        }
        weights
    }

    /// The sum of the unit vectors ([`Clusterer::weighted_keys`]) of story `id`'s
    /// original reports, normalized, sorted by key.
    fn centroid(&self, id: StoryId) -> Vec<(Key, f64)> {
        let Some(story) = self.stories.get(&id) else {
            return Vec::new();
        };
        let mut centroid: HashMap<Key, f64> = HashMap::default();
        for seq in &story.docs {
            let Some(member) = self.docs.get(seq) else {
                continue;
            };
            if member.copy_of.is_some() || member.angle {
                continue;
            }
            for (k, w) in self.weighted_keys(member) {
                *centroid.entry(k).or_insert(0.0) += w;
            }
        }
        let mut sum: Vec<(Key, f64)> = centroid.into_iter().collect();
        sum.sort_unstable_by_key(|(k, _)| *k);
        let norm = sum.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
        if norm > 0.0 {
            for (_, w) in &mut sum {
                *w /= norm;
            }
        }
        sum
    }

    /// Places an article into a story already decided (at start-up, from the store),
    /// without re-deciding the story; copies and independence are still worked out so
    /// outlet counts and breaking state come back as they were.
    ///
    /// Replay the window's articles in publication order. New stories made later by
    /// [`Clusterer::add`] get ids above every id passed here. A story that was already
    /// breaking is reported breaking again during the replay (with the replay's `now`);
    /// the caller, which stored the first report, ignores it. Support between stories
    /// is not scored again: pass stories that turned breaking on it to
    /// [`Clusterer::restore_breaking`].
    pub fn add_with_story(
        &mut self,
        input: &StoryInput<'_>,
        story: StoryId,
        now: DateTime<Utc>,
    ) -> Assignment {
        self.place(input, story, false, now)
    }

    /// [`Clusterer::add_with_story`] for an article that joined its story as an angle
    /// ([`Assignment::swept`]): a member whose keys stay out of the story's core, as
    /// they did before the restart.
    pub fn add_angle_with_story(
        &mut self,
        input: &StoryInput<'_>,
        story: StoryId,
        now: DateTime<Utc>,
    ) -> Assignment {
        self.place(input, story, true, now)
    }

    fn place(
        &mut self,
        input: &StoryInput<'_>,
        story: StoryId,
        angle: bool,
        now: DateTime<Utc>,
    ) -> Assignment {
        self.evict(now);
        let mut doc = self.prepare(input);
        doc.angle = angle;
        self.attach_cross(&doc);
        let copy = self.find_copy(&doc);
        let new_story = !self.stories.contains_key(&story);
        if new_story && doc.statement && !angle {
            // Settled later by `add` as it would have been without the restart.
            self.statements.push_back((doc.published, story));
        }
        self.next_story = self.next_story.max(story.0 + 1);
        doc.story = story;
        doc.copy_of = copy;
        doc.independent = copy.is_none() && !self.same_wire_voice(&doc, story);
        let copy_of = copy.map(|seq| self.docs[&seq].id);
        let independent = doc.independent;
        self.insert(doc);
        let breaking = self.refresh_state(story, now);
        Assignment {
            story,
            new_story,
            copy_of,
            independent,
            merged: Vec::new(),
            swept: Vec::new(),
            settled: Vec::new(),
            breaking,
            also_breaking: Vec::new(),
        }
    }

    /// Marks an open story breaking since `at`, as the store recorded it: after a
    /// restart, for stories that turned breaking on support (which
    /// [`Clusterer::add_with_story`] does not score again) or in another process.
    /// A story the replay already made breaking takes the earlier of the two times,
    /// so windows counted from its flip (the lower join bar, statements) start where
    /// they did before the restart. Returns whether the story was open and not yet
    /// breaking.
    pub fn restore_breaking(&mut self, id: StoryId, at: DateTime<Utc>) -> bool {
        let Some(story) = self.stories.get_mut(&id) else {
            return false;
        };
        if story.state == StoryState::Breaking {
            story.breaking_at = story.breaking_at.map(|was| was.min(at)).or(Some(at));
            return false;
        }
        story.state = StoryState::Breaking;
        story.breaking_at = Some(at);
        true
    }

    /// A snapshot of an open story, or `None` if it was never made, was merged away or
    /// was evicted.
    pub fn story(&self, id: StoryId) -> Option<StoryView> {
        let story = self.stories.get(&id)?;
        let docs: Vec<&Doc> = story.docs.iter().map(|seq| &self.docs[seq]).collect();
        let outlets: BTreeSet<&str> = docs.iter().map(|d| d.outlet.as_str()).collect();
        let independent_outlets = first_independent_reports(&docs, &[]);
        Some(StoryView {
            id,
            articles: docs.iter().map(|d| d.id).collect(),
            copies: docs
                .iter()
                .filter_map(|d| d.copy_of.map(|root| (d.id, self.docs[&root].id)))
                .collect(),
            outlets: outlets.into_iter().map(String::from).collect(),
            independent_outlet_count: independent_outlets.len(),
            independent_outlets,
            first_seen: story.first_seen,
            last_seen: story.last_seen,
            state: story.state,
            breaking_at: story.breaking_at,
        })
    }

    /// Ids of the open stories, ascending.
    pub fn story_ids(&self) -> impl Iterator<Item = StoryId> + '_ {
        self.stories.keys().copied()
    }

    /// Number of articles held in the window.
    pub fn article_count(&self) -> usize {
        self.docs.len()
    }

    /// Drops every story whose last article is older than the window before `now`,
    /// with its articles and their index entries. [`Clusterer::add`] calls it too.
    pub fn evict(&mut self, now: DateTime<Utc>) {
        let cutoff = now - self.opts.window;
        while let Some(&(last_seen, id)) = self.by_last_seen.first() {
            if last_seen >= cutoff {
                break;
            }
            self.by_last_seen.pop_first();
            let Some(story) = self.stories.remove(&id) else {
                continue;
            };
            for seq in story.docs {
                if let Some(doc) = self.docs.remove(&seq) {
                    self.unindex(seq, &doc);
                }
            }
        }
        let (live, dead) = self.band_postings;
        if dead > live.max(4096) {
            // Called after `self.docs` lost the evicted articles.
            let docs = &self.docs;
            self.bands.retain(|_, postings| {
                postings.retain(|seq| docs.contains_key(seq));
                !postings.is_empty()
            });
            self.band_postings.1 = 0;
        }
        let baseline_start = now - self.opts.baseline_window;
        self.breaking_log.retain(|at| *at >= baseline_start);
    }

    /// Counts an independent report placed in another story as support of each of
    /// `stories` (those it also scored above the join threshold against: two happenings
    /// told together, as a ceremony and the clashes beside it), returning the ones that
    /// turned breaking with it.
    fn support(
        &mut self,
        stories: &[StoryId],
        input: &StoryInput<'_>,
        now: DateTime<Utc>,
    ) -> Vec<(StoryId, Breaking)> {
        let mut turned = Vec::new();
        for &id in stories {
            let Some(story) = self.stories.get_mut(&id) else {
                continue;
            };
            story
                .support
                .push((input.outlet.to_string(), input.published));
            if let Some(breaking) = self.refresh_state(id, now) {
                turned.push((id, breaking));
            }
        }
        turned
    }

    /// At the moment story `id` turns breaking, the small stories active within
    /// [`StoryOptions::breaking_join_window`] before it whose reports score at the
    /// lower bar against it join it: the first reports of a happening, told before its
    /// words became the window's common words, and angles on it that came in before
    /// the flip. Only lone voices are swept: a story of at most
    /// [`StoryOptions::breaking_sweep`] articles from one independent outlet, which no
    /// other story's reports support. Two outlets of its own, or reports elsewhere
    /// telling it beside another happening, make it a happening of its own (a second
    /// summit of the same president, the clashes beside a ceremony).
    ///
    /// Swept stories join as angles: their keys stay out of the story's core and later
    /// reports are not compared with them, so what the story is about, and what later
    /// reports are compared with, stays what its own reports share (a swept preview
    /// of tomorrow's decision must not make tomorrow's decision part of today's
    /// story, nor a swept report on another happening draw that happening's next
    /// reports in). The story that broke keeps its id,
    /// the one its breaking alert names. Returns the stories swept into it.
    fn sweep(&mut self, id: StoryId, at: DateTime<Utc>) -> Vec<StoryId> {
        let o = &self.opts;
        if o.breaking_sweep == 0 || !self.stories.contains_key(&id) {
            return Vec::new();
        }
        let bar = o.event_threshold.min(o.breaking_join_threshold);
        let since = at - o.breaking_join_window;
        let lone_voice = |story: &Story| {
            let mut outlets = story
                .docs
                .iter()
                .map(|seq| &self.docs[seq])
                .filter(|doc| doc.independent)
                .map(|doc| doc.outlet.as_str());
            let first = outlets.next();
            outlets.all(|outlet| Some(outlet) == first)
        };
        let small: Vec<StoryId> = self
            .by_last_seen
            .range((since, StoryId(i64::MIN))..)
            .map(|(_, sid)| *sid)
            .filter(|sid| {
                let story = &self.stories[sid];
                *sid != id
                    && story.docs.len() <= o.breaking_sweep
                    && story.state != StoryState::Breaking
                    && story.support.is_empty()
                    && lone_voice(story)
            })
            .collect();
        let swept: Vec<StoryId> = small
            .into_iter()
            .filter(|sid| {
                self.stories[sid].docs.iter().any(|seq| {
                    self.docs
                        .get(seq)
                        .and_then(|doc| self.event_scores_in(doc, Some(id)).get(&id).copied())
                        .is_some_and(|score| score >= bar)
                })
            })
            .collect();
        for sid in &swept {
            if let Some(angle) = self.stories.get_mut(sid) {
                angle.profile.clear();
                angle.originals = 0;
                for seq in &angle.docs {
                    if let Some(doc) = self.docs.get_mut(seq) {
                        doc.angle = true;
                    }
                }
            }
            self.merge_into(id, *sid);
        }
        swept
    }

    fn new_story_id(&mut self) -> StoryId {
        let id = StoryId(self.next_story);
        self.next_story += 1;
        id
    }

    /// Builds the window record of an input; `story`, `copy_of` and `independent` are
    /// filled in once decided.
    fn prepare(&mut self, input: &StoryInput<'_>) -> Doc {
        // Keys are title then body; the body is what follows the title keys when they
        // lead, else (an analyser that did not prefix the title) all of them.
        let title_leads = input.keys.starts_with(input.title_keys);
        // Each key interned once, in the order first seen (the order ids are given in,
        // which the sorted sets' float sums follow).
        let mut ids = self.vocab.intern_all(input.title_keys);
        let body_start = ids.len();
        if title_leads {
            ids.extend(self.vocab.intern_all(&input.keys[body_start..]));
        } else {
            ids.extend(self.vocab.intern_all(input.keys));
        }
        let title = sorted_set(&ids[..body_start]);
        let body = &ids[body_start..];
        let lead = sorted_set(&body[..body.len().min(self.opts.lead_keys)]);
        let all = self.vocab.distinct(if title_leads { &ids } else { body });
        let mut rare: Vec<Key> = lead
            .iter()
            .copied()
            .filter(|k| title.binary_search(k).is_err())
            .collect();
        // Rarest first; ties by the word itself, not its id, so the choice reads the same
        // whatever order the vocabulary was built in. Only the first `rare_keys` are
        // kept, so they are selected before they are sorted.
        let rarest = |a: &Key, b: &Key| {
            (self.vocab.df(*a), self.vocab.word(*a)).cmp(&(self.vocab.df(*b), self.vocab.word(*b)))
        };
        let keep = self.opts.rare_keys;
        if rare.len() > keep && keep > 0 {
            rare.select_nth_unstable_by(keep - 1, rarest);
            rare.truncate(keep);
        }
        rare.sort_by(rarest);
        let script = match script_of_keys(title.iter().map(|k| self.vocab.word(*k))) {
            Script::Other => script_of_keys(lead.iter().map(|k| self.vocab.word(*k))),
            script => script,
        };
        let mut index_keys = title.clone();
        index_keys.extend(rare.into_iter().take(keep));
        // An item without a link has no URL to be a copy by: an empty one
        // would make every link-less article a copy of the first.
        let mut urls: Vec<String> = [Some(input.url), input.canonical_url]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string)
            .collect();
        urls.dedup();
        // A hash of an empty body would make every text-less article a copy of the first.
        let content_hash =
            (input.content_hash != 0 && !body.is_empty()).then_some(input.content_hash);
        Doc {
            id: input.article,
            outlet: input.outlet.to_string(),
            published: input.published,
            story: StoryId(0),
            copy_of: None,
            independent: true,
            angle: false,
            wire: input.wire.map(|w| w.trim().to_lowercase()),
            quiet: input.section.is_some_and(|s| self.is_quiet_section(s)),
            incident: input
                .title_keys
                .iter()
                .any(|key| self.incident_keys.binary_search(key).is_ok()),
            statement: input.statement,
            title,
            lead,
            all,
            index_keys,
            bands: band_keys(input.minhash, self.opts.lsh_bands, self.opts.lsh_rows),
            minhash: input.minhash.to_vec(),
            urls,
            content_hash,
            script,
            sound: Sound::new(input.title_sound, input.sound),
        }
    }

    /// Notes the article's script; once the window has seen two, indexes every article
    /// held under its sound keys (and from then on each one as it comes).
    fn attach_cross(&mut self, doc: &Doc) {
        if doc.script == Script::Other {
            return;
        }
        match self.cross.first {
            None => self.cross.first = Some(doc.script),
            Some(first) if first != doc.script && !self.cross.active => {
                self.cross.active = true;
                // In sequence order: postings stay sorted.
                let mut seqs: Vec<u64> = self.docs.keys().copied().collect();
                seqs.sort_unstable();
                for seq in seqs {
                    self.cross.add(seq, &self.docs[&seq]);
                }
            }
            _ => {}
        }
    }

    /// Same-event score of `doc` against each story holding an article of the other
    /// script that shares enough sound keys with it: the mean of two idf-weighted
    /// cosines, of the headlines' sound keys and of the title and lead's, decayed with
    /// time, given at least [`StoryOptions::cross_script_shared`] keys in common and
    /// one of them a number or of three consonants or more (the best article decides).
    /// Empty while the window holds one script.
    fn cross_scores(&self, doc: &Doc) -> BTreeMap<StoryId, f64> {
        let mut scores = BTreeMap::new();
        let cross = &self.cross;
        if !cross.active || doc.sound.all().is_empty() {
            return scores;
        }
        let other_script = match doc.script {
            Script::Arabic => Script::Latin,
            Script::Latin => Script::Arabic,
            Script::Other => return scores,
        };
        // Candidates come from the keys in at most 2% of the window (a name of the
        // day, "Trump", is in more and finds too much to be worth following), ranked
        // by the weight they share; then each is scored on its whole sets.
        let max_postings = (cross.docs as usize / 50).max(50);
        let mut found: HashMap<u64, f64> = HashMap::default();
        for &key in doc.sound.all() {
            let Some(postings) = cross.index.get(&(other_script, key)) else {
                continue;
            };
            if postings.len() > max_postings {
                continue;
            }
            let (weight, _) = cross.weight(key);
            for seq in postings {
                *found.entry(*seq).or_insert(0.0) += weight;
            }
        }
        let mut candidates: Vec<(u64, f64)> = found.into_iter().collect();
        candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        candidates.truncate(CROSS_CANDIDATES);

        let norm = cross.norm(doc.sound.all());
        let title_norm = cross.norm(doc.sound.title());
        for (seq, _) in candidates {
            let other = &self.docs[&seq];
            let (mut mass, mut count, mut strong) = (0.0, 0, false);
            for_shared(doc.sound.all(), other.sound.all(), |key| {
                let (weight, is_strong) = cross.weight(key);
                mass += weight;
                count += 1;
                strong |= is_strong;
            });
            if count < self.opts.cross_script_shared || !strong {
                continue;
            }
            let other_norm = cross.norm(other.sound.all());
            if norm == 0.0 || other_norm == 0.0 {
                continue;
            }
            // Headlines carry the names; a lead also carries the words that never meet
            // across scripts. Half each: the headlines' cosine and the whole sets'.
            let other_title_norm = cross.norm(other.sound.title());
            let title = if title_norm == 0.0 || other_title_norm == 0.0 {
                0.0
            } else {
                let mut shared = 0.0;
                for_shared(doc.sound.title(), other.sound.title(), |key| {
                    shared += cross.weight(key).0;
                });
                shared / (title_norm * other_title_norm)
            };
            let score = (title + mass / (norm * other_norm)) / 2.0
                * decay(doc.published, other.published, self.opts.time_half_life);
            let best = scores.entry(other.story).or_insert(0.0);
            if score > *best {
                *best = score;
            }
        }
        scores
    }

    /// [`StoryOptions::is_quiet_section`], remembered per section name: a stream has a
    /// handful of sections, and lowercasing and searching each name again for every
    /// article cost more than the rest of preparing it.
    fn is_quiet_section(&mut self, section: &str) -> bool {
        if let Some(&quiet) = self.quiet_sections.get(section) {
            return quiet;
        }
        let quiet = self.opts.is_quiet_section(section);
        if self.quiet_sections.len() >= QUIET_CACHE {
            self.quiet_sections.clear();
        }
        self.quiet_sections.insert(section.to_string(), quiet);
        quiet
    }

    fn root(&self, seq: u64) -> u64 {
        self.docs.get(&seq).and_then(|d| d.copy_of).unwrap_or(seq)
    }

    /// The original (a root) this article copies: same URL, same content hash, or a
    /// MinHash near-duplicate at or above the copy threshold.
    fn find_copy(&self, doc: &Doc) -> Option<u64> {
        for url in &doc.urls {
            if let Some(&seq) = self.urls.get(url) {
                return Some(self.root(seq));
            }
        }
        if let Some(hash) = doc.content_hash
            && let Some(&seq) = self.hashes.get(&hash)
        {
            return Some(self.root(seq));
        }
        let candidates: BTreeSet<u64> = doc
            .bands
            .iter()
            .filter_map(|band| self.bands.get(band))
            .flatten()
            .copied()
            .filter(|seq| self.docs.contains_key(seq))
            .collect();
        let mut best: Option<(f64, u64)> = None;
        for seq in candidates {
            let sim = signature_similarity(&doc.minhash, &self.docs[&seq].minhash);
            // Ascending seq with a strict `>` keeps the earliest of equally similar articles.
            if sim >= self.opts.copy_threshold && best.is_none_or(|(b, _)| sim > b) {
                best = Some((sim, seq));
            }
        }
        best.map(|(_, seq)| self.root(seq))
    }

    /// Same-event score of `doc` against each story holding a candidate article: the
    /// best score over that story's candidates.
    fn event_scores(&self, doc: &Doc) -> BTreeMap<StoryId, f64> {
        self.event_scores_in(doc, None)
    }

    /// [`Clusterer::event_scores`], against story `only` alone when given.
    fn event_scores_in(&self, doc: &Doc, only: Option<StoryId>) -> BTreeMap<StoryId, f64> {
        let docs = self.vocab.docs() as usize;
        // Keys in more than 5% of the window (and over 50 articles) find too much to be
        // worth following; the title and rare lead keys of a real match will.
        let max_postings = (docs / 20).max(50);
        let mut weights: HashMap<u64, f64> = HashMap::default();
        for key in &doc.index_keys {
            let Some(postings) = self.index.get(key) else {
                continue;
            };
            if postings.len() > max_postings {
                continue;
            }
            let idf = self.vocab.idf(*key);
            for seq in postings {
                *weights.entry(*seq).or_insert(0.0) += idf;
            }
        }
        let mut candidates: Vec<(u64, f64)> = weights.into_iter().collect();
        candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        candidates.truncate(self.opts.max_candidates);

        let norms = self.norms(doc);
        let doc_keys = union(&doc.title, &doc.lead);
        let doc_norm = self.vocab.norm(&doc_keys);
        let entities = entity_keys(&doc.all, &self.vocab, self.opts.rare_share);
        let mut marks = self.marks.borrow_mut();
        marks.mark(doc.title.iter().copied(), Marks::TITLE);
        marks.mark(doc.lead.iter().copied(), Marks::LEAD);
        marks.mark(entities.iter().map(|(k, _)| *k), Marks::ENTITY);
        // Title and lead first; the entity overlap (a scan of the candidate's every key)
        // only for stories that could still reach the join threshold with it.
        let mut per_story: BTreeMap<StoryId, Vec<(u64, Shared)>> = BTreeMap::new();
        for (seq, _) in candidates {
            let other = &self.docs[&seq];
            if only.is_some_and(|id| id != other.story) {
                continue;
            }
            // An angle is a member, not a voice of the story: later reports meet the
            // story through its own reports, so a report swept in on a shared name
            // does not draw its own follow-ups after it.
            if other.angle {
                continue;
            }
            per_story.entry(other.story).or_default().push((
                seq,
                Shared {
                    title: marked_mass(&other.title, &marks, Marks::TITLE, &self.vocab),
                    lead: marked_mass(&other.lead, &marks, Marks::LEAD, &self.vocab),
                },
            ));
        }
        let scores = per_story
            .into_iter()
            .filter_map(|(id, shared)| {
                // Mean of the best `link_top` scores, counting story articles that were
                // not even candidates as 0: one look-alike article is not enough to
                // pull a report into a large story, which stops chains of topic drift.
                let originals = self.stories[&id].originals as usize;
                let k = self.opts.link_top.clamp(1, originals.max(1));
                // First without the candidates' own norms (a shared mass can be no
                // more than the candidate's whole norm squared), then exactly.
                let coarse = top_mean(
                    shared
                        .iter()
                        .map(|(seq, m)| self.coarse_bound(doc, norms, m, &self.docs[seq])),
                    k,
                );
                let threshold = self.join_threshold(id, doc.published);
                if coarse < threshold
                    && self.core_bound(&doc_keys, &marks, doc_norm, doc.published, id) < threshold
                {
                    return None;
                }
                let core = self.core_score(&marks, doc_norm, doc.published, id);
                let found: Vec<(u64, Partial)> = shared
                    .iter()
                    .map(|(seq, m)| (*seq, self.partial_score(doc, norms, m, &self.docs[seq])))
                    .collect();
                let bound = top_mean(found.iter().map(|(_, p)| p.bound()), k);
                if bound.max(core) < threshold {
                    // Below the threshold whatever the entities: it can neither take
                    // the article nor be merged, so its exact score is not needed.
                    return None;
                }
                let linked = top_mean(
                    found
                        .iter()
                        .map(|(seq, p)| p.finish(&self.docs[seq], &marks, &self.vocab)),
                    k,
                );
                Some((id, linked.max(core)))
            })
            .collect();
        marks.clear();
        scores
    }

    /// The join threshold of story `id` for an article published at `at`: lower for a
    /// story that turned breaking within [`StoryOptions::breaking_join_window`] of it
    /// (before, or after for a report that reached the feed late).
    fn join_threshold(&self, id: StoryId, at: DateTime<Utc>) -> f64 {
        let o = &self.opts;
        match self.stories.get(&id).and_then(|s| s.breaking_at) {
            Some(b) if (at - b).abs() <= o.breaking_join_window => {
                o.event_threshold.min(o.breaking_join_threshold)
            }
            _ => o.event_threshold,
        }
    }

    /// A bound on [`Clusterer::core_score`] from the article's own keys alone (looked
    /// up in the core, not a pass over it): the core's norm is at least the part of it
    /// on the keys the article shares, so the cosine is at most the shared dot product
    /// over that part. Large stories have large cores; most candidates stop here.
    /// `keys` are the article's title and lead keys, sorted, and `marks` mark them.
    fn core_bound(
        &self,
        keys: &[Key],
        marks: &Marks,
        norm: f64,
        published: DateTime<Utc>,
        id: StoryId,
    ) -> f64 {
        let o = &self.opts;
        let Some(story) = self.stories.get(&id) else {
            return 0.0;
        };
        if story.originals < 2 || norm == 0.0 || o.core_weight == 0.0 {
            return 0.0;
        }
        let time = decay(published, story.last_seen, o.time_half_life);
        if o.core_weight * time * (1.0 + 1e-9) < o.event_threshold {
            // Even a perfect match with the core decays below the threshold.
            return o.core_weight * time * (1.0 + 1e-9);
        }
        let n = f64::from(story.originals);
        let (mut dot, mut part) = (0.0, 0.0);
        let mut shared = |key: Key, count: u32| {
            let count = f64::from(count);
            let idf = self.vocab.idf(key);
            dot += idf.powi(2) * count / n;
            part += (idf * count / n).powi(2);
        };
        // The shared keys in ascending order either way (so the same sums): a pass
        // over a small core reading the marks, or a search of a large one per key.
        if story.core.len() <= keys.len() * 8 {
            for &(key, count) in &story.core {
                if marks.get(key) & (Marks::TITLE | Marks::LEAD) != 0 {
                    shared(key, count);
                }
            }
        } else {
            for key in keys {
                if let Ok(at) = story.core.binary_search_by_key(key, |(k, _)| *k) {
                    shared(*key, story.core[at].1);
                }
            }
        }
        if part == 0.0 {
            return 0.0;
        }
        let cosine = (dot / (norm * part.sqrt())).min(1.0);
        o.core_weight * cosine * time * (1.0 + 1e-9)
    }

    /// Similarity of an article's title and lead keys to the core of a story: the keys
    /// at least two of its original reports share, each weighted by idf and by the share
    /// of reports holding it (a cosine), decayed by the time since the story's last
    /// article. A story told by many outlets in many words is recognised by what its
    /// reports have in common, where no single report may look enough like a new one.
    /// `marks` holds the article's title and lead keys.
    fn core_score(&self, marks: &Marks, norm: f64, published: DateTime<Utc>, id: StoryId) -> f64 {
        let o = &self.opts;
        let Some(story) = self.stories.get(&id) else {
            return 0.0;
        };
        if story.originals < 2 || norm == 0.0 || o.core_weight == 0.0 {
            return 0.0;
        }
        let n = f64::from(story.originals);
        // One pass over the core, in key order: its norm, and its dot product with the
        // article's keys (those marked), summed in the same key order.
        let mut core_norm = 0.0;
        let mut dot = 0.0;
        for &(key, count) in &story.core {
            let idf = self.vocab.idf(key);
            core_norm += (idf * f64::from(count) / n).powi(2);
            if marks.get(key) & (Marks::TITLE | Marks::LEAD) != 0 {
                dot += idf.powi(2) * f64::from(count) / n;
            }
        }
        if core_norm == 0.0 {
            return 0.0;
        }
        let cosine = dot / (norm * core_norm.sqrt());
        o.core_weight * cosine * decay(published, story.last_seen, o.time_half_life)
    }

    /// A bound on [`Partial::bound`] that needs no norm of `b`: the idf mass `b` shares
    /// with `a`'s title is at most `b`'s title norm squared, so the title cosine is at
    /// most `sqrt(shared) / |a's title|` (likewise the lead). A hair of slack keeps
    /// float rounding from putting it below the exact value.
    fn coarse_bound(&self, a: &Doc, a_norms: (f64, f64), shared: &Shared, b: &Doc) -> f64 {
        let o = &self.opts;
        let ceiling = |mass: f64, norm: f64| {
            if norm == 0.0 {
                0.0
            } else {
                (mass.sqrt() / norm).min(1.0)
            }
        };
        let title = ceiling(shared.title, a_norms.0);
        let lead = ceiling(shared.lead, a_norms.1);
        let corroborated = if o.entity_gate > 0.0 {
            (title.max(lead) / o.entity_gate).min(1.0)
        } else {
            1.0
        };
        let time = decay(a.published, b.published, o.time_half_life);
        time * (o.title_weight * title + o.lead_weight * lead + o.entity_weight * corroborated)
            * (1.0 + 1e-9)
    }

    /// The title and lead parts of how strongly two articles look like reports of
    /// one happening, from the idf mass `b` shares with `a`'s title and lead;
    /// [`Partial::finish`] adds the shared entities.
    fn partial_score(&self, a: &Doc, a_norms: (f64, f64), shared: &Shared, b: &Doc) -> Partial {
        let o = &self.opts;
        let b_norms = self.norms(b);
        let cosine = |shared: f64, norms: f64| if norms == 0.0 { 0.0 } else { shared / norms };
        let title = cosine(shared.title, a_norms.0 * b_norms.0);
        let lead = cosine(shared.lead, a_norms.1 * b_norms.1);
        // Shared names corroborate similar wording; without it they are coincidence.
        let text = title.max(lead);
        let corroborated = if o.entity_gate > 0.0 {
            (text / o.entity_gate).min(1.0)
        } else {
            1.0
        };
        // One headline tells of a killing or a blast, the other does not: two
        // happenings of one place and day (never more than the undamped score, so the
        // coarse bound still holds).
        let incident = if a.incident == b.incident {
            1.0
        } else {
            o.incident_factor
        };
        Partial {
            time: incident * decay(a.published, b.published, o.time_half_life),
            title: o.title_weight * title,
            lead: o.lead_weight * lead,
            entity_weight: o.entity_weight,
            corroborated,
        }
    }

    /// Idf norms of an article's title and lead under the current window.
    fn norms(&self, doc: &Doc) -> (f64, f64) {
        (self.vocab.norm(&doc.title), self.vocab.norm(&doc.lead))
    }

    /// Whether `doc` is a near copy of an earlier report of the same wire agency by
    /// another outlet in `story`: one agency's text is one voice even when rewritten a little.
    fn same_wire_voice(&self, doc: &Doc, story: StoryId) -> bool {
        let (Some(wire), Some(story)) = (&doc.wire, self.stories.get(&story)) else {
            return false;
        };
        story.docs.iter().map(|seq| &self.docs[seq]).any(|other| {
            // One agency's report in another script is its translation.
            other.wire.as_ref() == Some(wire)
                && other.outlet != doc.outlet
                && (other.script != doc.script
                    || signature_similarity(&doc.minhash, &other.minhash)
                        >= self.opts.wire_threshold)
        })
    }

    fn insert(&mut self, doc: Doc) {
        let seq = self.next_seq;
        self.next_seq += 1;
        for url in &doc.urls {
            self.urls.entry(url.clone()).or_insert(seq);
        }
        if let Some(hash) = doc.content_hash {
            self.hashes.entry(hash).or_insert(seq);
        }
        for band in &doc.bands {
            self.bands.entry(*band).or_default().push(seq);
        }
        self.band_postings.0 += doc.bands.len();
        for key in &doc.index_keys {
            self.index.entry(*key).or_default().push(seq);
        }
        self.vocab.add(&doc.all);
        if self.cross.active {
            self.cross.add(seq, &doc);
        }
        let story = self.stories.entry(doc.story).or_insert_with(|| Story {
            docs: Vec::new(),
            first_seen: doc.published,
            last_seen: doc.published,
            state: StoryState::New,
            breaking_at: None,
            profile: HashMap::default(),
            core: Vec::new(),
            originals: 0,
            support: Vec::new(),
        });
        story.docs.push(seq);
        if doc.copy_of.is_none() && !doc.angle {
            story.originals += 1;
            for &key in union(&doc.title, &doc.lead).iter() {
                let count = story.profile.entry(key).or_insert(0);
                *count += 1;
                if *count >= 2 {
                    // Kept sorted, so sums over the core run in the same order however
                    // the story was built (live, merged, or rebuilt at start-up).
                    match story.core.binary_search_by_key(&key, |(k, _)| *k) {
                        Ok(at) => story.core[at].1 = *count,
                        Err(at) => story.core.insert(at, (key, *count)),
                    }
                }
            }
        }
        self.by_last_seen.remove(&(story.last_seen, doc.story));
        story.first_seen = story.first_seen.min(doc.published);
        story.last_seen = story.last_seen.max(doc.published);
        self.by_last_seen.insert((story.last_seen, doc.story));
        self.docs.insert(seq, doc);
    }

    fn unindex(&mut self, seq: u64, doc: &Doc) {
        for url in &doc.urls {
            if self.urls.get(url) == Some(&seq) {
                self.urls.remove(url);
            }
        }
        if let Some(hash) = doc.content_hash
            && self.hashes.get(&hash) == Some(&seq)
        {
            self.hashes.remove(&hash);
        }
        self.band_postings.0 -= doc.bands.len();
        self.band_postings.1 += doc.bands.len();
        for key in &doc.index_keys {
            remove_posting(&mut self.index, key, seq);
        }
        self.vocab.remove(&doc.all);
        if self.cross.active {
            self.cross.remove(seq, doc);
        }
    }

    /// Moves every article of `absorbed` into `survivor`; the survivor keeps the more
    /// advanced state and the earlier breaking time.
    fn merge_into(&mut self, survivor: StoryId, absorbed: StoryId) {
        let Some(gone) = self.stories.remove(&absorbed) else {
            return;
        };
        self.by_last_seen.remove(&(gone.last_seen, absorbed));
        for seq in &gone.docs {
            if let Some(doc) = self.docs.get_mut(seq) {
                doc.story = survivor;
            }
        }
        let Some(story) = self.stories.get_mut(&survivor) else {
            return;
        };
        story.docs.extend(gone.docs);
        story.support.extend(gone.support);
        story.originals += gone.originals;
        for (key, count) in gone.profile {
            *story.profile.entry(key).or_insert(0) += count;
        }
        // Sorted, as always: the float sums over the core must not depend on hash-map
        // iteration order.
        story.core = story
            .profile
            .iter()
            .filter(|(_, c)| **c >= 2)
            .map(|(k, c)| (*k, *c))
            .collect();
        story.core.sort_unstable();
        story.docs.sort_unstable();
        self.by_last_seen.remove(&(story.last_seen, survivor));
        story.first_seen = story.first_seen.min(gone.first_seen);
        story.last_seen = story.last_seen.max(gone.last_seen);
        self.by_last_seen.insert((story.last_seen, survivor));
        story.state = story.state.max(gone.state);
        story.breaking_at = match (story.breaking_at, gone.breaking_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    /// Whether a story's independent reports (outlet, time) all fall within the
    /// novelty window of the first and two outlets among them reported within the
    /// burst window of each other.
    fn novel(&self, reports: &[(&str, DateTime<Utc>)], latest: DateTime<Utc>) -> bool {
        let o = &self.opts;
        let Some(first) = reports.iter().map(|r| r.1).min() else {
            return false;
        };
        if o.novelty_window <= TimeDelta::zero() || latest - first > o.novelty_window {
            return false;
        }
        let mut by_time: Vec<(DateTime<Utc>, &str)> =
            reports.iter().map(|(outlet, at)| (*at, *outlet)).collect();
        by_time.sort_unstable();
        by_time.iter().enumerate().any(|(i, (at, outlet))| {
            by_time[i + 1..]
                .iter()
                .take_while(|(later, _)| *later - *at <= o.burst_window)
                .any(|(_, other)| other != outlet)
        })
    }

    /// Moves a story forward (New → Developing → Breaking) from its independent
    /// reports, returning the breaking event the one time it happens.
    fn refresh_state(&mut self, id: StoryId, now: DateTime<Utc>) -> Option<Breaking> {
        let story = self.stories.get(&id)?;
        if story.state == StoryState::Breaking {
            return None;
        }
        // Reports from quiet sections (sport, culture, markets) join stories but never
        // confirm breaking.
        let docs: Vec<&Doc> = story
            .docs
            .iter()
            .map(|seq| &self.docs[seq])
            .filter(|d| !d.quiet)
            .collect();
        // Baseline: each full budget of stories that already turned breaking within the
        // baseline window asks for one more outlet, so a source mix that covers
        // everything together does not page on every story it shares.
        let required =
            self.opts.breaking_outlets + self.breaking_log.len() / self.opts.baseline_budget.max(1);
        // Support (reports placed in another story that scored above the join threshold
        // here too) only brings a story's outlets together in time: it counts once the
        // story has enough outlets of its own, so it never makes up the count.
        let own: BTreeSet<&str> = docs
            .iter()
            .filter(|d| d.independent)
            .map(|d| d.outlet.as_str())
            .collect();
        let support: &[(String, DateTime<Utc>)] = if own.len() >= required {
            &story.support
        } else {
            &[]
        };
        let reports: Vec<(&str, DateTime<Utc>)> = docs
            .iter()
            .filter(|d| d.independent)
            .map(|d| (d.outlet.as_str(), d.published))
            .chain(support.iter().map(|(o, at)| (o.as_str(), *at)))
            .collect();
        let latest = reports.iter().map(|r| r.1).max()?;
        let outlets_within = |span: TimeDelta| -> BTreeSet<&str> {
            reports
                .iter()
                .filter(|(_, at)| *at >= latest - span)
                .map(|(outlet, _)| *outlet)
                .collect()
        };
        let breaking_outlets = outlets_within(self.opts.breaking_window);
        // Attention: outlets that ran the story within the attention window, copies
        // included. A copy is no confirmation, but another newsroom choosing to run the
        // story within minutes is a sign of urgency; with at least two independent
        // voices in that span (confirmation), that many outlets make it breaking as
        // well. Reprints of one text alone stay one voice and never qualify.
        let attention_start = docs
            .iter()
            .map(|d| d.published)
            .chain(support.iter().map(|(_, at)| *at))
            .max()?
            - self.opts.attention_window;
        let attention: BTreeSet<&str> = docs
            .iter()
            .map(|d| (d.outlet.as_str(), d.published))
            .chain(support.iter().map(|(o, at)| (o.as_str(), *at)))
            .filter(|(_, at)| *at >= attention_start)
            .map(|(outlet, _)| outlet)
            .collect();
        let attention_voices: BTreeSet<&str> = reports
            .iter()
            .filter(|(_, at)| *at >= attention_start)
            .map(|(outlet, _)| *outlet)
            .collect();
        let urgent = attention.len() >= required
            && attention_voices.len() >= self.opts.developing_outlets.max(2);
        // Novelty: two newsrooms reporting within minutes of each other (a flash) on a
        // story that is still young, confirmed by enough outlets before it grows old,
        // is breaking even when the confirmation came slowly (results announced at
        // night, picked up by a third newsroom in the morning). Counting only the
        // story's first span keeps running topics, which gather outlets over days, out.
        let novel_outlets: BTreeSet<&str> = if self.novel(&reports, latest) {
            reports.iter().map(|(outlet, _)| *outlet).collect()
        } else {
            BTreeSet::new()
        };
        let novel = novel_outlets.len() >= required;
        if breaking_outlets.len() >= required || urgent || novel {
            let independent_outlets: Vec<(String, DateTime<Utc>)> =
                first_independent_reports(&docs, support)
                    .into_iter()
                    .filter(|(outlet, _)| {
                        breaking_outlets.contains(outlet.as_str())
                            || attention_voices.contains(outlet.as_str())
                            || novel_outlets.contains(outlet.as_str())
                    })
                    .collect();
            let story = self.stories.get_mut(&id)?;
            story.state = StoryState::Breaking;
            story.breaking_at = Some(now);
            self.breaking_log.push_back(now);
            return Some(Breaking {
                at: now,
                independent_outlets,
            });
        }
        if story.state == StoryState::New
            && outlets_within(self.opts.developing_window).len() >= self.opts.developing_outlets
        {
            self.stories.get_mut(&id)?.state = StoryState::Developing;
        }
        None
    }
}

/// The idf² mass a candidate shares with the scored article's title and lead keys.
#[derive(Debug, Clone, Copy)]
struct Shared {
    title: f64,
    lead: f64,
}

/// A same-event score with its title and lead parts computed and the entity part
/// pending: `time * (title + lead + entity_weight * entity * corroborated)`, where the
/// entity overlap is at most 1, which gives [`Partial::bound`].
#[derive(Debug, Clone, Copy)]
struct Partial {
    time: f64,
    title: f64,
    lead: f64,
    entity_weight: f64,
    corroborated: f64,
}

impl Partial {
    /// The score if every entity were shared: never below [`Partial::finish`], as the
    /// same operations on a larger value cannot give a smaller float.
    fn bound(&self) -> f64 {
        self.with_entity(1.0)
    }

    /// The full score against `b`, whose keys are matched against the scored
    /// article's entity marks.
    fn finish(&self, b: &Doc, marks: &Marks, vocab: &Vocab) -> f64 {
        let entity = if self.corroborated == 0.0 || self.entity_weight == 0.0 {
            0.0
        } else {
            marked_entity_overlap(&b.all, marks, vocab)
        };
        self.with_entity(entity)
    }

    fn with_entity(&self, entity: f64) -> f64 {
        self.time * (self.title + self.lead + self.entity_weight * entity * self.corroborated)
    }
}

/// Sum of the `k` largest of `values`, added largest first, over `k`: the mean of a
/// story's best `k` scores, with missing ones counting as 0. Keeps only the best `k`
/// (nearly always 2) as it goes instead of sorting them all: the same sum, as the same
/// values are added in the same order.
fn top_mean(values: impl Iterator<Item = f64>, k: usize) -> f64 {
    let mut top: SmallVec<[f64; 4]> = SmallVec::new();
    for value in values {
        if top.len() == k {
            match top.last() {
                Some(last) if value.total_cmp(last).is_gt() => {
                    top.pop();
                }
                _ => continue,
            }
        }
        let at = top.partition_point(|t| t.total_cmp(&value).is_ge());
        top.insert(at, value);
    }
    top.iter().sum::<f64>() / k as f64
}

/// The story with the highest score; ties go to the older (smaller) id.
fn best_story(scores: &BTreeMap<StoryId, f64>) -> Option<(StoryId, f64)> {
    let mut best: Option<(StoryId, f64)> = None;
    for (id, score) in scores {
        if best.is_none_or(|(_, b)| *score > b) {
            best = Some((*id, *score));
        }
    }
    best
}

/// Each outlet with an independent report, with its first one, oldest first.
fn first_independent_reports(
    docs: &[&Doc],
    support: &[(String, DateTime<Utc>)],
) -> Vec<(String, DateTime<Utc>)> {
    let mut first: BTreeMap<&str, DateTime<Utc>> = BTreeMap::new();
    let reports = docs
        .iter()
        .filter(|d| d.independent)
        .map(|d| (d.outlet.as_str(), d.published))
        .chain(support.iter().map(|(o, at)| (o.as_str(), *at)));
    for (outlet, published) in reports {
        let at = first.entry(outlet).or_insert(published);
        *at = (*at).min(published);
    }
    let mut reports: Vec<(String, DateTime<Utc>)> = first
        .into_iter()
        .map(|(o, at)| (o.to_string(), at))
        .collect();
    reports.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    reports
}

/// Articles (by sequence number) under one band value or index key, in sequence order.
/// Nearly every band value belongs to one article, so one lives inline without a heap
/// allocation.
type Postings = SmallVec<[u64; 1]>;

/// Calls `f` with each key in both sorted sets, in order.
fn for_shared(a: &[u64], b: &[u64], mut f: impl FnMut(u64)) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                f(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
}

/// Removes `seq` from the postings of `key`. Postings are pushed in sequence order, so
/// they are sorted and the article is found by binary search.
fn remove_posting<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Postings>, key: &K, seq: u64) {
    if let Some(postings) = map.get_mut(key) {
        if let Ok(at) = postings.binary_search(&seq) {
            postings.remove(at);
        }
        if postings.is_empty() {
            map.remove(key);
        }
    }
}

/// Time-proximity factor: 1 at the same moment, halving every `half_life`.
fn decay(a: DateTime<Utc>, b: DateTime<Utc>, half_life: TimeDelta) -> f64 {
    let hours = (a - b).num_seconds().abs() as f64 / 3600.0;
    let half_life = half_life.num_seconds() as f64 / 3600.0;
    0.5f64.powf(hours / half_life)
}

/// The sorted, deduplicated keys of `ids`.
fn sorted_set(ids: &[Key]) -> Vec<Key> {
    let mut set = ids.to_vec();
    set.sort_unstable();
    set.dedup();
    set
}

/// Sorted union of two sorted key sets.
fn union(a: &[Key], b: &[Key]) -> Vec<Key> {
    let mut all: Vec<Key> = a.iter().chain(b).copied().collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// Dot product of two unit vectors sorted by key.
fn cosine_with(a: &[(Key, f64)], b: &[(Key, f64)]) -> f64 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    dot
}

#[cfg(test)]
mod tests {
    use super::{Clusterer, top_mean};
    use crate::{StoryInput, StoryOptions};
    use ajil_model::{ArticleId, StoryId};
    use chrono::{DateTime, TimeDelta, Utc};

    /// A synthetic report: title and body keys made of `words` prefixes.
    struct Report {
        id: i64,
        outlet: &'static str,
        minutes: i64,
        title: Vec<String>,
        keys: Vec<String>,
        url: String,
    }

    impl Report {
        fn new(id: i64, outlet: &'static str, minutes: i64, title: &[&str], body: &[&str]) -> Self {
            let title: Vec<String> = title.iter().map(|w| w.to_string()).collect();
            let mut keys = title.clone();
            keys.extend(body.iter().map(|w| w.to_string()));
            Report {
                id,
                outlet,
                minutes,
                title,
                keys,
                url: format!("https://{outlet}.example/{id}"),
            }
        }

        fn at(&self) -> DateTime<Utc> {
            DateTime::from_timestamp(1_526_000_000, 0).unwrap() + TimeDelta::minutes(self.minutes)
        }

        fn input(&self) -> StoryInput<'_> {
            StoryInput {
                article: ArticleId(self.id),
                outlet: self.outlet,
                published: self.at(),
                url: &self.url,
                canonical_url: None,
                title_keys: &self.title,
                keys: &self.keys,
                minhash: &[],
                content_hash: 0,
                sound: &[],
                title_sound: &[],
                wire: None,
                section: None,
                statement: false,
            }
        }
    }

    /// Background news, so the window has a vocabulary, then three outlets on one
    /// happening within half an hour, and before the third a lone reaction sharing
    /// part of their words and a phrase of its own with a later report.
    fn stream() -> Vec<Report> {
        let mut reports: Vec<Report> = (0..60)
            .map(|i| {
                let t: Vec<String> = (0..5).map(|w| format!("bg{i}t{w}")).collect();
                let b: Vec<String> = (0..20).map(|w| format!("bg{i}b{w}")).collect();
                let t: Vec<&str> = t.iter().map(String::as_str).collect();
                let b: Vec<&str> = b.iter().map(String::as_str).collect();
                Report::new(1000 + i, "background", -600 + i, &t, &b)
            })
            .collect();
        let event = ["quake", "city", "dead", "rescue", "magnitude"];
        let body = [
            "quake",
            "city",
            "dead",
            "rescue",
            "magnitude",
            "toll",
            "teams",
        ];
        reports.push(Report::new(1, "one", 0, &event, &body));
        reports.push(Report::new(2, "two", 5, &event, &body));
        reports.push(Report::new(
            3,
            "three",
            10,
            &["quake", "condolence", "king", "message"],
            &["quake", "condolence", "king", "message", "sympathy"],
        ));
        reports.push(Report::new(4, "four", 20, &event, &body));
        // After the flip: a report that shares the reaction's phrase.
        reports.push(Report::new(
            5,
            "five",
            40,
            &["quake", "city", "king", "message"],
            &["quake", "city", "dead", "king", "message", "toll"],
        ));
        reports
    }

    /// Where report 3 (the reaction) goes, the story's profile, and the live clusterer.
    fn live() -> (Clusterer, Vec<(i64, StoryId)>, Vec<StoryId>) {
        let opts = StoryOptions {
            breaking_join_threshold: 0.01,
            ..StoryOptions::default()
        };
        let mut c = Clusterer::new(opts).unwrap();
        let mut placed = Vec::new();
        let mut swept = Vec::new();
        for r in stream() {
            let a = c.add(&r.input(), r.at());
            swept.extend(a.swept.iter().copied());
            for gone in &a.merged {
                for p in placed.iter_mut().filter(|(_, s)| s == gone) {
                    p.1 = a.story;
                }
            }
            placed.push((r.id, a.story));
        }
        (c, placed, swept)
    }

    #[test]
    fn angles_stay_out_of_the_core_and_the_links_through_a_restart() {
        let (live, placed, swept) = live();
        let story = placed.iter().find(|(id, _)| *id == 1).unwrap().1;
        let reaction = placed.iter().find(|(id, _)| *id == 3).unwrap().1;
        assert_eq!(reaction, story, "the reaction is swept in");
        assert_eq!(swept.len(), 1);
        let core = |c: &Clusterer| c.stories[&story].core.clone();
        let has_king = |c: &Clusterer| core(c).iter().any(|(k, _)| c.vocab.word(*k) == "king");
        assert!(
            !has_king(&live),
            "the reaction's phrase is not what the story is about"
        );

        // Restarted from the stored stories, with and without the angle kept.
        let restore = |keep_angles: bool| {
            let mut c = Clusterer::new(live.opts.clone()).unwrap();
            for r in stream() {
                let story = placed.iter().find(|(id, _)| *id == r.id).unwrap().1;
                if keep_angles && r.id == 3 {
                    let _ = c.add_angle_with_story(&r.input(), story, r.at());
                } else {
                    let _ = c.add_with_story(&r.input(), story, r.at());
                }
            }
            c
        };
        let restored = restore(true);
        assert_eq!(core(&restored), core(&live));
        assert_eq!(
            restored.stories[&story].originals,
            live.stories[&story].originals
        );
        // Without it, the reaction and the later report make its phrase core.
        assert!(has_king(&restore(false)));

        // The reaction's words again, hours after the flip (the ordinary bar): nothing
        // in the story but the angle says them, so it is a story of its own.
        for mut c in [live, restored] {
            let again = Report::new(
                6,
                "six",
                20 + 7 * 60,
                &["quake", "condolence", "king", "message"],
                &["quake", "condolence", "king", "message", "sympathy"],
            );
            let placed = c.add(&again.input(), again.at());
            assert_ne!(placed.story, story);
        }
    }

    /// What [`top_mean`] replaced: sort all, add the first `k`.
    fn sorted_mean(mut values: Vec<f64>, k: usize) -> f64 {
        values.sort_by(|a, b| b.total_cmp(a));
        values.iter().take(k).sum::<f64>() / k as f64
    }

    #[test]
    fn top_mean_is_the_mean_of_the_sorted_best() {
        let lists: [&[f64]; 6] = [
            &[],
            &[0.3],
            &[0.1, 0.7, 0.2, 0.7, 0.05],
            &[0.25, 0.1 + 0.2, 0.3, 0.0, 1e-17],
            &[0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3],
            &[0.2, 0.2, 0.2],
        ];
        for values in lists {
            for k in 1..=5 {
                let got = top_mean(values.iter().copied(), k);
                let want = sorted_mean(values.to_vec(), k);
                assert_eq!(got.to_bits(), want.to_bits(), "{values:?} k {k}");
            }
        }
        assert_eq!(top_mean([0.2, 0.4].into_iter(), 3), (0.4 + 0.2) / 3.0);
    }
}
