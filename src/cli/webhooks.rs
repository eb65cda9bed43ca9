//! `anbaa webhooks create|list|delete`: the API's endpoint management, for operators.

use super::{CliResult, WebhooksCommand};
use crate::db;
use crate::dto::webhook::WebhookCreate;
use crate::service::webhooks::{self, ApiBase};

pub(super) fn webhooks(db_path: &str, action: WebhooksCommand) -> CliResult {
    let pool = db::open(db_path)?;
    let mut conn = pool.get()?;
    match action {
        WebhooksCommand::Create {
            url,
            events,
            tags,
            description,
            public_url,
            allow_private,
        } => {
            let input = WebhookCreate {
                url: Some(url),
                events: (!events.is_empty()).then_some(events),
                tags: (!tags.is_empty()).then_some(tags),
                description,
            };
            let base = ApiBase(public_url.trim_end_matches('/').to_owned());
            let made = webhooks::create(&mut conn, input, &base, allow_private)
                .map_err(|e| e.to_string())?;
            println!(
                "Registered webhook {} for {} ({}).",
                made.id,
                made.url,
                made.events.join(", ")
            );
            println!("Its signing secret is shown only this once; store it now:");
            println!("{}", made.secret.unwrap_or_default());
        }
        WebhooksCommand::List => {
            println!(
                "{:<4} {:<8} {:>7}  {:<48} events",
                "id", "state", "pending", "url"
            );
            for w in webhooks::list(&mut conn).map_err(|e| e.to_string())? {
                println!(
                    "{:<4} {:<8} {:>7}  {:<48} {}",
                    w.id,
                    if w.enabled { "enabled" } else { "disabled" },
                    w.pending,
                    w.url,
                    w.events.join(",")
                );
            }
        }
        WebhooksCommand::Delete { id } => {
            webhooks::delete(&mut conn, &id).map_err(|e| e.to_string())?;
            println!("Deleted webhook {id}.");
        }
    }
    Ok(())
}
