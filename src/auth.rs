//! API keys: generation, hashing, the `Caller` extractor that reads `Authorization: Bearer`,
//! and scope checks. Keys are stored only as SHA-256 hashes and compared in constant time.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::header, web};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::db::Conn;
use crate::db::{self, DbPool, models::NewKey};
use crate::error::ApiError;

pub use crate::model::Scope;
use crate::model::Scopes;

/// A verified key presented with the request.
#[derive(Debug, Clone)]
pub struct Key {
    /// The key's name, recorded as the author of changes.
    pub name: String,
    /// Its scopes.
    pub scopes: Vec<Scope>,
}

impl Key {
    /// True when the key has `scope` (`admin` has every scope).
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope) || self.scopes.contains(&Scope::Admin)
    }
}

/// Who is calling: anonymous, or a verified key.
#[derive(Debug, Clone, Default)]
pub struct Caller(pub Option<Key>);

impl Caller {
    /// The key, if it has `scope`; 401 without a key, 403 with one that lacks it.
    pub fn require(&self, scope: Scope) -> Result<&Key, ApiError> {
        match &self.0 {
            None => Err(ApiError::Unauthorized(format!(
                "this request needs an API key with the `{}` scope: send `Authorization: Bearer <key>`",
                scope.as_str()
            ))),
            Some(key) if key.has(scope) => Ok(key),
            Some(_) => Err(ApiError::Forbidden(scope.as_str().to_owned())),
        }
    }

    /// True when a key with `scope` was presented.
    pub fn can(&self, scope: Scope) -> bool {
        self.0.as_ref().is_some_and(|k| k.has(scope))
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // The rate limiter may have verified the key already.
        if let Some(caller) = req.extensions().get::<Caller>() {
            let caller = caller.clone();
            return Box::pin(async move { Ok(caller) });
        }
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().map(str::to_owned));
        let pool = req.app_data::<web::Data<DbPool>>().cloned();
        Box::pin(async move {
            let token = match header {
                None => return Ok(Caller(None)),
                Some(Err(_)) => return Err(bad_key("the Authorization header is not valid text")),
                Some(Ok(value)) => bearer_token(&value)?,
            };
            let pool = pool.ok_or_else(|| ApiError::internal("no database pool"))?;
            let key = db::run(&pool, move |conn| verify(conn, &token)).await?;
            Ok(Caller(Some(key)))
        })
    }
}

fn bad_key(why: &str) -> ApiError {
    ApiError::BadKey(format!("{why}; send `Authorization: Bearer <key>`"))
}

fn bearer_token(value: &str) -> Result<String, ApiError> {
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| bad_key("the Authorization header must be `Bearer <key>`"))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(bad_key("only the Bearer scheme is accepted"));
    }
    Ok(token.trim().to_owned())
}

/// The public part of a key (`anbaa_<prefix>_<secret>`), used to find its row.
fn prefix_of(token: &str) -> Option<&str> {
    let rest = token.strip_prefix("anbaa_")?;
    let (prefix, secret) = rest.split_once('_')?;
    (prefix.len() == 8 && !secret.is_empty()).then_some(prefix)
}

fn verify(conn: &mut Conn, token: &str) -> Result<Key, ApiError> {
    let unknown = || bad_key("the API key is unknown or revoked");
    let prefix = prefix_of(token).ok_or_else(unknown)?;
    let row = db::keys::by_prefix(conn, prefix)?.ok_or_else(unknown)?;
    let presented = hash_key(token);
    let matches: bool = presented.as_bytes().ct_eq(row.key_hash.as_bytes()).into();
    if !matches || row.revoked_at.is_some() {
        return Err(unknown());
    }
    Ok(Key {
        name: row.name,
        scopes: row.scopes.0,
    })
}

/// SHA-256 of the whole key, hex. Keys are 32 random bytes, so a fast hash is enough: there
/// is nothing to brute-force that a slow password hash would protect.
pub fn hash_key(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xf) as usize] as char);
    }
    s
}

/// Makes a new key: the secret to show once, and the row to store.
pub fn generate(name: &str, scopes: &[Scope], now: i64) -> (String, NewKey) {
    let prefix = hex(&rand::random::<[u8; 4]>());
    let secret = hex(&rand::random::<[u8; 32]>());
    let token = format!("anbaa_{prefix}_{secret}");
    let row = NewKey {
        name: name.to_owned(),
        prefix,
        key_hash: hash_key(&token),
        scopes: Scopes(scopes.to_vec()),
        created_at: now,
    };
    (token, row)
}
