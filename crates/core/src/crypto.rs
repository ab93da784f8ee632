//! The master key and authenticated encryption of values at rest (AES-256-GCM).
//! The master key never lives in the database.

use aes_gcm::aead::{Aead, KeyInit, OsRng};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use base64::Engine;

use crate::error::{Error, Result};

const NONCE_LEN: usize = 12;

/// A 256-bit key that encrypts team secrets and TOTP seeds.
#[derive(Clone)]
pub struct MasterKey(Key<Aes256Gcm>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    /// A new random key.
    pub fn generate() -> Self {
        MasterKey(Aes256Gcm::generate_key(OsRng))
    }

    /// Parses the base64 form (standard alphabet, 32 bytes).
    pub fn from_base64(text: &str) -> Result<Self> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| Error::bad_request("the master key is not base64"))?;
        if bytes.len() != 32 {
            return Err(Error::bad_request("the master key must be 32 bytes"));
        }
        Ok(MasterKey(*Key::<Aes256Gcm>::from_slice(&bytes)))
    }

    /// The base64 form, for writing a key file.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0.as_slice())
    }

    /// `nonce || ciphertext`; `context` binds the value to where it is kept.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> Result<Vec<u8>> {
        let cipher = Aes256Gcm::new(&self.0);
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let payload = aes_gcm::aead::Payload {
            msg: plaintext,
            aad: context.as_bytes(),
        };
        let mut out = nonce.to_vec();
        out.extend(
            cipher
                .encrypt(&nonce, payload)
                .map_err(|_| Error::internal("encryption failed"))?,
        );
        Ok(out)
    }

    /// Opens what `seal` made with the same context.
    pub fn open(&self, sealed: &[u8], context: &str) -> Result<Vec<u8>> {
        if sealed.len() < NONCE_LEN {
            return Err(Error::internal("sealed value too short"));
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let payload = aes_gcm::aead::Payload {
            msg: body,
            aad: context.as_bytes(),
        };
        Aes256Gcm::new(&self.0)
            .decrypt(Nonce::from_slice(nonce), payload)
            .map_err(|_| Error::internal("decryption failed: wrong master key or tampered value"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_key_and_context() {
        let key = MasterKey::generate();
        let sealed = key.seal(b"hunter2", "team/1/API").unwrap();
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(key.open(&sealed, "team/1/API").unwrap(), b"hunter2");
        assert!(key.open(&sealed, "team/2/API").is_err());
        assert!(MasterKey::generate().open(&sealed, "team/1/API").is_err());
        let again = MasterKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(again.open(&sealed, "team/1/API").unwrap(), b"hunter2");
        assert_eq!(format!("{key:?}"), "MasterKey(<redacted>)");
    }
}
