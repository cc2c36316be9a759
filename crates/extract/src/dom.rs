//! A flat, pre-order view of the parsed tree.
//!
//! Every walk in this crate is a loop over this array, never recursion, so a
//! page nested 100,000 levels deep cannot overflow the stack: node `i`'s
//! subtree is the index range `i..end[i]`.

use ego_tree::NodeId;
use scraper::node::Element;
use scraper::{Html, Node};

/// One node of the flat view.
pub(crate) struct Flat {
    pub(crate) id: NodeId,
    pub(crate) parent: usize,
    pub(crate) end: usize,
    /// What the node is, as [`kind`] bits, classified once at index time so
    /// the walks test bits instead of comparing tag names and class strings.
    pub(crate) kind: u32,
}

/// Node classes, computed once per node by [`classify`].
pub(crate) mod kind {
    /// A text node.
    pub(crate) const TEXT: u32 = 1;
    /// An element.
    pub(crate) const ELEM: u32 = 1 << 1;
    /// `script`, `style`, `noscript`, `template`: no visible text.
    pub(crate) const INVISIBLE: u32 = 1 << 2;
    /// Starts a new block of text ([`super::is_block`]).
    pub(crate) const BLOCK: u32 = 1 << 3;
    /// Never article text ([`crate::noise::is_hard_noise_tag`]).
    pub(crate) const HARD_NOISE: u32 = 1 << 4;
    /// Structural furniture ([`crate::noise::is_furniture_tag`]).
    pub(crate) const FURNITURE: u32 = 1 << 5;
    /// Class/id/itemprop mark the article body.
    pub(crate) const CONTENT_ATTR: u32 = 1 << 6;
    /// Class/id/role mark a widget.
    pub(crate) const NOISE_ATTR: u32 = 1 << 7;
    /// Hidden from readers.
    pub(crate) const HIDDEN: u32 = 1 << 8;
    /// `h1`.
    pub(crate) const H1: u32 = 1 << 9;
    /// `h2`.
    pub(crate) const H2: u32 = 1 << 10;
    /// `a`.
    pub(crate) const LINK: u32 = 1 << 11;
    /// `img`.
    pub(crate) const IMG: u32 = 1 << 12;
    /// `br`, `hr`: break a block but hold nothing.
    pub(crate) const BREAK: u32 = 1 << 13;
    /// Skipped whole when splitting blocks: scripts, styles, `head`, `title`.
    pub(crate) const NO_BLOCKS: u32 = 1 << 14;
    /// `article`.
    pub(crate) const ARTICLE: u32 = 1 << 15;
    /// `html` or `body`: never removed by class rules.
    pub(crate) const ROOT: u32 = 1 << 16;
    /// `body`.
    pub(crate) const BODY: u32 = 1 << 17;
}

/// Classifies one node for [`Flat::kind`].
fn classify(node: &Node) -> u32 {
    use crate::noise::{
        Attrs, is_content_attr, is_furniture_tag, is_hard_noise_tag, is_hidden, is_noise_attr,
    };
    match node {
        Node::Text(_) => kind::TEXT,
        Node::Element(e) => {
            let tag = e.name();
            let flag = |cond: bool, bit: u32| if cond { bit } else { 0 };
            let mut k = kind::ELEM
                | flag(
                    matches!(tag, "script" | "style" | "noscript" | "template"),
                    kind::INVISIBLE,
                )
                | flag(is_block(tag), kind::BLOCK)
                | flag(is_hard_noise_tag(tag), kind::HARD_NOISE)
                | flag(is_furniture_tag(tag), kind::FURNITURE)
                | flag(tag == "h1", kind::H1)
                | flag(tag == "h2", kind::H2)
                | flag(tag == "a", kind::LINK)
                | flag(tag == "img", kind::IMG)
                | flag(matches!(tag, "br" | "hr"), kind::BREAK)
                | flag(
                    matches!(tag, "script" | "style" | "template" | "head" | "title"),
                    kind::NO_BLOCKS,
                )
                | flag(tag == "article", kind::ARTICLE)
                | flag(matches!(tag, "html" | "body"), kind::ROOT)
                | flag(tag == "body", kind::BODY);
            // Attribute rules only matter on elements the tag rules keep.
            if k & kind::HARD_NOISE == 0 && !e.attrs.is_empty() {
                let a = Attrs::of(e);
                k |= flag(is_content_attr(&a), kind::CONTENT_ATTR)
                    | flag(is_noise_attr(&a), kind::NOISE_ATTR)
                    | flag(is_hidden(&a), kind::HIDDEN);
            }
            k
        }
        _ => 0,
    }
}

/// The parsed page plus its pre-order index.
pub(crate) struct Dom {
    pub(crate) html: Html,
    pub(crate) nodes: Vec<Flat>,
}

impl Dom {
    /// Parses a whole document.
    pub(crate) fn document(text: &str) -> Self {
        Self::index(Html::parse_document(&crate::depth::prepare(text)))
    }

    /// Parses a fragment (feed `content`/`summary`).
    pub(crate) fn fragment(text: &str) -> Self {
        Self::index(Html::parse_fragment(&crate::depth::prepare(text)))
    }

    fn index(html: Html) -> Self {
        let mut nodes: Vec<Flat> = Vec::new();
        let mut stack: Vec<usize> = Vec::new();
        for edge in html.tree.root().traverse() {
            match edge {
                ego_tree::iter::Edge::Open(n) => {
                    let parent = stack.last().copied().unwrap_or(usize::MAX);
                    stack.push(nodes.len());
                    nodes.push(Flat {
                        id: n.id(),
                        parent,
                        end: 0,
                        kind: classify(n.value()),
                    });
                }
                ego_tree::iter::Edge::Close(_) => {
                    if let Some(i) = stack.pop() {
                        nodes[i].end = nodes.len();
                    }
                }
            }
        }
        Dom { html, nodes }
    }

    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    pub(crate) fn node(&self, i: usize) -> &Node {
        self.html
            .tree
            .get(self.nodes[i].id)
            .map(|n| n.value())
            .unwrap_or(&Node::Document)
    }

    pub(crate) fn elem(&self, i: usize) -> Option<&Element> {
        self.node(i).as_element()
    }

    pub(crate) fn text(&self, i: usize) -> Option<&str> {
        self.node(i).as_text().map(|t| &**t)
    }

    pub(crate) fn tag(&self, i: usize) -> &str {
        self.elem(i).map(|e| e.name()).unwrap_or("")
    }

    /// Whether node `i` has any of the [`kind`] bits in `bits`.
    pub(crate) fn is(&self, i: usize, bits: u32) -> bool {
        self.nodes[i].kind & bits != 0
    }

    /// Text of the subtree at `i`, whitespace-collapsed, skipping scripts and styles.
    pub(crate) fn text_of(&self, i: usize) -> String {
        let mut out = String::new();
        let mut j = i;
        while j < self.nodes[i].end {
            if self.is(j, kind::INVISIBLE) {
                j = self.nodes[j].end;
                continue;
            }
            if let Some(t) = self.text(j) {
                out.push_str(t);
            }
            j += 1;
        }
        collapse_ws(&out)
    }

    /// Raw text of the direct text children of `i` (for `<script>` bodies).
    pub(crate) fn raw_text(&self, i: usize) -> String {
        let mut out = String::new();
        for j in i + 1..self.nodes[i].end {
            if self.nodes[j].parent == i
                && let Some(t) = self.text(j)
            {
                out.push_str(t);
            }
        }
        out
    }

    /// Index of the first element with this tag name.
    pub(crate) fn first(&self, tag: &str) -> Option<usize> {
        (0..self.len()).find(|&i| self.is(i, kind::ELEM) && self.tag(i) == tag)
    }

    /// Index of the `<body>` element.
    pub(crate) fn body(&self) -> Option<usize> {
        (0..self.len()).find(|&i| self.is(i, kind::BODY))
    }
}

/// Collapses whitespace runs to one space and trims; drops invisible format marks.
pub(crate) fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending = false;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}' {
            pending = true;
        } else {
            if pending && !out.is_empty() {
                out.push(' ');
            }
            pending = false;
            out.push(c);
        }
    }
    out
}

/// Elements that start a new block of text.
pub(crate) fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "li"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "thead"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "caption"
            | "ul"
            | "br"
            | "noscript"
            | "option"
            | "select"
            | "textarea"
    )
}

/// One run of text between block boundaries.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    /// Innermost block element holding the text.
    pub(crate) owner: usize,
    /// Whitespace-collapsed text.
    pub(crate) text: String,
    /// Characters of `text` that sit inside links.
    pub(crate) link_chars: usize,
    /// Characters of `text` (not bytes).
    pub(crate) chars: usize,
}

impl Block {
    pub(crate) fn link_density(&self) -> f32 {
        if self.chars == 0 {
            0.0
        } else {
            self.link_chars as f32 / self.chars as f32
        }
    }
}

/// Splits the subtree at `root` into text blocks, skipping nodes marked in `removed`.
pub(crate) fn blocks(dom: &Dom, root: usize, removed: &[bool]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut link_chars = 0usize;
    // Open block elements as (index, end).
    let mut open: Vec<(usize, usize)> = vec![(root, dom.nodes[root].end)];
    let mut link_until = 0usize;
    let flush = |buf: &mut String, link_chars: &mut usize, owner: usize, out: &mut Vec<Block>| {
        let text = collapse_ws(buf);
        if !text.is_empty() {
            let chars = text.chars().count();
            out.push(Block {
                owner,
                text,
                link_chars: (*link_chars).min(chars),
                chars,
            });
        }
        buf.clear();
        *link_chars = 0;
    };
    let end = dom.nodes[root].end;
    let mut i = root + 1;
    while i < end {
        while open.len() > 1 && open.last().is_some_and(|&(_, e)| e <= i) {
            let owner = open.last().map(|o| o.0).unwrap_or(root);
            flush(&mut buf, &mut link_chars, owner, &mut out);
            open.pop();
        }
        if removed[i] {
            i = dom.nodes[i].end;
            continue;
        }
        let owner = open.last().map(|o| o.0).unwrap_or(root);
        let k = dom.nodes[i].kind;
        if k & kind::ELEM != 0 {
            if k & kind::NO_BLOCKS != 0 {
                i = dom.nodes[i].end;
                continue;
            }
            if k & kind::BLOCK != 0 {
                flush(&mut buf, &mut link_chars, owner, &mut out);
                if k & kind::BREAK == 0 {
                    open.push((i, dom.nodes[i].end));
                }
            } else if k & kind::LINK != 0 {
                link_until = link_until.max(dom.nodes[i].end);
            } else if k & kind::IMG != 0 {
                // Images separate words that would otherwise run together.
                buf.push(' ');
            }
        } else if k & kind::TEXT != 0
            && let Some(t) = dom.text(i)
        {
            if i < link_until {
                link_chars += t
                    .split_whitespace()
                    .map(|w| w.chars().count() + 1)
                    .sum::<usize>();
            }
            buf.push_str(t);
        }
        i += 1;
    }
    while let Some((owner, _)) = open.pop() {
        flush(&mut buf, &mut link_chars, owner, &mut out);
    }
    out
}
