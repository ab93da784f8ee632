//! Short-lived JWT access tokens, HS256-signed with the server's key.

use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};

const ISSUER: &str = "orgata";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    iat: i64,
    exp: i64,
    iss: String,
    jti: Uuid,
    typ: String,
}

/// Signs and checks access tokens.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl_secs: i64,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("ttl_secs", &self.ttl_secs)
            .finish_non_exhaustive()
    }
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl_secs: i64) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl_secs,
        }
    }

    /// Lifetime of an access token in seconds.
    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    /// An access token for `user_id`.
    pub fn issue(&self, user_id: Uuid) -> Result<String> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user_id,
            iat: now,
            exp: now + self.ttl_secs,
            iss: ISSUER.into(),
            jti: Uuid::now_v7(),
            typ: "access".into(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(Error::internal)
    }

    /// The user of a valid, unexpired access token.
    pub fn verify(&self, token: &str) -> Result<Uuid> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = 5;
        let data = decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| Error::unauthenticated("the access token is invalid or expired"))?;
        if data.claims.typ != "access" {
            return Err(Error::unauthenticated("not an access token"));
        }
        Ok(data.claims.sub)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_only_with_the_same_key() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let user = Uuid::now_v7();
        let token = keys.issue(user).unwrap();
        assert_eq!(keys.verify(&token).unwrap(), user);
        let other = JwtKeys::new(b"another key another key another k", 60);
        assert!(other.verify(&token).is_err());
        let expired = JwtKeys::new(b"0123456789abcdef0123456789abcdef", -60);
        assert!(keys.verify(&expired.issue(user).unwrap()).is_err());
    }
}
