//! Main-content selection: score text blocks, pick the element that holds
//! the most good text net of boilerplate, then filter its blocks.
//!
//! A block is "good" when it reads like prose (long enough, few links); every
//! element gets the sum of its blocks' values (good text counts for, link
//! lists and boilerplate count against), and the best-valued element wins,
//! the deepest on ties. Unlike picking the single best paragraph parent,
//! this keeps article bodies split by inline ads or related links together.

use crate::dom::{Block, Dom, blocks, collapse_ws, kind};
use crate::noise::{is_boilerplate, strip_shortcodes};

/// Below this many characters the strict pass is retried without class rules.
const MIN_TEXT: usize = 150;

/// A marked article body wins if its value is at least this share of the best.
/// On the scrapinghub set any value from 0.1 to 0.4 scores the same; 0.6 loses
/// pages whose body is followed by long comment or teaser rails.
const MARKED_SHARE: f32 = 0.2;

/// Share of the page's text above which an element is never dropped as a
/// widget: a `<div class="main has-sidebar">` around the article is layout, not noise.
const GUARD_SHARE: f32 = 0.4;

/// Extracts the article paragraphs of a document.
pub(crate) fn article_paragraphs(dom: &Dom, title: Option<&str>) -> Vec<String> {
    let Some(body) = dom.body().or(if dom.len() > 0 { Some(0) } else { None }) else {
        return Vec::new();
    };
    let lens = text_lengths(dom);
    let strict = removal(dom, &lens, body, true);
    let paras = select(dom, body, &strict, title);
    if paras.iter().map(|p| p.chars().count()).sum::<usize>() >= MIN_TEXT {
        return paras;
    }
    let relaxed = removal(dom, &lens, body, false);
    let more = select(dom, body, &relaxed, title);
    let len = |v: &[String]| v.iter().map(|p| p.chars().count()).sum::<usize>();
    if len(&more) > len(&paras) {
        more
    } else {
        paras
    }
}

/// Cleans a feed fragment: same element and text rules, no container choice.
pub(crate) fn fragment_paragraphs(dom: &Dom) -> Vec<String> {
    let lens = text_lengths(dom);
    let removed = removal(dom, &lens, 0, true);
    let bl = blocks(dom, 0, &removed);
    finish(dom, &bl, None, 0, dom.len())
}

/// Visible (non-whitespace) characters under each node, scripts excluded.
fn text_lengths(dom: &Dom) -> Vec<u32> {
    let n = dom.len();
    let mut len = vec![0u32; n];
    for i in (0..n).rev() {
        let p = dom.nodes[i].parent;
        if dom.is(i, kind::TEXT) {
            // Script and style bodies are long and never counted: skip them.
            if p == usize::MAX || !dom.is(p, kind::INVISIBLE) {
                len[i] = dom.text(i).map_or(0, visible_chars);
            }
        } else if dom.is(i, kind::INVISIBLE) {
            len[i] = 0;
        }
        if p != usize::MAX {
            len[p] = len[p].saturating_add(len[i]);
        }
    }
    len
}

/// Characters other than ASCII whitespace, counted on bytes: every UTF-8
/// character has exactly one byte that is not a continuation byte.
fn visible_chars(t: &str) -> u32 {
    t.bytes()
        .filter(|&b| (b & 0xC0) != 0x80 && !b.is_ascii_whitespace())
        .count() as u32
}

/// Marks nodes to skip. `strict` adds furniture tags and class/id rules.
fn removal(dom: &Dom, lens: &[u32], body: usize, strict: bool) -> Vec<bool> {
    let n = dom.len();
    let total = lens.get(body).copied().unwrap_or(0) as f32;
    // Elements marked as the article body, and their ancestors, are never
    // widgets, whatever their class says ("article-inner-content-breaking-news").
    let mut holds_content = vec![false; n];
    for i in (0..n).rev() {
        if dom.is(i, kind::CONTENT_ATTR) {
            holds_content[i] = true;
        }
        let p = dom.nodes[i].parent;
        if holds_content[i] && p != usize::MAX {
            holds_content[p] = true;
        }
    }
    let mut removed = vec![false; n];
    for i in 0..n {
        let p = dom.nodes[i].parent;
        if p != usize::MAX && removed[p] {
            removed[i] = true;
            continue;
        }
        let k = dom.nodes[i].kind;
        if k & kind::ELEM == 0 {
            continue;
        }
        if k & kind::HARD_NOISE != 0 {
            removed[i] = true;
            continue;
        }
        if !strict || k & kind::ROOT != 0 {
            continue;
        }
        if k & kind::HIDDEN != 0 {
            removed[i] = true;
            continue;
        }
        if holds_content[i] {
            continue;
        }
        let big = lens[i] as f32 > GUARD_SHARE * total;
        if !big && k & (kind::FURNITURE | kind::NOISE_ATTR) != 0 {
            removed[i] = true;
        }
    }
    removed
}

fn has_sentence_punct(s: &str) -> bool {
    s.contains([
        '.', '!', '?', '؟', '،', ',', '؛', ':', '"', '”', '«', '。', '、', '！', '？', '।',
    ])
}

/// The value a block adds to every element holding it.
fn block_value(b: &Block) -> f32 {
    let chars = b.chars as f32;
    let link = b.link_chars as f32;
    if is_boilerplate(&b.text, b.chars) {
        return -0.5 * chars;
    }
    // Prose counts for its unlinked text and against its linked text, so a
    // news-roundup item ("<a>headline</a>. Summary…") nets about zero while a
    // menu or a related-headlines list weighs against its container.
    if is_teaser(b) {
        return -chars;
    }
    if is_prose(&b.text, b.chars) {
        (chars - link) - 0.8 * link
    } else {
        -0.1 * (chars - link) - link
    }
}

/// Marks the ancestors of the heading that carries the page title: of
/// several `<article>`s on a page, the one with the headline is the story.
fn title_holders(dom: &Dom, title: Option<&str>) -> Vec<bool> {
    let n = dom.len();
    let mut held = vec![false; n];
    let Some(title) = title.map(title_key).filter(|t| !t.is_empty()) else {
        return held;
    };
    for (i, flag) in held.iter_mut().enumerate() {
        if dom.is(i, kind::H1 | kind::H2) {
            let h = title_key(&dom.text_of(i));
            *flag = !h.is_empty() && (h == title || title.starts_with(&h) || h.starts_with(&title));
        }
    }
    for i in (1..n).rev() {
        let p = dom.nodes[i].parent;
        if held[i] && p != usize::MAX {
            held[p] = true;
        }
    }
    held
}

/// A headline folded for comparison: lowercase, and "…" written as "..."
/// (`<title>Só quem se Ama...` against `<h1>Só quem se Ama…`).
fn title_key(t: &str) -> String {
    collapse_ws(t).to_lowercase().replace('…', "...")
}

/// A teaser: a linked headline and a summary cut off with an ellipsis.
fn is_teaser(b: &Block) -> bool {
    b.link_chars > 0 && (b.text.ends_with("...") || b.text.ends_with('…'))
}

/// "Updated 11:21 pm CST, Tuesday, November 19, 2019", "Nov 18, 2019 at
/// 9:24 pm ET • 2 min read": a short line holding a date and no sentence.
fn is_date_line(text: &str, chars: usize) -> bool {
    // "— Name (@handle) November 18, 2019" closes an embedded post: content.
    chars < 120
        && text.contains(|c: char| c.is_numeric())
        && !text.starts_with(['—', '–', '-'])
        && !text.contains('@')
        && !text
            .trim_end()
            .ends_with(['.', '!', '?', '…', '"', '”', '؟', '。'])
        && crate::dates::parse_visible(text).is_some()
}

fn is_prose(text: &str, chars: usize) -> bool {
    chars >= 80 || (chars >= 30 && has_sentence_punct(text))
}

/// Link lists and lone related headlines; a paragraph with a few links stays.
fn is_link_block(b: &Block) -> bool {
    let ld = b.link_density();
    ld > 0.65 || (ld > 0.5 && b.chars - b.link_chars < 40)
}

fn select(dom: &Dom, body: usize, removed: &[bool], title: Option<&str>) -> Vec<String> {
    let bl = blocks(dom, body, removed);
    let n = dom.len();
    let mut acc = vec![0f32; n];
    for b in &bl {
        acc[b.owner] += block_value(b);
    }
    for i in (body + 1..n).rev() {
        let p = dom.nodes[i].parent;
        if p != usize::MAX {
            acc[p] += acc[i];
        }
    }
    let titled = title_holders(dom, title);
    let mut best = body;
    let mut best_score = f32::MIN;
    let mut marked: Option<(usize, f32)> = None;
    let mut article: Option<(usize, f32)> = None;
    for i in body..dom.nodes[body].end {
        if removed[i] {
            continue;
        }
        let k = dom.nodes[i].kind;
        if k & kind::ELEM == 0 {
            continue;
        }
        let score = acc[i];
        // `>=` in pre-order: a descendant with the same value beats its wrapper.
        if score >= best_score {
            best_score = score;
            best = i;
        }
        if k & kind::CONTENT_ATTR != 0 && marked.is_none_or(|m| score >= m.1) {
            marked = Some((i, score));
        }
        if k & kind::ARTICLE != 0 && titled[i] && article.is_none_or(|m| score >= m.1) {
            article = Some((i, score));
        }
    }
    // The page's own "this is the article body" mark (itemprop=articleBody,
    // entry-content, …, else the best `<article>`) beats a bigger block of
    // teasers with summaries, as long as it holds a fair share of the best value.
    let marked = marked
        .filter(|m| m.1 > 0.0 && m.1 >= MARKED_SHARE * best_score)
        .or(article);
    if let Some((i, score)) = marked
        && score > 0.0
        && score >= MARKED_SHARE * best_score
    {
        best = i;
        best_score = score;
    }
    // With no prose anywhere, every element scores at most zero: keep all blocks.
    if best_score <= 0.0 {
        best = body;
    }
    finish(dom, &bl, title, best, dom.nodes[best].end)
}

/// Keeps the blocks owned inside `start..end` that are not boilerplate.
fn finish(dom: &Dom, bl: &[Block], title: Option<&str>, start: usize, end: usize) -> Vec<String> {
    let title_norm = title.map(collapse_ws);
    let mut kept: Vec<(String, bool)> = Vec::new();
    for b in bl.iter().filter(|b| b.owner >= start && b.owner < end) {
        if dom.is(b.owner, kind::H1) {
            continue;
        }
        let text = strip_shortcodes(&b.text);
        if text.is_empty() || title_norm.as_deref() == Some(text.as_str()) {
            continue;
        }
        let chars = text.chars().count();
        if is_boilerplate(&text, chars) || is_date_line(&text, chars) {
            continue;
        }
        if is_link_block(b) || is_teaser(b) {
            continue;
        }
        let good = is_prose(&text, chars);
        kept.push((text, good));
    }
    // Bylines, dates and labels before the first prose block or after the last
    // one are furniture that survived the element rules.
    let first = kept.iter().position(|k| k.1);
    let last = kept.iter().rposition(|k| k.1);
    match (first, last) {
        (Some(f), Some(l)) => kept
            .into_iter()
            .enumerate()
            .filter(|(i, k)| {
                (*i >= f && *i <= l)
                    || (k.0.chars().count() >= 60 && has_sentence_punct(&k.0))
                    || crate::wire::is_credit_line(&k.0)
            })
            .map(|(_, k)| k.0)
            .collect(),
        _ => kept.into_iter().map(|k| k.0).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_lines_go_but_sentences_and_embed_signatures_stay() {
        for s in [
            "Updated 11:21 pm CST, Tuesday, November 19, 2019",
            "Nov 18, 2019 at 9:24 pm ET • 2 min read",
            "الأربعاء ٥ آذار ٢٠٢٥ - ١٤:٣٠",
        ] {
            assert!(is_date_line(s, s.chars().count()), "{s}");
        }
        for s in [
            "The deal was signed on November 19, 2019.",
            "— The Senate (@Senate) October 9, 2018",
            "Talks resume on Monday",
        ] {
            assert!(!is_date_line(s, s.chars().count()), "{s}");
        }
    }

    #[test]
    fn marked_body_beats_a_bigger_rail_of_summaries() {
        let rail: String = (0..6)
            .map(|i| format!("<div class='card'><p>Another story number {i} has a summary long enough to read like a real paragraph of prose, with commas.</p></div>"))
            .collect();
        let page = format!(
            "<html><body><div itemprop='articleBody'><p>The article itself is this paragraph, which is long enough to count as prose, with a comma.</p>\
             <p>And a second paragraph follows it, again long enough to be counted as real article text.</p></div>{rail}</body></html>"
        );
        let dom = Dom::document(&page);
        let paras = article_paragraphs(&dom, None);
        assert_eq!(paras.len(), 2, "{paras:?}");
        assert!(paras[0].starts_with("The article itself"));
    }

    #[test]
    fn titled_article_wins_when_the_title_spells_the_ellipsis_as_dots() {
        let teaser = |i: usize| {
            format!(
                "<article><h2><a href='/{i}'>Other post {i}</a></h2><p>Another post's opening lines, long enough to read like prose, cut short here …</p></article>"
            )
        };
        let page = format!(
            "<html><body><article><h1>Only those who love…</h1><p>The post itself, long enough to read like a real paragraph of prose, with a comma.</p></article>{}</body></html>",
            (0..4).map(teaser).collect::<String>()
        );
        let dom = Dom::document(&page);
        let paras = article_paragraphs(&dom, Some("Only those who love..."));
        assert_eq!(paras.len(), 1, "{paras:?}");
        assert!(paras[0].starts_with("The post itself"));
    }
}
