//! The script of an article, as far as joining reports across scripts goes.
//!
//! Reports of one happening in Arabic and in Latin script share names and numbers,
//! not words; `ajil-analyze` gives each article sound keys (its names and numbers in
//! one alphabet), and the clusterer compares them between articles of different
//! scripts once the window holds both (see `Clusterer::cross_scores`).

/// The script of an article's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Script {
    Arabic,
    Latin,
    /// Digits only, or any other script: no side of its own.
    Other,
}

/// The script of most of `keys` with letters (ties and no letters: [`Script::Other`]).
pub(crate) fn script_of_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> Script {
    let (mut arabic, mut latin) = (0usize, 0usize);
    for key in keys {
        match key.chars().find(|c| c.is_alphabetic()) {
            Some(c) if ('\u{0600}'..='\u{06FF}').contains(&c) => arabic += 1,
            Some(c) if c.is_ascii_alphabetic() => latin += 1,
            _ => {}
        }
    }
    match arabic.cmp(&latin) {
        std::cmp::Ordering::Greater => Script::Arabic,
        std::cmp::Ordering::Less => Script::Latin,
        std::cmp::Ordering::Equal => Script::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_is_the_majority_of_keys_with_letters() {
        assert_eq!(script_of_keys(["ترمب", "cnn", "غزه", "58"]), Script::Arabic);
        assert_eq!(script_of_keys(["trump", "58"]), Script::Latin);
        assert_eq!(script_of_keys(["58"]), Script::Other);
    }
}
