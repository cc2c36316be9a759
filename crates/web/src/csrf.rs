//! Signed double-submit CSRF tokens.
//!
//! A page with a form makes sure the browser holds a random `ajil_csrf`
//! cookie (`HttpOnly`, `SameSite=Lax`) and puts HMAC-SHA256(secret, cookie)
//! in a hidden `csrf` field. A POST is accepted only if the field is the MAC
//! of the cookie it arrives with. Another site can make a browser send our
//! cookie but can neither read it nor forge its MAC, so it cannot fill in
//! the field. Nothing is kept on the server.

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The cookie's name.
pub(crate) const COOKIE_NAME: &str = "ajil_csrf";
/// Separates these MACs from other uses of the same secret.
const DOMAIN: &[u8] = b"ajil-csrf-v1\0";

/// The value of the request's cookie `name`, if it sent one.
pub(crate) fn cookie_named(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_string())
}

/// The cookie value of this request, if it has a well-formed one.
fn cookie_value(headers: &HeaderMap) -> Option<String> {
    cookie_named(headers, COOKIE_NAME)
        // 16 random bytes in base64url: anything else was not made by us.
        .filter(|v| v.len() == 22 && URL_SAFE_NO_PAD.decode(v).is_ok())
}

fn mac(secret: &[u8], cookie: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(DOMAIN);
    mac.update(cookie.as_bytes());
    mac
}

/// The form token for this request, and the `Set-Cookie` header to send when
/// the browser had no cookie yet.
pub(crate) fn issue(
    secret: &[u8],
    headers: &HeaderMap,
    secure: bool,
) -> (String, Option<HeaderValue>) {
    let (cookie, set) = match cookie_value(headers) {
        Some(c) => (c, None),
        None => {
            let c = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>());
            let header = format!(
                "{COOKIE_NAME}={c}; Path=/; HttpOnly; SameSite=Lax{}",
                if secure { "; Secure" } else { "" }
            );
            (c, Some(HeaderValue::from_str(&header).expect("ascii")))
        }
    };
    let token = URL_SAFE_NO_PAD.encode(mac(secret, &cookie).finalize().into_bytes());
    (token, set)
}

/// Whether `submitted` is the token for the cookie this request carries.
pub(crate) fn check(secret: &[u8], headers: &HeaderMap, submitted: &str) -> bool {
    let Some(cookie) = cookie_value(headers) else {
        return false;
    };
    let Ok(tag) = URL_SAFE_NO_PAD.decode(submitted.trim()) else {
        return false;
    };
    // verify_slice compares in constant time.
    mac(secret, &cookie).verify_slice(&tag).is_ok()
}

/// Adds `Set-Cookie` to a response when [`issue`] made a new cookie.
pub(crate) fn set_cookie(headers: &mut HeaderMap, cookie: Option<HeaderValue>) {
    if let Some(c) = cookie {
        headers.append(SET_COOKIE, c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_cookie(set: &HeaderValue) -> HeaderMap {
        let pair = set.to_str().unwrap().split(';').next().unwrap().to_string();
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_str(&format!("other=1; {pair}")).unwrap(),
        );
        h
    }

    #[test]
    fn token_matches_only_its_cookie_and_secret() {
        let (token, set) = issue(b"k", &HeaderMap::new(), true);
        let set = set.expect("a new cookie");
        assert!(set.to_str().unwrap().contains("Secure"));
        let headers = with_cookie(&set);
        assert!(check(b"k", &headers, &token));
        assert!(!check(b"other key", &headers, &token));
        assert!(!check(b"k", &HeaderMap::new(), &token), "no cookie");
        let (other, set2) = issue(b"k", &HeaderMap::new(), false);
        assert!(!check(b"k", &headers, &other), "token of another cookie");
        assert!(!set2.unwrap().to_str().unwrap().contains("Secure"));
        // A browser that has the cookie keeps it and gets the same token.
        let (again, none) = issue(b"k", &headers, true);
        assert_eq!((again, none), (token, None));
        assert!(!check(b"k", &headers, "not base64 !"));
    }
}
