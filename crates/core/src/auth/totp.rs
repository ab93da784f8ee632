//! RFC 6238 TOTP (SHA-1, 6 digits, 30 s steps), as authenticator apps expect.

use totp_rs::{Algorithm, TOTP};

use crate::error::{Error, Result};

/// Length of a step in seconds.
pub const STEP_SECS: u64 = 30;

/// A new random 160-bit secret.
pub fn new_secret() -> Vec<u8> {
    use rand::RngCore;
    let mut secret = vec![0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    secret
}

/// The secret in the base32 form apps take.
pub fn encode_secret(secret: &[u8]) -> String {
    totp_rs::Secret::Raw(secret.to_vec())
        .to_encoded()
        .to_string()
}

/// The `otpauth://` URL for a QR code.
pub fn otpauth_url(secret: &[u8], account: &str) -> String {
    let label = format!("Orgata:{account}");
    format!(
        "otpauth://totp/{}?secret={}&issuer=Orgata&algorithm=SHA1&digits=6&period=30",
        percent_encode(&label),
        encode_secret(secret)
    )
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' | b'@' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn totp(secret: &[u8]) -> Result<TOTP> {
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECS, secret.to_vec()).map_err(Error::internal)
}

/// The code for the step that contains unix time `t`.
pub fn code_at(secret: &[u8], t: u64) -> Result<String> {
    Ok(totp(secret)?.generate(t))
}

/// The step (previous, current or next) at which `code` is valid at unix time `now`.
pub fn matching_step(secret: &[u8], code: &str, now: u64) -> Result<Option<i64>> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp(secret)?;
    let current = now / STEP_SECS;
    for step in [current.saturating_sub(1), current, current + 1] {
        if constant_time_eq(totp.generate(step * STEP_SECS).as_bytes(), code.as_bytes()) {
            return Ok(Some(step as i64));
        }
    }
    Ok(None)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 -> 94287082 (8 digits); its last 6 digits.
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59).unwrap(), "287082");
    }

    #[test]
    fn neighbouring_steps_match_and_others_do_not() {
        let secret = new_secret();
        let now = 1_700_000_000;
        for offset in [-30i64, 0, 30] {
            let code = code_at(&secret, (now as i64 + offset) as u64).unwrap();
            assert!(matching_step(&secret, &code, now).unwrap().is_some());
        }
        let far = code_at(&secret, now + 300).unwrap();
        let near: Vec<String> = [-30i64, 0, 30]
            .iter()
            .map(|o| code_at(&secret, (now as i64 + o) as u64).unwrap())
            .collect();
        if !near.contains(&far) {
            assert!(matching_step(&secret, &far, now).unwrap().is_none());
        }
        assert!(matching_step(&secret, "abc", now).unwrap().is_none());
        assert!(otpauth_url(&secret, "a@b.c").starts_with("otpauth://totp/Orgata:a@b.c?secret="));
    }
}
