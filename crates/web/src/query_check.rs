//! Checks a subscription query before it is stored, with the parser the
//! matcher uses, so nothing is stored that would fail later.

use ajil_query::{Query, QueryError};

/// Parses `query`; the error carries its 1-based character column when the
/// parser names one.
pub(crate) fn check(query: &str) -> Result<(), QueryError> {
    Query::parse(query).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_point_at_the_problem() {
        assert!(check("(غزة OR gaza) -كرة").is_ok());
        assert!(check("\"وقف إطلاق النار\" lang:ar").is_ok());
        assert_eq!(check("غزة (حرب").unwrap_err().column(), Some(5));
        assert_eq!(check("x \"open").unwrap_err().column(), Some(3));
    }
}
