//! Export: the taxonomy, then every live article, from one consistent snapshot.

use std::collections::{HashMap, HashSet};
use std::io::Write;

use serde::Serialize;

use super::{TagEnvelope, TagLine};
use crate::db;
use crate::db::Conn;
use crate::dto::article::{ArticleStatus, Image, PubStatus};
use crate::dto::rfc3339;

use crate::error::ApiError;

/// One exported article: the fields of `POST /api/v1/articles`, in a fixed order.
#[derive(Debug, Serialize)]
struct ExportLine {
    slug: String,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    lang: String,
    status: ArticleStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    published_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<Image>,
    tags: Vec<String>,
    #[serde(skip_serializing_if = "is_usable")]
    pub_status: PubStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    embargoed_until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ed_note: Option<String>,
}

fn is_usable(s: &PubStatus) -> bool {
    *s == PubStatus::Usable
}

/// The taxonomy as tag lines, parents before children, otherwise in id order (an import
/// creates them in file order, so a re-export lists them the same way).
fn tag_lines(conn: &mut Conn) -> Result<Vec<TagLine>, ApiError> {
    let mut all = db::tags::all(conn)?;
    all.sort_by_key(|t| t.id);
    let mut redirects: HashMap<i32, Vec<String>> = HashMap::new();
    for (slug, id) in db::revisions::tag_redirects(conn)? {
        redirects.entry(id).or_default().push(slug);
    }
    let slug_of: HashMap<i32, String> = all.iter().map(|t| (t.id, t.slug.clone())).collect();
    let mut emitted: HashSet<i32> = HashSet::new();
    let mut lines = Vec::with_capacity(all.len());
    // Each pass emits every tag whose parent is out; the tree's depth bounds the passes.
    while emitted.len() < all.len() {
        let before = emitted.len();
        for t in &all {
            let ready = t.parent_id.is_none_or(|p| emitted.contains(&p));
            if emitted.contains(&t.id) || !ready {
                continue;
            }
            let mut old = redirects.remove(&t.id).unwrap_or_default();
            old.sort();
            lines.push(TagLine {
                slug: t.slug.clone(),
                name: t.name.clone(),
                name_en: t.name_en.clone(),
                kind: t.kind,
                parent: t.parent_id.and_then(|p| slug_of.get(&p).cloned()),
                description: t.description.clone(),
                iptc_media_topic: t.iptc_media_topic.clone(),
                iso3166: t.iso3166.clone(),
                wikidata: t.wikidata.clone(),
                redirects: old,
            });
            emitted.insert(t.id);
        }
        if emitted.len() == before {
            return Err(ApiError::internal("the tag tree has a cycle"));
        }
    }
    Ok(lines)
}

/// Writes every public article in id order as one IPTC ninjs 3.1 document per line (what a
/// partner may hold: no draft, nothing withdrawn); returns how many.
pub fn export_ninjs(
    conn: &mut Conn,
    out: &mut impl Write,
    site: &crate::formats::Site,
) -> Result<usize, ApiError> {
    let io = |e: std::io::Error| ApiError::internal(format!("writing the export: {e}"));
    db::transaction(conn, |conn| {
        let now = db::now_micros();
        let mut after = 0;
        let mut n = 0;
        loop {
            let rows = db::articles::live_after(conn, after, 1000)?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            let rows: Vec<_> = rows
                .into_iter()
                .filter(|r| db::articles::Where::admits(db::articles::Visibility::Public, r, now))
                .collect();
            let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
            let mut tags = db::articles::tags_of(conn, &ids)?;
            let mut corrections = db::corrections::of(conn, &ids)?;
            for row in rows {
                let t = tags.remove(&row.id).unwrap_or_default();
                let c = corrections.remove(&row.id).unwrap_or_default();
                let article = crate::service::articles::to_wire(row, t, c);
                serde_json::to_writer(
                    &mut *out,
                    &crate::formats::ninjs::article(&article, site, None),
                )
                .map_err(|e| ApiError::internal(format!("writing the export: {e}")))?;
                out.write_all(b"\n").map_err(io)?;
                n += 1;
            }
        }
        out.flush().map_err(io)?;
        Ok(n)
    })
}

/// Writes the taxonomy, then every live article (not the trash) in id order, as JSON Lines;
/// returns how many articles.
pub fn export(conn: &mut Conn, out: &mut impl Write) -> Result<usize, ApiError> {
    let io = |e: std::io::Error| ApiError::internal(format!("writing the export: {e}"));
    // One read transaction: the export is one consistent snapshot.
    db::transaction(conn, |conn| {
        for tag in tag_lines(conn)? {
            serde_json::to_writer(&mut *out, &TagEnvelope { tag })
                .map_err(|e| ApiError::internal(format!("writing the export: {e}")))?;
            out.write_all(b"\n").map_err(io)?;
        }
        let (mut after, mut n) = (0, 0);
        loop {
            let rows = db::articles::live_after(conn, after, 1000)?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
            let mut tags = db::articles::tags_of(conn, &ids)?;
            for row in rows {
                let line = ExportLine {
                    tags: tags
                        .remove(&row.id)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|t| t.slug)
                        .collect(),
                    summary: (!row.summary_auto).then_some(row.summary),
                    status: row.status,
                    published_at: row.published_at.map(|p| rfc3339(crate::dto::instant(p))),
                    image: row.image_url.map(|url| Image {
                        url,
                        caption: row.image_caption,
                    }),
                    slug: row.slug,
                    title: row.title,
                    body: row.body,
                    source: row.source,
                    author: row.author,
                    lang: row.lang,
                    pub_status: row.pub_status,
                    embargoed_until: row.embargoed_until.map(|p| rfc3339(crate::dto::instant(p))),
                    ed_note: row.ed_note,
                };
                serde_json::to_writer(&mut *out, &line)
                    .map_err(|e| ApiError::internal(format!("writing the export: {e}")))?;
                out.write_all(b"\n").map_err(io)?;
                n += 1;
            }
        }
        out.flush().map_err(io)?;
        Ok(n)
    })
}
