//! The query language: lexer, parser and syntax tree.
//!
//! ```text
//! query   := or EOF
//! or      := and (("OR" | "|") and)*
//! and     := unary+                      (implicit AND)
//! unary   := "-" primary | primary
//! primary := WORD | "PHRASE" | "(" or ")" | lang:CODES | source:NAME
//! ```
//!
//! Filters (`lang:`, `source:`) apply to the whole query, so they may only
//! stand in the top-level AND sequence.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::QueryError;

/// A node of a parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Node {
    /// One typed word (it may still normalize to several keys, e.g. "al-Assad").
    Word(String),
    /// The words between quotes, matched as consecutive keys.
    Phrase(String),
    /// An exclusion: the document must not match the inner node.
    Not(Box<Node>),
    /// Every child must match.
    And(Vec<Node>),
    /// At least one child must match.
    Or(Vec<Node>),
}

/// A parsed stored query: a tree of terms plus the whole-query filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    root: Node,
    langs: Vec<String>,
    sources: Vec<String>,
}

impl Query {
    /// Parses a query as a subscriber typed it.
    ///
    /// ```
    /// use ajil_query::{Node, Query};
    /// let q = Query::parse("(غزة OR gaza) -كرة source:\"BBC Arabic\" lang:ar,en").unwrap();
    /// assert_eq!(q.langs(), ["ar", "en"]);
    /// assert_eq!(q.sources(), ["BBC Arabic"]);
    /// assert!(matches!(q.root(), Node::And(children) if children.len() == 2));
    /// assert_eq!(
    ///     Query::parse("gaza OR").unwrap_err().to_string(),
    ///     "OR at column 6 needs a term on both sides"
    /// );
    /// ```
    pub fn parse(input: &str) -> Result<Query, QueryError> {
        let tokens = lex(input)?;
        let mut parser = Parser {
            tokens,
            pos: 0,
            langs: Vec::new(),
            sources: Vec::new(),
        };
        let root = parser.parse_top()?;
        Ok(Query {
            root,
            langs: parser.langs,
            sources: parser.sources,
        })
    }

    /// The tree of terms.
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// Languages from `lang:` (lowercase ISO codes); empty means any.
    pub fn langs(&self) -> &[String] {
        &self.langs
    }

    /// Source names from `source:` as typed; empty means any. A document
    /// from any one of them passes.
    pub fn sources(&self) -> &[String] {
        &self.sources
    }
}

/// Renders the query in canonical form, which parses back to the same query.
impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Filters apply to the whole query, which a top-level OR beside them
        // would leave unclear (the parser refuses it): the OR goes in parentheses.
        let filtered = !self.langs.is_empty() || !self.sources.is_empty();
        if filtered && matches!(self.root, Node::Or(_)) {
            f.write_str("(")?;
            write_node(f, &self.root, false)?;
            f.write_str(")")?;
        } else {
            write_node(f, &self.root, false)?;
        }
        if !self.langs.is_empty() {
            write!(f, " lang:{}", self.langs.join(","))?;
        }
        for source in &self.sources {
            if source
                .chars()
                .any(|c| c.is_whitespace() || "()|".contains(c))
            {
                write!(f, " source:\"{source}\"")?;
            } else {
                write!(f, " source:{source}")?;
            }
        }
        Ok(())
    }
}

fn write_node(f: &mut fmt::Formatter<'_>, node: &Node, in_and: bool) -> fmt::Result {
    match node {
        Node::Word(w) => f.write_str(w),
        Node::Phrase(p) => write!(f, "\"{p}\""),
        Node::Not(inner) => {
            f.write_str("-")?;
            write_node(f, inner, true)
        }
        Node::And(children) => {
            // Only a nested AND under NOT needs parentheses.
            if in_and {
                f.write_str("(")?;
            }
            for (i, child) in children.iter().enumerate() {
                if i > 0 {
                    f.write_str(" ")?;
                }
                write_node(f, child, true)?;
            }
            if in_and {
                f.write_str(")")?;
            }
            Ok(())
        }
        Node::Or(children) => {
            if in_and {
                f.write_str("(")?;
            }
            for (i, child) in children.iter().enumerate() {
                if i > 0 {
                    f.write_str(" OR ")?;
                }
                // "(a OR b) OR c" keeps its grouping so it parses back alike.
                write_node(f, child, matches!(child, Node::Or(_)))?;
            }
            if in_and {
                f.write_str(")")?;
            }
            Ok(())
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Phrase(String),
    Minus,
    Open,
    Close,
    Or,
    Lang(Vec<String>),
    Source(String),
}

/// A token and the column (1-based, in characters) where it starts.
type Spanned = (Tok, usize);

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”')
}

fn ends_word(c: char) -> bool {
    c.is_whitespace() || is_quote(c) || matches!(c, '(' | ')' | '|')
}

fn lex(input: &str) -> Result<Vec<Spanned>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' || c == ')' || c == '|' {
            let tok = match c {
                '(' => Tok::Open,
                ')' => Tok::Close,
                _ => Tok::Or,
            };
            tokens.push((tok, column));
            i += 1;
        } else if is_quote(c) {
            let (text, next) = read_quoted(&chars, i)?;
            if text.trim().is_empty() {
                return Err(QueryError::EmptyPhrase { column });
            }
            tokens.push((Tok::Phrase(text.trim().to_string()), column));
            i = next;
        } else if c == '-' {
            match chars.get(i + 1) {
                Some(&n) if !n.is_whitespace() && n != ')' && n != '|' && n != '-' => {
                    tokens.push((Tok::Minus, column));
                    i += 1;
                }
                _ => return Err(QueryError::DanglingMinus { column }),
            }
        } else {
            let start = i;
            while i < chars.len() && !ends_word(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if word == "OR" {
                tokens.push((Tok::Or, column));
            } else if let Some(value) = strip_prefix_ci(&word, "lang:") {
                tokens.push((Tok::Lang(parse_langs(value, column)?), column));
            } else if let Some(value) = strip_prefix_ci(&word, "source:") {
                let name = if value.is_empty() && i < chars.len() && is_quote(chars[i]) {
                    let (text, next) = read_quoted(&chars, i)?;
                    i = next;
                    text.trim().to_string()
                } else {
                    value.to_string()
                };
                if name.is_empty() {
                    return Err(QueryError::FilterNeedsValue {
                        name: "source",
                        column,
                        example: "source:\"BBC Arabic\"",
                    });
                }
                tokens.push((Tok::Source(name), column));
            } else {
                tokens.push((Tok::Word(word), column));
            }
        }
    }
    Ok(tokens)
}

/// Reads a quoted string whose opening quote is at `open`; returns the
/// text and the index after the closing quote.
fn read_quoted(chars: &[char], open: usize) -> Result<(String, usize), QueryError> {
    let close = chars[open + 1..]
        .iter()
        .position(|&c| is_quote(c))
        .map(|p| open + 1 + p)
        .ok_or(QueryError::UnclosedQuote { column: open + 1 })?;
    Ok((chars[open + 1..close].iter().collect(), close + 1))
}

fn strip_prefix_ci<'a>(word: &'a str, prefix: &str) -> Option<&'a str> {
    let head = word.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &word[prefix.len()..])
}

fn parse_langs(value: &str, column: usize) -> Result<Vec<String>, QueryError> {
    if value.is_empty() {
        return Err(QueryError::FilterNeedsValue {
            name: "lang",
            column,
            example: "lang:ar,en",
        });
    }
    let mut langs = Vec::new();
    let mut code_column = column + "lang:".len();
    for code in value.split(',') {
        let this_column = code_column;
        code_column += code.chars().count() + 1;
        if code.is_empty() {
            continue;
        }
        // Accept a region or script tag ("ar-EG") and keep its language.
        let primary = code.split(['-', '_']).next().unwrap_or("");
        if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(QueryError::BadLanguage {
                value: code.to_string(),
                column: this_column,
            });
        }
        let primary = primary.to_ascii_lowercase();
        if !langs.contains(&primary) {
            langs.push(primary);
        }
    }
    if langs.is_empty() {
        return Err(QueryError::FilterNeedsValue {
            name: "lang",
            column,
            example: "lang:ar,en",
        });
    }
    Ok(langs)
}

struct Parser {
    tokens: Vec<Spanned>,
    pos: usize,
    langs: Vec<String>,
    sources: Vec<String>,
}

/// A parsed AND sequence: its node (if any term) and the filters met in it.
struct AndPart {
    node: Option<Node>,
    start: usize,
    filters: Vec<(&'static str, usize)>,
}

impl Parser {
    fn peek(&self) -> Option<&Spanned> {
        self.tokens.get(self.pos)
    }

    fn parse_top(&mut self) -> Result<Node, QueryError> {
        if self.tokens.is_empty() {
            return Err(QueryError::Empty);
        }
        let (node, had_or, filters) = self.parse_or(0)?;
        if let Some(&(Tok::Close, column)) = self.peek() {
            return Err(QueryError::UnmatchedClose { column });
        }
        if had_or && let Some(&(name, column)) = filters.first() {
            return Err(QueryError::MisplacedFilter { name, column });
        }
        let Some(node) = node else {
            let column = filters.first().map_or(1, |f| f.1);
            return Err(QueryError::OnlyFilters { column });
        };
        if !has_positive(&node) {
            let column = self
                .tokens
                .iter()
                .find(|t| t.0 == Tok::Minus)
                .map_or(1, |t| t.1);
            return Err(QueryError::OnlyExclusions { column });
        }
        Ok(node)
    }

    /// Parses `and (OR and)*`; returns the node, whether an OR was seen and
    /// the filters found (only legal at depth 0 without OR).
    #[allow(clippy::type_complexity)]
    fn parse_or(
        &mut self,
        depth: usize,
    ) -> Result<(Option<Node>, bool, Vec<(&'static str, usize)>), QueryError> {
        let first = self.parse_and(depth)?;
        let mut filters = first.filters.clone();
        let mut alternatives = vec![first];
        let mut had_or = false;
        while let Some(&(Tok::Or, column)) = self.peek() {
            self.pos += 1;
            had_or = true;
            let next = self.parse_and(depth)?;
            if alternatives.last().is_some_and(|a| a.node.is_none()) || next.node.is_none() {
                return Err(QueryError::OrNeedsTerms { column });
            }
            filters.extend(next.filters.iter().copied());
            alternatives.push(next);
        }
        if !had_or {
            return Ok((alternatives.pop().and_then(|a| a.node), false, filters));
        }
        let mut children = Vec::with_capacity(alternatives.len());
        for alt in alternatives {
            let node = alt
                .node
                .ok_or(QueryError::OrNeedsTerms { column: alt.start })?;
            if !has_positive(&node) {
                return Err(QueryError::ExclusionOnlyAlternative { column: alt.start });
            }
            children.push(node);
        }
        Ok((Some(Node::Or(children)), true, filters))
    }

    fn parse_and(&mut self, depth: usize) -> Result<AndPart, QueryError> {
        let start = self.peek().map_or(1, |t| t.1);
        let mut terms = Vec::new();
        let mut filters = Vec::new();
        while let Some((tok, column)) = self.peek().cloned() {
            match tok {
                Tok::Or | Tok::Close => break,
                Tok::Lang(langs) => {
                    self.pos += 1;
                    if depth > 0 {
                        return Err(QueryError::MisplacedFilter {
                            name: "lang",
                            column,
                        });
                    }
                    for lang in langs {
                        if !self.langs.contains(&lang) {
                            self.langs.push(lang);
                        }
                    }
                    filters.push(("lang", column));
                }
                Tok::Source(name) => {
                    self.pos += 1;
                    if depth > 0 {
                        return Err(QueryError::MisplacedFilter {
                            name: "source",
                            column,
                        });
                    }
                    self.sources.push(name);
                    filters.push(("source", column));
                }
                Tok::Minus => {
                    self.pos += 1;
                    let inner = match self.peek().cloned() {
                        Some((Tok::Lang(_), c)) => {
                            return Err(QueryError::MisplacedFilter {
                                name: "lang",
                                column: c,
                            });
                        }
                        Some((Tok::Source(_), c)) => {
                            return Err(QueryError::MisplacedFilter {
                                name: "source",
                                column: c,
                            });
                        }
                        Some((Tok::Word(_) | Tok::Phrase(_) | Tok::Open, _)) => {
                            self.parse_primary(depth)?
                        }
                        _ => return Err(QueryError::DanglingMinus { column }),
                    };
                    terms.push(Node::Not(Box::new(inner)));
                }
                Tok::Word(_) | Tok::Phrase(_) | Tok::Open => terms.push(self.parse_primary(depth)?),
            }
        }
        let node = match terms.len() {
            0 => None,
            1 => terms.pop(),
            _ => Some(Node::And(terms)),
        };
        Ok(AndPart {
            node,
            start,
            filters,
        })
    }

    fn parse_primary(&mut self, depth: usize) -> Result<Node, QueryError> {
        let Some((tok, column)) = self.peek().cloned() else {
            return Err(QueryError::Empty);
        };
        self.pos += 1;
        match tok {
            Tok::Word(w) => Ok(Node::Word(w)),
            Tok::Phrase(p) => Ok(Node::Phrase(p)),
            Tok::Open => {
                let (node, _, _) = self.parse_or(depth + 1)?;
                match self.peek() {
                    Some((Tok::Close, _)) => self.pos += 1,
                    _ => return Err(QueryError::UnclosedParen { column }),
                }
                let node = node.ok_or(QueryError::EmptyGroup { column })?;
                Ok(node)
            }
            _ => Err(QueryError::DanglingMinus { column }),
        }
    }
}

/// Whether a node can match on its own, i.e. is not only exclusions.
fn has_positive(node: &Node) -> bool {
    match node {
        Node::Word(_) | Node::Phrase(_) => true,
        Node::Not(_) => false,
        Node::And(children) => children.iter().any(has_positive),
        Node::Or(children) => children.iter().all(has_positive),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str) -> Node {
        Node::Word(w.to_string())
    }

    fn err(input: &str) -> String {
        Query::parse(input).unwrap_err().to_string()
    }

    #[test]
    fn words_are_anded() {
        let q = Query::parse("لافروف إسطنبول").unwrap();
        assert_eq!(q.root(), &Node::And(vec![word("لافروف"), word("إسطنبول")]));
        assert!(q.langs().is_empty() && q.sources().is_empty());
    }

    #[test]
    fn phrases_exclusions_and_filters() {
        let q = Query::parse("\"Iran deal\" -sport lang:ar,EN").unwrap();
        assert_eq!(
            q.root(),
            &Node::And(vec![
                Node::Phrase("Iran deal".into()),
                Node::Not(Box::new(word("sport")))
            ])
        );
        assert_eq!(q.langs(), ["ar", "en"]);
        let q = Query::parse("gaza -\"football match\"").unwrap();
        assert_eq!(
            q.root(),
            &Node::And(vec![
                word("gaza"),
                Node::Not(Box::new(Node::Phrase("football match".into())))
            ])
        );
    }

    #[test]
    fn or_binds_looser_than_and() {
        let q = Query::parse("a b OR c | d").unwrap();
        assert_eq!(
            q.root(),
            &Node::Or(vec![
                Node::And(vec![word("a"), word("b")]),
                word("c"),
                word("d")
            ])
        );
        // Lowercase "or" is an ordinary word.
        let q = Query::parse("war or peace").unwrap();
        assert_eq!(
            q.root(),
            &Node::And(vec![word("war"), word("or"), word("peace")])
        );
    }

    #[test]
    fn groups_and_quoted_sources() {
        let q = Query::parse("(غزة OR gaza) -كرة source:\"BBC Arabic\" source:cnn").unwrap();
        assert_eq!(
            q.root(),
            &Node::And(vec![
                Node::Or(vec![word("غزة"), word("gaza")]),
                Node::Not(Box::new(word("كرة"))),
            ])
        );
        assert_eq!(q.sources(), ["BBC Arabic", "cnn"]);
        let q = Query::parse("-(a OR b) c").unwrap();
        assert_eq!(
            q.root(),
            &Node::And(vec![
                Node::Not(Box::new(Node::Or(vec![word("a"), word("b")]))),
                word("c")
            ])
        );
    }

    #[test]
    fn hyphens_inside_words_are_kept() {
        let q = Query::parse("al-Assad").unwrap();
        assert_eq!(q.root(), &word("al-Assad"));
    }

    #[test]
    fn display_round_trips() {
        for input in [
            "لافروف إسطنبول",
            "\"Iran deal\" -sport lang:ar,en",
            "(غزة OR gaza) -كرة source:\"BBC Arabic\"",
            "a b OR c",
            "-(a b) c",
            "(a OR b) OR c",
            "((a b) c) -(x OR y)",
            // A group that is the whole query, beside a filter: it keeps its parentheses.
            "source:OR (a OR a )",
            "(x OR y) lang:ar",
        ] {
            let q = Query::parse(input).unwrap();
            assert_eq!(Query::parse(&q.to_string()).unwrap(), q, "{input} → {q}");
        }
    }

    #[test]
    fn errors_point_at_the_problem() {
        assert_eq!(err(""), "empty query: type at least one word to match");
        assert_eq!(err("   "), "empty query: type at least one word to match");
        assert_eq!(
            err("gaza \"Iran deal"),
            "unclosed quote starting at column 6: add a closing \""
        );
        assert_eq!(
            err("(gaza OR x))"),
            "\")\" at column 12 has no matching \"(\""
        );
        assert_eq!(err(") gaza"), "\")\" at column 1 has no matching \"(\"");
        assert_eq!(
            err("(gaza OR x"),
            "\"(\" at column 1 is never closed: add \")\""
        );
        assert_eq!(err("OR gaza"), "OR at column 1 needs a term on both sides");
        assert_eq!(err("gaza OR"), "OR at column 6 needs a term on both sides");
        assert_eq!(
            err("gaza | | x"),
            "OR at column 6 needs a term on both sides"
        );
        assert_eq!(err("(OR x)"), "OR at column 2 needs a term on both sides");
        assert_eq!(
            err("-sport -كرة"),
            "query has only exclusions: add at least one word to match"
        );
        assert_eq!(
            err("gaza - x"),
            "\"-\" at column 6 must be followed by a word, a \"phrase\" or a (group)"
        );
        assert_eq!(
            err("gaza ()"),
            "\"()\" at column 6 is empty: put a word inside"
        );
        assert_eq!(
            err("\"\" x"),
            "empty phrase \"\" at column 1: put words between the quotes"
        );
        assert_eq!(
            err("lang:ar"),
            "query has only filters: add at least one word to match"
        );
        assert_eq!(
            err("x lang:"),
            "lang: at column 3 needs a value, e.g. lang:ar,en"
        );
        assert_eq!(
            err("x source:"),
            "source: at column 3 needs a value, e.g. source:\"BBC Arabic\""
        );
        assert_eq!(
            err("x lang:ar,english"),
            "\"english\" at column 11 is not a language code: use two or three letters, e.g. lang:ar,en"
        );
        assert_eq!(
            err("(x lang:ar)"),
            "lang: at column 4 applies to the whole query: move it out of parentheses, OR and exclusions"
        );
        assert_eq!(
            err("x OR y source:bbc"),
            "source: at column 8 applies to the whole query: move it out of parentheses, OR and exclusions"
        );
        assert_eq!(
            err("x OR -y"),
            "the OR alternative at column 6 has only exclusions: add a word to match"
        );
    }

    proptest::proptest! {
        #[test]
        fn parser_never_panics_and_display_round_trips(
            input in "[a-zغزة \"()|:,-]{0,30}|(OR |lang:|source:|-|\\(|\\)|\"|a |غزة ){0,12}"
        ) {
            if let Ok(q) = Query::parse(&input) {
                let shown = q.to_string();
                proptest::prop_assert_eq!(Query::parse(&shown), Ok(q), "{} → {}", input, shown);
            }
        }
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        // "غزة " is four characters but seven bytes.
        let e = Query::parse("غزة \"x").unwrap_err();
        assert_eq!(e.column(), Some(5));
        assert_eq!(
            e.pointed("غزة \"x").to_string(),
            "unclosed quote starting at column 5: add a closing \"\n  غزة \"x\n      ^"
        );
    }
}
