//! Checks a subscription query before it is stored, reporting where it goes
//! wrong.

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueryProblem {
    /// Byte offset in the query where the problem is.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses `query` as the matcher will.
pub(crate) fn check(query: &str) -> Result<(), QueryProblem> {
    interim_check(query)
}

/// Stand-in until `ajil_query::Query::parse` exists: catches unbalanced
/// quotes and parentheses and operators with a missing operand.
fn interim_check(query: &str) -> Result<(), QueryProblem> {
    let mut depth: Vec<usize> = Vec::new();
    let mut quote: Option<usize> = None;
    let mut expect_operand = true;
    let mut last_op = 0;
    let mut chars = query.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if quote.is_some() {
            if c == '"' {
                quote = None;
                expect_operand = false;
            }
            continue;
        }
        match c {
            '"' => quote = Some(i),
            '(' => {
                depth.push(i);
                expect_operand = true;
            }
            ')' => {
                if depth.pop().is_none() {
                    return Err(problem(i, "unmatched closing parenthesis"));
                }
                if expect_operand {
                    return Err(problem(i, "expected a word before the parenthesis closes"));
                }
            }
            c if c.is_whitespace() => {}
            _ => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_whitespace() || matches!(d, '(' | ')' | '"') {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
                let word = &query[i..end];
                if matches!(word, "AND" | "OR" | "NOT") {
                    if expect_operand && word != "NOT" {
                        return Err(problem(i, &format!("{word} needs a word before it")));
                    }
                    expect_operand = true;
                    last_op = i;
                } else {
                    expect_operand = false;
                }
            }
        }
    }
    if let Some(start) = quote {
        return Err(problem(start, "unclosed quote"));
    }
    if let Some(&open) = depth.last() {
        return Err(problem(open, "unclosed parenthesis"));
    }
    if expect_operand && !query.trim().is_empty() {
        return Err(problem(last_op, "operator without a word after it"));
    }
    Ok(())
}

fn problem(offset: usize, message: &str) -> QueryProblem {
    QueryProblem {
        offset,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_point_at_the_problem() {
        assert_eq!(check("غزة OR (لبنان AND سوريا)"), Ok(()));
        assert_eq!(check("NOT sport"), Ok(()));
        assert_eq!(check("\"وقف إطلاق النار\" AND غزة"), Ok(()));
        assert_eq!(check("a AND (b").unwrap_err().offset, 6);
        assert_eq!(check("a)").unwrap_err().offset, 1);
        assert_eq!(check("x \"open").unwrap_err().offset, 2);
        assert_eq!(check("AND x").unwrap_err().offset, 0);
        assert_eq!(check("x OR").unwrap_err().offset, 2);
    }
}
