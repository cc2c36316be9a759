//! Reading `application/x-www-form-urlencoded` bodies, including repeated
//! keys (checkbox groups), which serde's form decoding cannot hold.

/// The fields of a submitted form, in order.
#[derive(Debug, Default)]
pub(crate) struct FormFields(Vec<(String, String)>);

impl FormFields {
    /// Decodes a body; undecodable bytes become U+FFFD, as browsers never
    /// send them.
    pub fn parse(body: &[u8]) -> FormFields {
        FormFields(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_and_arabic() {
        let f = FormFields::parse("langs=ar&langs=en&query=%D8%BA%D8%B2%D8%A9+x".as_bytes());
        assert_eq!(f.all("langs"), vec!["ar", "en"]);
        assert_eq!(f.get("query"), "غزة x");
        assert_eq!(f.get("missing"), "");
    }
}
