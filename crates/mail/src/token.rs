//! Signed links: compact tokens that carry a subject id and an optional
//! expiry, bound to one [`Purpose`].
//!
//! A token is URL-safe base64 (no padding) of
//! `version (1) | flags (1) | subject (8, big-endian) | [expires (8)] | mac (32)`,
//! where `expires` (Unix seconds) is present only when flag bit 0 is set and
//! `mac` is HMAC-SHA256 over a domain label, the purpose and every byte
//! before it. The purpose is not stored in the token: it is only mixed into
//! the MAC, so a token made for one purpose fails with
//! [`TokenError::BadSignature`] for any other.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::TokenError;

type HmacSha256 = Hmac<Sha256>;

/// Format version byte; a new layout gets a new number so old links fail as
/// `Malformed` instead of being misread.
const VERSION: u8 = 1;
/// Flag bit: an expiry follows the subject.
const HAS_EXPIRY: u8 = 0b1;
/// Length of an HMAC-SHA256 tag.
const MAC_LEN: usize = 32;
/// Separates ajil's link MACs from any other use of the same secret.
const DOMAIN: &[u8] = b"ajil-link-v1\0";

/// What a signed link lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Confirm a new subscription (double opt-in).
    Confirm,
    /// Open the page that manages a subscriber's alerts.
    Manage,
    /// Unsubscribe with one click (RFC 8058).
    Unsubscribe,
}

impl Purpose {
    /// A stable lowercase name, also the label mixed into the MAC.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Confirm => "confirm",
            Purpose::Manage => "manage",
            Purpose::Unsubscribe => "unsubscribe",
        }
    }
}

/// Signs and verifies link tokens with one server secret.
///
/// ```
/// use ajil_mail::{Purpose, Signer, TokenError};
/// use chrono::{Duration, Utc};
///
/// let signer = Signer::new(b"server secret from the config");
/// let now = Utc::now();
/// let token = signer.sign(Purpose::Confirm, 42, Some(now + Duration::days(2)));
/// assert_eq!(signer.verify(Purpose::Confirm, &token, now), Ok(42));
/// assert_eq!(signer.verify(Purpose::Unsubscribe, &token, now), Err(TokenError::BadSignature));
/// ```
#[derive(Clone)]
pub struct Signer {
    /// The keyed MAC state, cloned per use so the key schedule runs once.
    mac: HmacSha256,
}

impl Signer {
    /// A signer keyed with `secret` (any length; use at least 32 random bytes).
    pub fn new(secret: &[u8]) -> Signer {
        Signer {
            mac: HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length"),
        }
    }

    /// A token for `purpose` and `subject` (a subscriber or subscription id),
    /// valid until `expires` if given, forever otherwise.
    pub fn sign(&self, purpose: Purpose, subject: i64, expires: Option<DateTime<Utc>>) -> String {
        let mut bytes = Vec::with_capacity(2 + 8 + 8 + MAC_LEN);
        bytes.push(VERSION);
        bytes.push(if expires.is_some() { HAS_EXPIRY } else { 0 });
        bytes.extend_from_slice(&subject.to_be_bytes());
        if let Some(expires) = expires {
            bytes.extend_from_slice(&expires.timestamp().to_be_bytes());
        }
        let tag = self.keyed(purpose, &bytes).finalize().into_bytes();
        bytes.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The subject of `token` if it was signed by this secret for `purpose`
    /// and has not expired at `now`.
    ///
    /// The signature is checked before the expiry, so a forged token never
    /// learns whether its expiry would have passed.
    pub fn verify(
        &self,
        purpose: Purpose,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, TokenError> {
        // Copying from some mail clients leaves spaces or a line break behind.
        let bytes = URL_SAFE_NO_PAD
            .decode(token.trim())
            .map_err(|_| TokenError::Malformed)?;
        let (&version, rest) = bytes.split_first().ok_or(TokenError::Malformed)?;
        let (&flags, _) = rest.split_first().ok_or(TokenError::Malformed)?;
        if version != VERSION || flags & !HAS_EXPIRY != 0 {
            return Err(TokenError::Malformed);
        }
        let has_expiry = flags & HAS_EXPIRY != 0;
        let body_len = 2 + 8 + if has_expiry { 8 } else { 0 };
        if bytes.len() != body_len + MAC_LEN {
            return Err(TokenError::Malformed);
        }
        let (body, tag) = bytes.split_at(body_len);
        // verify_slice compares in constant time.
        self.keyed(purpose, body)
            .verify_slice(tag)
            .map_err(|_| TokenError::BadSignature)?;
        let subject = i64::from_be_bytes(body[2..10].try_into().expect("8 bytes"));
        if has_expiry {
            let expires = i64::from_be_bytes(body[10..18].try_into().expect("8 bytes"));
            if now.timestamp() >= expires {
                return Err(TokenError::Expired);
            }
        }
        Ok(subject)
    }

    fn keyed(&self, purpose: Purpose, body: &[u8]) -> HmacSha256 {
        let mut mac = self.mac.clone();
        mac.update(DOMAIN);
        mac.update(purpose.as_str().as_bytes());
        mac.update(b"\0");
        mac.update(body);
        mac
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer { secret: <redacted> }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 4, 30, 12, 0, 0).unwrap()
    }

    #[test]
    fn round_trips_with_and_without_expiry() {
        let s = Signer::new(b"k");
        for subject in [0, 1, -7, i64::MAX, i64::MIN] {
            let t = s.sign(Purpose::Manage, subject, None);
            assert_eq!(s.verify(Purpose::Manage, &t, now()), Ok(subject));
            let t = s.sign(Purpose::Confirm, subject, Some(now() + Duration::hours(1)));
            assert_eq!(s.verify(Purpose::Confirm, &t, now()), Ok(subject));
        }
    }

    #[test]
    fn tokens_are_url_safe_and_short() {
        let s = Signer::new(b"k");
        let t = s.sign(Purpose::Confirm, 123_456, Some(now()));
        assert!(
            t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(t.len(), 67, "{t}");
        assert_eq!(s.sign(Purpose::Manage, 1, None).len(), 56);
    }

    #[test]
    fn expires_at_the_deadline() {
        let s = Signer::new(b"k");
        let t = s.sign(Purpose::Confirm, 5, Some(now()));
        let just_before = now() - Duration::seconds(1);
        assert_eq!(s.verify(Purpose::Confirm, &t, just_before), Ok(5));
        assert_eq!(
            s.verify(Purpose::Confirm, &t, now()),
            Err(TokenError::Expired)
        );
        let msg = TokenError::Expired.to_string();
        assert!(msg.contains("sign up again"), "{msg}");
    }

    #[test]
    fn purposes_do_not_cross() {
        let s = Signer::new(b"k");
        let all = [Purpose::Confirm, Purpose::Manage, Purpose::Unsubscribe];
        for made in all {
            let t = s.sign(made, 9, None);
            for used in all {
                let want = if made == used {
                    Ok(9)
                } else {
                    Err(TokenError::BadSignature)
                };
                assert_eq!(s.verify(used, &t, now()), want, "{made:?} used as {used:?}");
            }
        }
    }

    #[test]
    fn other_secret_is_rejected() {
        let t = Signer::new(b"old").sign(Purpose::Manage, 9, None);
        assert_eq!(
            Signer::new(b"new").verify(Purpose::Manage, &t, now()),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn every_flipped_bit_is_caught() {
        let s = Signer::new(b"k");
        let t = s.sign(Purpose::Unsubscribe, 77, Some(now() + Duration::days(1)));
        let raw = URL_SAFE_NO_PAD.decode(&t).unwrap();
        for i in 0..raw.len() {
            for bit in 0..8 {
                let mut bad = raw.clone();
                bad[i] ^= 1 << bit;
                let err = s
                    .verify(Purpose::Unsubscribe, &URL_SAFE_NO_PAD.encode(&bad), now())
                    .unwrap_err();
                // Header bytes make the layout invalid; the rest break the MAC.
                assert!(
                    matches!(err, TokenError::Malformed | TokenError::BadSignature),
                    "byte {i} bit {bit}: {err:?}"
                );
            }
        }
    }

    #[test]
    fn extended_expiry_is_a_bad_signature_not_a_pass() {
        let s = Signer::new(b"k");
        let t = s.sign(Purpose::Confirm, 3, Some(now() - Duration::days(1)));
        let mut raw = URL_SAFE_NO_PAD.decode(&t).unwrap();
        raw[10..18].copy_from_slice(&(now() + Duration::days(365)).timestamp().to_be_bytes());
        let forged = URL_SAFE_NO_PAD.encode(&raw);
        assert_eq!(
            s.verify(Purpose::Confirm, &forged, now()),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn garbage_is_malformed() {
        let s = Signer::new(b"k");
        let good = s.sign(Purpose::Manage, 1, None);
        for bad in [
            "",
            "!!!",
            "abc",
            &good[..good.len() - 4],
            &format!("{good}AAAA"),
        ] {
            assert_eq!(
                s.verify(Purpose::Manage, bad, now()),
                Err(TokenError::Malformed),
                "{bad:?}"
            );
        }
        // Whitespace picked up when copying is tolerated.
        assert_eq!(
            s.verify(Purpose::Manage, &format!(" {good}\n"), now()),
            Ok(1)
        );
    }

    #[test]
    fn debug_hides_secret() {
        let s = Signer::new(b"hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
