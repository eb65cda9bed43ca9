//! Search quality on the evaluation set in `tests/eval/search.json`: recall@10 and nDCG@10
//! of anbaa's search through HTTP, beside a WordPress-style `LIKE '%word%'` search and a
//! default FTS5 (`unicode61` over the raw text) on the same data. Fails below thresholds set
//! from measured values; run with `--nocapture` to see the per-query table.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use diesel::sql_types::Integer;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::helpers::TestApp;

#[derive(Deserialize)]
struct EvalSet {
    articles: Vec<EvalArticle>,
    queries: Vec<EvalQuery>,
}

#[derive(Deserialize)]
struct EvalArticle {
    key: String,
    title: String,
    summary: Option<String>,
    body: String,
    published_at: String,
}

#[derive(Deserialize)]
struct EvalQuery {
    q: String,
    relevant: Vec<String>,
    #[serde(default)]
    covers: String,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Integer)]
    id: i32,
}

/// recall@10 and nDCG@10 with binary relevance; an empty answer scores 1 when nothing is
/// returned and 0 otherwise.
fn score(ranked: &[i32], relevant: &HashSet<i32>) -> (f64, f64) {
    let top: Vec<i32> = ranked.iter().take(10).copied().collect();
    if relevant.is_empty() {
        let ok = if top.is_empty() { 1.0 } else { 0.0 };
        return (ok, ok);
    }
    let hits = top.iter().filter(|id| relevant.contains(id)).count();
    let recall = hits as f64 / relevant.len() as f64;
    let dcg: f64 = top
        .iter()
        .enumerate()
        .filter(|(_, id)| relevant.contains(id))
        .map(|(i, _)| 1.0 / ((i + 2) as f64).log2())
        .sum();
    let ideal: f64 = (0..relevant.len().min(10))
        .map(|i| 1.0 / ((i + 2) as f64).log2())
        .sum();
    (recall, dcg / ideal)
}

fn sql_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Words of a query as a naive engine sees them: quoted phrases whole, a leading `-` excludes.
fn naive_terms(q: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut rest = q;
    while let Some(start) = rest.find('"') {
        for w in rest[..start].split_whitespace() {
            out.push(w.to_owned());
        }
        let after = &rest[start + 1..];
        let end = after.find('"').unwrap_or(after.len());
        out.push(after[..end].to_owned());
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.extend(rest.split_whitespace().map(str::to_owned));
    out.into_iter()
        .filter(|w| !w.trim().is_empty())
        .map(|w| match w.strip_prefix('-') {
            Some(x) if !x.is_empty() => (false, x.to_owned()),
            _ => (true, w),
        })
        .collect()
}

/// WordPress's search: every term `LIKE '%term%'` in title or content, title matches first,
/// then newest.
fn like_search(conn: &mut SqliteConnection, q: &str) -> Vec<i32> {
    let mut conds = vec!["status = 'published'".to_owned()];
    let mut title_any = Vec::new();
    for (include, t) in naive_terms(q) {
        let pat = sql_quote(&format!("%{t}%"));
        if include {
            conds.push(format!("(title LIKE {pat} OR body LIKE {pat})"));
            title_any.push(format!("title LIKE {pat}"));
        } else {
            conds.push(format!("NOT (title LIKE {pat} OR body LIKE {pat})"));
        }
    }
    if title_any.is_empty() {
        return Vec::new();
    }
    let sql = format!(
        "SELECT id FROM articles WHERE {} ORDER BY ({}) DESC, published_at DESC LIMIT 10",
        conds.join(" AND "),
        title_any.join(" OR ")
    );
    diesel::sql_query(sql)
        .load::<Id>(conn)
        .map(|r| r.into_iter().map(|i| i.id).collect())
        .unwrap_or_default()
}

/// A default FTS5 setup: `unicode61` over the raw title and body, user words quoted and
/// ANDed, ranked by bm25.
fn raw_fts_search(conn: &mut SqliteConnection, q: &str) -> Vec<i32> {
    let mut expr = Vec::new();
    let mut negative = Vec::new();
    for (include, t) in naive_terms(q) {
        let quoted = format!("\"{}\"", t.replace('"', "\"\""));
        if include {
            expr.push(quoted)
        } else {
            negative.push(quoted)
        }
    }
    if expr.is_empty() {
        return Vec::new();
    }
    let mut m = expr.join(" AND ");
    for n in negative {
        m = format!("({m}) NOT {n}");
    }
    let sql = format!(
        "SELECT rowid AS id FROM raw_fts WHERE raw_fts MATCH {} ORDER BY bm25(raw_fts, 4.0, 1.0) LIMIT 10",
        sql_quote(&m)
    );
    diesel::sql_query(sql)
        .load::<Id>(conn)
        .map(|r| r.into_iter().map(|i| i.id).collect())
        .unwrap_or_default()
}

#[test]
fn search_quality_beats_like_and_default_fts5() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/eval/search.json");
    let set: EvalSet =
        serde_json::from_str(&std::fs::read_to_string(path).expect("eval set")).expect("eval json");
    assert!(set.articles.len() >= 60 && set.queries.len() >= 40);
    let app = TestApp::spawn();
    let mut ids: HashMap<String, i32> = HashMap::new();
    for a in &set.articles {
        let res = app.post(
            "/api/v1/articles",
            &json!({"title": a.title, "summary": a.summary, "body": a.body, "status": "published", "published_at": a.published_at}),
        );
        assert_eq!(res.status(), 201, "{}", a.key);
        let v: Value = res.json().unwrap();
        ids.insert(a.key.clone(), v["id"].as_i64().unwrap() as i32);
    }
    // The baselines run on their own SQLite copy of the same articles (same ids), so the
    // comparison holds whichever store serves anbaa.
    let baseline_dir = tempfile::tempdir().unwrap();
    let mut conn =
        SqliteConnection::establish(baseline_dir.path().join("baseline.db").to_str().unwrap())
            .unwrap();
    diesel::sql_query(
        "CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT, body TEXT, status TEXT, \
         published_at TEXT)",
    )
    .execute(&mut conn)
    .unwrap();
    for a in &set.articles {
        diesel::sql_query(format!(
            "INSERT INTO articles VALUES ({}, {}, {}, 'published', {})",
            ids[&a.key],
            sql_quote(&a.title),
            sql_quote(&a.body),
            sql_quote(&a.published_at)
        ))
        .execute(&mut conn)
        .unwrap();
    }
    diesel::sql_query("CREATE VIRTUAL TABLE raw_fts USING fts5(title, body)")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query(
        "INSERT INTO raw_fts (rowid, title, body) SELECT id, title, body FROM articles",
    )
    .execute(&mut conn)
    .unwrap();

    let mut totals = [(0.0, 0.0); 3];
    println!(
        "{:<44} | anbaa R / nDCG | LIKE R / nDCG | FTS5 R / nDCG | covers",
        "query"
    );
    for q in &set.queries {
        let relevant: HashSet<i32> = q
            .relevant
            .iter()
            .map(|k| *ids.get(k).unwrap_or_else(|| panic!("unknown key {k}")))
            .collect();
        let url = format!("{}/api/v1/articles", app.base);
        let res = app
            .client
            .get(url)
            .query(&[("q", q.q.as_str()), ("limit", "10"), ("fields", "id")])
            .send()
            .unwrap();
        assert_eq!(res.status(), 200, "{}", q.q);
        let body: Value = res.json().unwrap();
        let ours: Vec<i32> = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap() as i32)
            .collect();
        let like = like_search(&mut conn, &q.q);
        let raw = raw_fts_search(&mut conn, &q.q);
        let scores = [
            score(&ours, &relevant),
            score(&like, &relevant),
            score(&raw, &relevant),
        ];
        for (t, s) in totals.iter_mut().zip(scores) {
            t.0 += s.0;
            t.1 += s.1;
        }
        println!(
            "{:<44} | {:.2} / {:.2}    | {:.2} / {:.2}   | {:.2} / {:.2}   | {}",
            q.q,
            scores[0].0,
            scores[0].1,
            scores[1].0,
            scores[1].1,
            scores[2].0,
            scores[2].1,
            q.covers
        );
    }
    let n = set.queries.len() as f64;
    let mean = |i: usize| (totals[i].0 / n, totals[i].1 / n);
    let (ours, like, raw) = (mean(0), mean(1), mean(2));
    println!(
        "mean recall@10 / nDCG@10 over {} queries: anbaa {:.3} / {:.3} · LIKE {:.3} / {:.3} · default FTS5 {:.3} / {:.3}",
        set.queries.len(),
        ours.0,
        ours.1,
        like.0,
        like.1,
        raw.0,
        raw.1
    );
    assert!(
        ours.0 >= RECALL_FLOOR,
        "recall@10 {:.3} fell below {RECALL_FLOOR}",
        ours.0
    );
    assert!(
        ours.1 >= NDCG_FLOOR,
        "nDCG@10 {:.3} fell below {NDCG_FLOOR}",
        ours.1
    );
    assert!(ours.0 > like.0 && ours.1 > like.1, "must beat LIKE");
    assert!(ours.0 > raw.0 && ours.1 > raw.1, "must beat default FTS5");
}

/// Floors a little under what was measured when the set was written (recall@10 0.925,
/// nDCG@10 0.950; LIKE 0.470 / 0.502; default FTS5 0.383 / 0.429). Three queries cannot
/// reach recall 1 (more than 10 relevant articles), which caps the mean near 0.98.
const RECALL_FLOOR: f64 = 0.90;
const NDCG_FLOOR: f64 = 0.93;
