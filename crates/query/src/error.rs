//! Errors from parsing a stored query.

use std::fmt;

/// Why a query could not be parsed. Columns count characters from 1, so
/// they point at the right place in Arabic text too.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// Nothing but whitespace was typed.
    #[error("empty query: type at least one word to match")]
    Empty,
    /// A `"` opens a phrase that never closes.
    #[error("unclosed quote starting at column {column}: add a closing \"")]
    UnclosedQuote {
        /// Column of the opening quote.
        column: usize,
    },
    /// A phrase with nothing between its quotes.
    #[error("empty phrase \"\" at column {column}: put words between the quotes")]
    EmptyPhrase {
        /// Column of the opening quote.
        column: usize,
    },
    /// A `)` with no `(` before it.
    #[error("\")\" at column {column} has no matching \"(\"")]
    UnmatchedClose {
        /// Column of the `)`.
        column: usize,
    },
    /// A `(` that is never closed.
    #[error("\"(\" at column {column} is never closed: add \")\"")]
    UnclosedParen {
        /// Column of the `(`.
        column: usize,
    },
    /// `()` with nothing inside.
    #[error("\"()\" at column {column} is empty: put a word inside")]
    EmptyGroup {
        /// Column of the `(`.
        column: usize,
    },
    /// `OR` (or `|`) at the start, at the end, or next to another operator.
    #[error("OR at column {column} needs a term on both sides")]
    OrNeedsTerms {
        /// Column of the `OR`.
        column: usize,
    },
    /// A `-` not followed by a word, phrase or group.
    #[error("\"-\" at column {column} must be followed by a word, a \"phrase\" or a (group)")]
    DanglingMinus {
        /// Column of the `-`.
        column: usize,
    },
    /// Every term is an exclusion, so the query would match nearly everything.
    #[error("query has only exclusions: add at least one word to match")]
    OnlyExclusions {
        /// Column of the first exclusion.
        column: usize,
    },
    /// One side of an `OR` has only exclusions.
    #[error("the OR alternative at column {column} has only exclusions: add a word to match")]
    ExclusionOnlyAlternative {
        /// Column where the alternative starts.
        column: usize,
    },
    /// Only filters were given.
    #[error("query has only filters: add at least one word to match")]
    OnlyFilters {
        /// Column of the first filter.
        column: usize,
    },
    /// `lang:` or `source:` with nothing after the colon.
    #[error("{name}: at column {column} needs a value, e.g. {example}")]
    FilterNeedsValue {
        /// `lang` or `source`.
        name: &'static str,
        /// Column of the filter.
        column: usize,
        /// A correct example.
        example: &'static str,
    },
    /// A `lang:` value that is not a language code.
    #[error(
        "{value:?} at column {column} is not a language code: use two or three letters, e.g. lang:ar,en"
    )]
    BadLanguage {
        /// The value as typed.
        value: String,
        /// Column of the value.
        column: usize,
    },
    /// A filter inside parentheses, an `OR` or an exclusion.
    #[error(
        "{name}: at column {column} applies to the whole query: move it out of parentheses, OR and exclusions"
    )]
    MisplacedFilter {
        /// `lang` or `source`.
        name: &'static str,
        /// Column of the filter.
        column: usize,
    },
}

impl QueryError {
    /// The column (1-based, in characters) the error points at, if any.
    pub fn column(&self) -> Option<usize> {
        match self {
            QueryError::Empty => None,
            QueryError::UnclosedQuote { column }
            | QueryError::EmptyPhrase { column }
            | QueryError::UnmatchedClose { column }
            | QueryError::UnclosedParen { column }
            | QueryError::EmptyGroup { column }
            | QueryError::OrNeedsTerms { column }
            | QueryError::DanglingMinus { column }
            | QueryError::OnlyExclusions { column }
            | QueryError::ExclusionOnlyAlternative { column }
            | QueryError::OnlyFilters { column }
            | QueryError::FilterNeedsValue { column, .. }
            | QueryError::BadLanguage { column, .. }
            | QueryError::MisplacedFilter { column, .. } => Some(*column),
        }
    }

    /// The error with the query quoted and a caret under the column, for a
    /// terminal:
    ///
    /// ```
    /// use ajil_query::Query;
    /// let input = "gaza \"Iran deal";
    /// let err = Query::parse(input).unwrap_err();
    /// assert_eq!(
    ///     err.pointed(input).to_string(),
    ///     "unclosed quote starting at column 6: add a closing \"\n  gaza \"Iran deal\n       ^"
    /// );
    /// ```
    pub fn pointed<'a>(&'a self, input: &'a str) -> Pointed<'a> {
        Pointed { error: self, input }
    }
}

/// A [`QueryError`] shown under its query with a caret; see
/// [`QueryError::pointed`].
#[derive(Debug, Clone, Copy)]
pub struct Pointed<'a> {
    error: &'a QueryError,
    input: &'a str,
}

impl fmt::Display for Pointed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.error)?;
        if let Some(column) = self.error.column() {
            // Tabs and newlines would throw the caret off, so show them as spaces.
            let line: String = self
                .input
                .chars()
                .map(|c| if c.is_whitespace() { ' ' } else { c })
                .collect();
            write!(f, "\n  {line}\n  {}^", " ".repeat(column.saturating_sub(1)))?;
        }
        Ok(())
    }
}
