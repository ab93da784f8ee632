//! Credentials: password hashing, access tokens (JWT), opaque tokens, TOTP.

pub mod jwt;
pub mod opaque;
pub mod password;
pub mod totp;
