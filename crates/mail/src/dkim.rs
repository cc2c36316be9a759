//! DKIM signing (RFC 6376): RSA-SHA256, or Ed25519-SHA256 (RFC 8463), with
//! relaxed/relaxed canonicalization.
//!
//! The key is a PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`, what
//! [`DkimKey::generate`] and `openssl genpkey` write) for either algorithm,
//! or PKCS#1 (`BEGIN RSA PRIVATE KEY`) for RSA. The algorithm follows from
//! the key. Signing itself is lettre's; this module reads and makes keys,
//! chooses the signed headers and says what to publish in DNS.
//!
//! ```
//! use ajil_mail::{Dkim, DkimAlgorithm, DkimKey};
//!
//! let key = DkimKey::generate(DkimAlgorithm::Ed25519);
//! let again = DkimKey::from_pem(&key.to_pem()).unwrap();
//! assert_eq!(key.dns_record(), again.dns_record());
//! assert!(key.dns_record().starts_with("v=DKIM1; k=ed25519; p="));
//! let dkim = Dkim::new("ajil.example", "mail2026", &again).unwrap();
//! assert_eq!(dkim.dns_name(), "mail2026._domainkey.ajil.example");
//! ```

use std::fmt;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use lettre::Message;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::HeaderName;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::{RsaPrivateKey, RsaPublicKey};

use crate::error::DkimError;

/// RSA key size made by [`DkimKey::generate`]: 2048 bits is what the large
/// mailbox providers ask for (1024 is weak, and 4096-bit public keys do
/// not fit in one 255-byte DNS TXT string, which trips some DNS hosts).
pub const RSA_BITS: usize = 2048;

/// The headers covered by the signature, in this order. Each is listed even
/// when a message lacks it, so nobody can add one on the way without
/// breaking the signature (RFC 6376 5.4.2, "oversigning"); the two
/// `List-Unsubscribe` headers must be signed for one-click unsubscribe to be
/// honoured by the large providers. `Content-Type` is left out: lettre
/// writes a multipart message's `Content-Type` with the body, where its
/// signer does not see it, so listing it would break every signature.
const SIGNED_HEADERS: [&str; 14] = [
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "List-Id",
    "Auto-Submitted",
    "Precedence",
    "Feedback-ID",
];

/// The signature algorithm, which follows from the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DkimAlgorithm {
    /// `rsa-sha256`, understood by every verifier.
    Rsa,
    /// `ed25519-sha256` (RFC 8463): small keys and fast signing, but not yet
    /// checked by every receiver, so publish it beside an RSA key.
    Ed25519,
}

impl DkimAlgorithm {
    /// The DNS record's `k=` value: `rsa` or `ed25519`.
    pub fn as_str(self) -> &'static str {
        match self {
            DkimAlgorithm::Rsa => "rsa",
            DkimAlgorithm::Ed25519 => "ed25519",
        }
    }
}

impl std::str::FromStr for DkimAlgorithm {
    type Err = DkimError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "rsa" | "rsa-sha256" => Ok(DkimAlgorithm::Rsa),
            "ed25519" | "ed25519-sha256" => Ok(DkimAlgorithm::Ed25519),
            _ => Err(DkimError::Algorithm {
                value: s.to_owned(),
            }),
        }
    }
}

impl fmt::Display for DkimAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A DKIM private key, RSA or Ed25519.
#[derive(Clone)]
pub struct DkimKey(KeyKind);

#[derive(Clone)]
enum KeyKind {
    // Both boxed: the keys differ a lot in size and are moved around rarely.
    Rsa(Box<RsaPrivateKey>),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

impl DkimKey {
    /// Makes a new random key: RSA with [`RSA_BITS`] bits, or Ed25519.
    pub fn generate(algorithm: DkimAlgorithm) -> DkimKey {
        let mut rng = rand::rngs::OsRng;
        DkimKey(match algorithm {
            DkimAlgorithm::Rsa => KeyKind::Rsa(Box::new(
                RsaPrivateKey::new(&mut rng, RSA_BITS).expect("RSA key generation"),
            )),
            DkimAlgorithm::Ed25519 => {
                KeyKind::Ed25519(Box::new(ed25519_dalek::SigningKey::generate(&mut rng)))
            }
        })
    }

    /// Reads a PEM private key: PKCS#8 RSA or Ed25519, or PKCS#1 RSA.
    pub fn from_pem(pem: &str) -> Result<DkimKey, DkimError> {
        let pem = pem.trim();
        let bad = |reason: String| DkimError::Key { reason };
        if pem.contains("-----BEGIN RSA PRIVATE KEY-----") {
            return RsaPrivateKey::from_pkcs1_pem(pem)
                .map(|k| DkimKey(KeyKind::Rsa(Box::new(k))))
                .map_err(|e| bad(format!("the PKCS#1 RSA key does not decode ({e})")));
        }
        if !pem.contains("-----BEGIN PRIVATE KEY-----") {
            return Err(bad(
                "no \"BEGIN PRIVATE KEY\" or \"BEGIN RSA PRIVATE KEY\" block found \
                 (encrypted keys and public keys cannot sign)"
                    .into(),
            ));
        }
        if let Ok(key) = RsaPrivateKey::from_pkcs8_pem(pem) {
            return Ok(DkimKey(KeyKind::Rsa(Box::new(key))));
        }
        ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
            .map(|k| DkimKey(KeyKind::Ed25519(Box::new(k))))
            .map_err(|e| bad(format!("the PKCS#8 key is neither RSA nor Ed25519 ({e})")))
    }

    /// Reads a PEM private key from a file.
    pub fn from_file(path: &Path) -> Result<DkimKey, DkimError> {
        let pem = std::fs::read_to_string(path).map_err(|source| DkimError::ReadKey {
            path: path.to_owned(),
            source,
        })?;
        DkimKey::from_pem(&pem).map_err(|e| match e {
            DkimError::Key { reason } => DkimError::Key {
                reason: format!("{}: {reason}", path.display()),
            },
            other => other,
        })
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> DkimAlgorithm {
        match self.0 {
            KeyKind::Rsa(_) => DkimAlgorithm::Rsa,
            KeyKind::Ed25519(_) => DkimAlgorithm::Ed25519,
        }
    }

    /// The private key as PKCS#8 PEM, for writing to a key file.
    pub fn to_pem(&self) -> String {
        let pem = match &self.0 {
            KeyKind::Rsa(key) => key.to_pkcs8_pem(LineEnding::LF),
            KeyKind::Ed25519(key) => key.to_pkcs8_pem(LineEnding::LF),
        };
        pem.expect("a valid key encodes").to_string()
    }

    /// The public key in the form of the DNS record's `p=` tag: for RSA the
    /// base64 DER SubjectPublicKeyInfo, for Ed25519 the bare 32 bytes in
    /// base64 (RFC 8463 3.3).
    pub fn public_key_base64(&self) -> String {
        match &self.0 {
            KeyKind::Rsa(key) => {
                let der = RsaPublicKey::from(key.as_ref())
                    .to_public_key_der()
                    .expect("a valid key encodes");
                BASE64.encode(der.as_bytes())
            }
            KeyKind::Ed25519(key) => BASE64.encode(key.verifying_key().to_bytes()),
        }
    }

    /// The TXT record to publish at `SELECTOR._domainkey.DOMAIN`.
    pub fn dns_record(&self) -> String {
        format!(
            "v=DKIM1; k={}; p={}",
            self.algorithm(),
            self.public_key_base64()
        )
    }

    /// lettre's form of the key.
    fn signing_key(&self) -> DkimSigningKey {
        let made = match &self.0 {
            KeyKind::Rsa(key) => {
                let pem = key.to_pkcs1_pem(LineEnding::LF).expect("valid key");
                DkimSigningKey::new(&pem, DkimSigningAlgorithm::Rsa)
            }
            KeyKind::Ed25519(key) => DkimSigningKey::new(
                &BASE64.encode(key.to_bytes()),
                DkimSigningAlgorithm::Ed25519,
            ),
        };
        made.expect("a key we decoded re-encodes")
    }
}

impl fmt::Debug for DkimKey {
    /// Shows the algorithm and public key only, never the private key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DkimKey")
            .field("algorithm", &self.algorithm())
            .field("public", &self.public_key_base64())
            .finish()
    }
}

/// Signs messages for one domain with one selector and key.
pub struct Dkim {
    domain: String,
    selector: String,
    algorithm: DkimAlgorithm,
    config: DkimConfig,
}

impl Dkim {
    /// Signer for `d=domain; s=selector`. Both must be DNS names (letters,
    /// digits, `-`, `_` and dots).
    pub fn new(domain: &str, selector: &str, key: &DkimKey) -> Result<Dkim, DkimError> {
        let domain = checked_name("domain", domain)?;
        let selector = checked_name("selector", selector)?;
        let headers = SIGNED_HEADERS
            .iter()
            .map(|h| HeaderName::new_from_ascii_str(h))
            .collect();
        let relaxed = DkimCanonicalization {
            // Relaxed for both: relays that refold headers or touch trailing
            // whitespace do not break the signature.
            header: DkimCanonicalizationType::Relaxed,
            body: DkimCanonicalizationType::Relaxed,
        };
        let config = DkimConfig::new(
            selector.clone(),
            domain.clone(),
            key.signing_key(),
            headers,
            relaxed,
        );
        Ok(Dkim {
            domain,
            selector,
            algorithm: key.algorithm(),
            config,
        })
    }

    /// Reads the key file and makes a signer (see [`Dkim::new`]).
    pub fn from_key_file(domain: &str, selector: &str, key: &Path) -> Result<Dkim, DkimError> {
        Dkim::new(domain, selector, &DkimKey::from_file(key)?)
    }

    /// Adds a `DKIM-Signature` header to `message`, dated now.
    pub fn sign(&self, message: &mut Message) {
        message.sign(&self.config);
    }

    /// The signing domain (`d=`).
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The selector (`s=`).
    pub fn selector(&self) -> &str {
        &self.selector
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> DkimAlgorithm {
        self.algorithm
    }

    /// Where the public key is published: `SELECTOR._domainkey.DOMAIN`.
    pub fn dns_name(&self) -> String {
        format!("{}._domainkey.{}", self.selector, self.domain)
    }
}

impl fmt::Debug for Dkim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dkim")
            .field("domain", &self.domain)
            .field("selector", &self.selector)
            .field("algorithm", &self.algorithm)
            .finish()
    }
}

/// A lower-case DNS label sequence, or an error naming the bad value.
fn checked_name(what: &'static str, value: &str) -> Result<String, DkimError> {
    let name = value.trim().trim_end_matches('.').to_ascii_lowercase();
    let valid = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if valid {
        Ok(name)
    } else {
        Err(DkimError::Name {
            what,
            value: value.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small RSA key keeps debug-build tests quick; real keys are 2048 bits.
    fn small_rsa() -> DkimKey {
        let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, 1024).unwrap();
        DkimKey(KeyKind::Rsa(Box::new(key)))
    }

    #[test]
    fn keys_round_trip_through_pem() {
        for key in [small_rsa(), DkimKey::generate(DkimAlgorithm::Ed25519)] {
            let pem = key.to_pem();
            assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "{pem}");
            let back = DkimKey::from_pem(&pem).unwrap();
            assert_eq!(back.algorithm(), key.algorithm());
            assert_eq!(back.dns_record(), key.dns_record());
        }
    }

    #[test]
    fn pkcs1_rsa_keys_are_read() {
        let key = small_rsa();
        let KeyKind::Rsa(rsa) = &key.0 else {
            unreachable!()
        };
        let pkcs1 = rsa.to_pkcs1_pem(LineEnding::CRLF).unwrap();
        let back = DkimKey::from_pem(&pkcs1).unwrap();
        assert_eq!(back.public_key_base64(), key.public_key_base64());
    }

    #[test]
    fn dns_records_have_the_right_shape() {
        let ed = DkimKey::generate(DkimAlgorithm::Ed25519);
        let p = ed.public_key_base64();
        assert_eq!(BASE64.decode(&p).unwrap().len(), 32);
        assert_eq!(ed.dns_record(), format!("v=DKIM1; k=ed25519; p={p}"));
        let rsa = small_rsa();
        assert!(rsa.dns_record().starts_with("v=DKIM1; k=rsa; p=MI"));
        assert!(!format!("{rsa:?}").contains("PRIVATE"));
    }

    #[test]
    fn bad_keys_and_names_are_explained() {
        let err = DkimKey::from_pem("hello").unwrap_err().to_string();
        assert!(err.contains("BEGIN PRIVATE KEY"), "{err}");
        let err = DkimKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
            .unwrap_err()
            .to_string();
        assert!(err.contains("neither RSA nor Ed25519"), "{err}");
        let err = DkimKey::from_file(Path::new("/nonexistent/dkim.pem"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/dkim.pem"), "{err}");

        let key = DkimKey::generate(DkimAlgorithm::Ed25519);
        assert!(Dkim::new("bad domain", "s", &key).is_err());
        assert!(Dkim::new("ajil.example", "", &key).is_err());
        let err = Dkim::new("a..b", "s", &key).unwrap_err().to_string();
        assert!(err.contains("\"a..b\""), "{err}");
        let dkim = Dkim::new("Ajil.Example.", "Sel_1", &key).unwrap();
        assert_eq!(dkim.dns_name(), "sel_1._domainkey.ajil.example");
        assert_eq!("RSA".parse::<DkimAlgorithm>().unwrap(), DkimAlgorithm::Rsa);
        assert!("dsa".parse::<DkimAlgorithm>().is_err());
    }

    #[test]
    fn signature_header_names_domain_selector_and_relaxed_canonicalization() {
        let key = DkimKey::generate(DkimAlgorithm::Ed25519);
        let dkim = Dkim::new("ajil.example", "s1", &key).unwrap();
        let mut message = Message::builder()
            .from("a@ajil.example".parse().unwrap())
            .to("b@example.com".parse().unwrap())
            .subject("عاجل")
            .body("x\r\n".to_owned())
            .unwrap();
        dkim.sign(&mut message);
        let raw = String::from_utf8(message.formatted()).unwrap();
        let unfolded = raw.replace("\r\n ", " ").replace("\r\n\t", " ");
        let line = unfolded
            .lines()
            .find(|l| l.starts_with("DKIM-Signature:"))
            .expect("signature header");
        for tag in [
            "a=ed25519-sha256",
            "d=ajil.example",
            "s=s1",
            "c=relaxed/relaxed",
            "h=from:sender:reply-to:to:subject:date:message-id",
            "list-unsubscribe:list-unsubscribe-post",
        ] {
            assert!(line.contains(tag), "{tag} missing in {line}");
        }
    }
}
