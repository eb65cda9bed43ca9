//! Standard Webhooks signing: `whsec_` secrets and `v1,` HMAC-SHA256 signatures over
//! `msg_id.timestamp.body` (https://www.standardwebhooks.com).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// A new secret: `whsec_` and the base64 of 32 random bytes.
pub fn new_secret() -> String {
    format!("whsec_{}", STANDARD.encode(rand::random::<[u8; 32]>()))
}

/// The `v1,` signature of one attempt, or `None` for a secret that is not `whsec_` and
/// base64 (never stored so: only `new_secret` makes them).
pub fn signature(secret: &str, msg_id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = STANDARD.decode(secret.strip_prefix("whsec_")?).ok()?;
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).ok()?;
    mac.update(format!("{msg_id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The `webhook-signature` header: the current secret's signature, and the previous
/// secret's beside it while a rotation lets it sign, separated by a space.
pub fn header(secrets: &[&str], msg_id: &str, timestamp: i64, body: &str) -> String {
    secrets
        .iter()
        .filter_map(|s| signature(s, msg_id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks spec's reference libraries.
    #[test]
    fn a_signature_matches_the_reference_libraries_example() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn a_new_secret_signs_and_a_malformed_one_does_not() {
        let s = new_secret();
        assert!(s.starts_with("whsec_"));
        assert!(signature(&s, "msg_1", 1, "{}").is_some());
        assert!(signature("not-a-secret", "msg_1", 1, "{}").is_none());
        let two = header(&[&s, &new_secret()], "msg_1", 1, "{}");
        assert_eq!(two.split(' ').count(), 2);
    }
}
