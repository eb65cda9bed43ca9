//! `anbaa keys create|list|revoke`.

use super::{CliResult, KeysCommand};
use crate::auth::{self, Scope};
use crate::db;

pub(super) fn keys(db_path: &str, action: KeysCommand) -> CliResult {
    let pool = db::open(db_path)?;
    let mut conn = pool.get()?;
    match action {
        KeysCommand::Create { name, scopes } => {
            let mut parsed = Vec::new();
            for s in &scopes {
                parsed.push(Scope::parse(s).ok_or_else(|| {
                    format!(
                        "unknown scope `{s}`; choose from write, read:drafts, read:embargoed, admin"
                    )
                })?);
            }
            if name.trim().is_empty() {
                return Err("--name must not be empty".into());
            }
            let (token, row) = auth::generate(&name, &parsed, db::now_micros());
            let saved = db::keys::insert(&mut conn, &row)?;
            println!(
                "Created key {} ({}) named {:?} with scopes {}.",
                saved.id,
                saved.prefix,
                saved.name,
                saved.scopes.to_stored()
            );
            println!("It is shown only this once; store it now:");
            println!("{token}");
        }
        KeysCommand::List => {
            println!(
                "{:<4} {:<9} {:<24} {:<28} state",
                "id", "prefix", "name", "scopes"
            );
            for k in db::keys::all(&mut conn)? {
                let state = if k.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{:<4} {:<9} {:<24} {:<28} {}",
                    k.id,
                    k.prefix,
                    k.name,
                    k.scopes.to_stored(),
                    state
                );
            }
        }
        KeysCommand::Revoke { key } => {
            let n = db::keys::revoke(&mut conn, &key, db::now_micros())?;
            if n == 0 {
                return Err(format!("no active key with id or prefix `{key}`").into());
            }
            println!("Revoked key {key}.");
        }
    }
    Ok(())
}
