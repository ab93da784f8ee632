//! Opaque bearer secrets (refresh tokens, personal access tokens, recovery codes): random,
//! shown once, stored only as SHA-256 digests.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix of personal access tokens (and agent tokens), so they are recognisable in leaks.
pub const PAT_PREFIX: &str = "orgata_pat_";
/// Prefix of refresh tokens.
pub const REFRESH_PREFIX: &str = "orgata_rt_";

/// `prefix` followed by 32 random bytes, base64url.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Hex SHA-256 of a secret: what the database keeps.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A recovery code such as `k3f9-2mzq-8c1d`: 60 random bits, easy to type.
pub fn recovery_code() -> String {
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    let mut rng = rand::rngs::OsRng;
    let chars: Vec<char> = (0..12)
        .map(|_| ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char)
        .collect();
    format!(
        "{}-{}-{}",
        chars[0..4].iter().collect::<String>(),
        chars[4..8].iter().collect::<String>(),
        chars[8..12].iter().collect::<String>()
    )
}

/// A typed recovery code in its canonical form (lower case, dashes kept, spaces dropped).
pub fn normalize_recovery_code(code: &str) -> String {
    code.trim().to_ascii_lowercase().replace(' ', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_prefixed() {
        let a = generate(PAT_PREFIX);
        assert!(a.starts_with(PAT_PREFIX));
        assert_ne!(a, generate(PAT_PREFIX));
        assert_eq!(digest("x").len(), 64);
        let code = recovery_code();
        assert_eq!(code.len(), 14);
        assert_eq!(normalize_recovery_code(&code.to_uppercase()), code);
    }
}
