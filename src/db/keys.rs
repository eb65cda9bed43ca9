//! API key rows: created and revoked from the CLI, looked up by prefix on each request.

use super::Conn;
use diesel::prelude::*;

use super::models::{KeyRow, NewKey};
use super::schema::api_keys;
use crate::db::error::{StoreError, StoreResult};

/// Stores a new key.
pub fn insert(conn: &mut Conn, key: &NewKey) -> StoreResult<KeyRow> {
    diesel::insert_into(api_keys::table)
        .values(key)
        .returning(<KeyRow as Selectable<crate::db::Db>>::construct_selection())
        .get_result(conn)
        .map_err(StoreError::from)
}

/// The key with this public prefix, revoked or not.
pub fn by_prefix(conn: &mut Conn, prefix: &str) -> StoreResult<Option<KeyRow>> {
    api_keys::table
        .filter(api_keys::prefix.eq(prefix))
        .select(KeyRow::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// Every key, oldest first.
pub fn all(conn: &mut Conn) -> StoreResult<Vec<KeyRow>> {
    api_keys::table
        .order(api_keys::id)
        .select(KeyRow::as_select())
        .load(conn)
        .map_err(StoreError::from)
}

/// Revokes the key with this id or prefix; returns how many rows changed.
pub fn revoke(conn: &mut Conn, id_or_prefix: &str, now: i64) -> StoreResult<usize> {
    let target = api_keys::table
        .filter(api_keys::revoked_at.is_null())
        .into_boxed();
    // A prefix is hex and may be all digits, so a number matches either an id or a prefix.
    let target = match id_or_prefix.parse::<i32>() {
        Ok(id) => target.filter(
            api_keys::id
                .eq(id)
                .or(api_keys::prefix.eq(id_or_prefix.to_owned())),
        ),
        Err(_) => target.filter(api_keys::prefix.eq(id_or_prefix.to_owned())),
    };
    let ids: Vec<i32> = target.select(api_keys::id).load(conn)?;
    diesel::update(api_keys::table.filter(api_keys::id.eq_any(ids)))
        .set(api_keys::revoked_at.eq(now))
        .execute(conn)
        .map_err(StoreError::from)
}
