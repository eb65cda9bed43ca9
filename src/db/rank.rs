//! `anbaa_rank(articles_fts, n0, n1, …)`: FTS5's own bm25, with the index's column weights,
//! that takes how many documents hold each phrase of the query as arguments instead of
//! counting them. FTS5's bm25 counts them on the first row of every query by walking each
//! phrase's whole list of documents: for a common word at 100,000 articles that was a third
//! of a search. The counts depend only on the index, so they are kept (per database) until
//! the index changes, and a repeated word costs nothing.
//!
//! SQLite-only: the function is registered on every connection through
//! `sqlite3_auto_extension`, with the C API of the bundled library.

use super::Conn;
use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_void};
use std::sync::{Mutex, Once};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Binary, Text};
use libsqlite3_sys as ffi;

use super::error::StoreResult;

/// The weight of each column of `articles_fts`, in order (title, summary, body, title_alt,
/// alt, keys, tags): the same as the table's configured `rank`.
const WEIGHTS: [f64; 7] = [20.0, 6.0, 1.0, 15.0, 1.0, 0.5, 4.0];
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// Registers `anbaa_rank` on every connection opened from now on (once per process).
pub fn register() {
    static ONCE: Once = Once::new();
    // SAFETY: `init` has the entry-point signature SQLite calls with each new connection.
    ONCE.call_once(|| unsafe {
        ffi::sqlite3_auto_extension(Some(init));
    });
}

unsafe extern "C" fn init(
    db: *mut ffi::sqlite3,
    _err: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    // SAFETY: `db` is the connection being opened; the statement hands back FTS5's API
    // pointer through sqlite3_bind_pointer, as FTS5's documentation prescribes.
    unsafe {
        let mut api: *mut ffi::fts5_api = std::ptr::null_mut();
        let mut stmt: *mut ffi::sqlite3_stmt = std::ptr::null_mut();
        if ffi::sqlite3_prepare_v2(
            db,
            c"SELECT fts5(?1)".as_ptr(),
            -1,
            &mut stmt,
            std::ptr::null_mut(),
        ) != ffi::SQLITE_OK
        {
            return ffi::SQLITE_ERROR;
        }
        ffi::sqlite3_bind_pointer(
            stmt,
            1,
            (&raw mut api).cast::<c_void>(),
            c"fts5_api_ptr".as_ptr(),
            None,
        );
        ffi::sqlite3_step(stmt);
        ffi::sqlite3_finalize(stmt);
        let Some(create) = api.as_ref().and_then(|a| a.xCreateFunction) else {
            return ffi::SQLITE_ERROR;
        };
        create(
            api,
            c"anbaa_rank".as_ptr(),
            std::ptr::null_mut(),
            Some(rank),
            None,
        )
    }
}

/// What one query computes once: the average document length and each phrase's idf.
struct QueryData {
    avgdl: f64,
    idf: Vec<f64>,
    freq: Vec<f64>,
}

unsafe extern "C" fn drop_query_data(p: *mut c_void) {
    // SAFETY: `p` is the Box this module leaked into FTS5's auxiliary data.
    unsafe { drop(Box::from_raw(p.cast::<QueryData>())) }
}

unsafe extern "C" fn count_row(
    _api: *const ffi::Fts5ExtensionApi,
    _fts: *mut ffi::Fts5Context,
    n: *mut c_void,
) -> c_int {
    // SAFETY: `n` is the i64 `query_data` passed to xQueryPhrase.
    unsafe { *n.cast::<i64>() += 1 };
    ffi::SQLITE_OK
}

/// Computes a query's data on its first row, as FTS5's bm25 does, but with the phrases'
/// document counts from the arguments when the caller gave one per phrase.
unsafe fn query_data(
    api: &ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    args: &[*mut ffi::sqlite3_value],
) -> Option<*mut QueryData> {
    // SAFETY: the API functions are called with the context FTS5 gave this call.
    unsafe {
        let existing = (api.xGetAuxdata?)(fts, 0).cast::<QueryData>();
        if !existing.is_null() {
            return Some(existing);
        }
        let phrases = usize::try_from((api.xPhraseCount?)(fts)).ok()?;
        let (mut rows, mut tokens) = (0i64, 0i64);
        if (api.xRowCount?)(fts, &mut rows) != ffi::SQLITE_OK
            || (api.xColumnTotalSize?)(fts, -1, &mut tokens) != ffi::SQLITE_OK
        {
            return None;
        }
        let mut idf = Vec::with_capacity(phrases);
        for i in 0..phrases {
            let hits = if args.len() == phrases {
                ffi::sqlite3_value_int64(args[i])
            } else {
                let mut n = 0i64;
                (api.xQueryPhrase?)(
                    fts,
                    c_int::try_from(i).ok()?,
                    (&raw mut n).cast::<c_void>(),
                    Some(count_row),
                );
                n
            };
            let v = (((rows - hits) as f64 + 0.5) / (hits as f64 + 0.5)).ln();
            idf.push(if v <= 0.0 { 1e-6 } else { v });
        }
        let data = Box::into_raw(Box::new(QueryData {
            avgdl: tokens as f64 / rows.max(1) as f64,
            idf,
            freq: vec![0.0; phrases],
        }));
        if (api.xSetAuxdata?)(fts, data.cast::<c_void>(), Some(drop_query_data)) != ffi::SQLITE_OK {
            // FTS5 called the destructor already.
            return None;
        }
        Some(data)
    }
}

unsafe extern "C" fn rank(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    ctx: *mut ffi::sqlite3_context,
    n_args: c_int,
    args: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: FTS5 passes a valid API, context and `n_args` argument values.
    unsafe {
        let args: &[*mut ffi::sqlite3_value] = match usize::try_from(n_args) {
            Ok(n) if n > 0 && !args.is_null() => std::slice::from_raw_parts(args, n),
            _ => &[],
        };
        let score = api.as_ref().and_then(|api| score(api, fts, args));
        match score {
            Some(s) => ffi::sqlite3_result_double(ctx, -s),
            None => ffi::sqlite3_result_error(ctx, c"anbaa_rank failed".as_ptr(), -1),
        }
    }
}

unsafe fn score(
    api: &ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    args: &[*mut ffi::sqlite3_value],
) -> Option<f64> {
    // SAFETY: as in `rank`; `data` lives in FTS5's auxiliary data for the whole query and
    // this call is its only user.
    unsafe {
        let data = &mut *query_data(api, fts, args)?;
        data.freq.iter_mut().for_each(|f| *f = 0.0);
        let mut n = 0;
        if (api.xInstCount?)(fts, &mut n) != ffi::SQLITE_OK {
            return None;
        }
        for i in 0..n {
            let (mut phrase, mut col, mut off) = (0, 0, 0);
            if (api.xInst?)(fts, i, &mut phrase, &mut col, &mut off) != ffi::SQLITE_OK {
                return None;
            }
            let w = usize::try_from(col)
                .ok()
                .and_then(|c| WEIGHTS.get(c))
                .copied()
                .unwrap_or(1.0);
            if let Some(f) = usize::try_from(phrase)
                .ok()
                .and_then(|p| data.freq.get_mut(p))
            {
                *f += w;
            }
        }
        let mut size = 0;
        if (api.xColumnSize?)(fts, -1, &mut size) != ffi::SQLITE_OK {
            return None;
        }
        let norm = K1 * (1.0 - B + B * f64::from(size) / data.avgdl);
        Some(
            data.idf
                .iter()
                .zip(&data.freq)
                .map(|(idf, f)| idf * (f * (K1 + 1.0)) / (f + norm))
                .sum(),
        )
    }
}

/// Each phrase of one of our search expressions, in the order FTS5 numbers them (the order
/// they are written in), as a MATCH expression of its own: its column filter when it has
/// one, its quoted text and the `*` of a prefix.
pub fn phrases(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = expr.as_bytes();
    let mut from = 0;
    while let Some(found) = expr[from..].find('"') {
        let start = from + found;
        // The quoted text ends at a quote not doubled.
        let mut i = start + 1;
        while i < bytes.len() {
            if bytes[i] == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 2;
                    continue;
                }
                break;
            }
            i += 1;
        }
        let end = (i + 1).min(expr.len());
        let filter = expr[from..start].strip_suffix(" : ").map(|before| {
            let filter_start = if before.ends_with('}') {
                before.rfind('{').unwrap_or(0)
            } else {
                before
                    .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(0, |i| i + 1)
            };
            &before[filter_start..]
        });
        let mut phrase = match filter {
            Some(f) => format!("{f} : {}", &expr[start..end]),
            None => expr[start..end].to_owned(),
        };
        if expr[end..].starts_with(" *") {
            phrase.push_str(" *");
        }
        out.push(phrase);
        from = end;
    }
    out
}

#[derive(QueryableByName)]
struct Stamp {
    #[diesel(sql_type = Text)]
    file: String,
    #[diesel(sql_type = Binary)]
    stamp: Vec<u8>,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Document counts per phrase, for one database as its index stood.
#[derive(Default)]
struct Counts {
    stamp: Option<(String, Vec<u8>)>,
    by_phrase: HashMap<String, i64>,
}

/// Phrases remembered at most; past it the counts start over.
const MAX_PHRASES: usize = 20_000;

static COUNTS: Mutex<Option<Counts>> = Mutex::new(None);

/// The rank function of a search over `expr`, inside the caller's read transaction, for
/// `rank MATCH '…'`: `anbaa_rank(…)` with each phrase's document count, remembered while the
/// index (its structure and totals records, which every committed change rewrites) and
/// the database stay the same.
pub fn rank_sql(conn: &mut Conn, expr: &str) -> StoreResult<String> {
    let stamp: Stamp = diesel::sql_query(
        "SELECT (SELECT file FROM pragma_database_list WHERE name = 'main') AS file, \
         CAST((SELECT block FROM articles_fts_data WHERE id = 1) AS BLOB) \
         || CAST((SELECT block FROM articles_fts_data WHERE id = 10) AS BLOB) AS stamp",
    )
    .get_result(conn)?;
    let stamp = Some((stamp.file, stamp.stamp));
    let mut counts = Vec::new();
    for phrase in phrases(expr) {
        let known = COUNTS.lock().ok().and_then(|c| {
            c.as_ref()
                .filter(|c| c.stamp == stamp)
                .and_then(|c| c.by_phrase.get(&phrase).copied())
        });
        let n = match known {
            Some(n) => n,
            None => {
                let n = diesel::sql_query(
                    "SELECT COUNT(*) AS n FROM articles_fts WHERE articles_fts MATCH ?",
                )
                .bind::<Text, _>(&phrase)
                .get_result::<Count>(conn)?
                .n;
                if let Ok(mut guard) = COUNTS.lock() {
                    let c = guard.get_or_insert_with(Counts::default);
                    if c.stamp != stamp || c.by_phrase.len() >= MAX_PHRASES {
                        c.stamp = stamp.clone();
                        c.by_phrase.clear();
                    }
                    c.by_phrase.insert(phrase, n);
                }
                n
            }
        };
        counts.push(n.to_string());
    }
    Ok(format!("anbaa_rank({})", counts.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::sql_types::{Double, Integer};

    #[derive(QueryableByName, Debug)]
    struct Scored {
        #[diesel(sql_type = Integer)]
        id: i32,
        #[diesel(sql_type = Double)]
        ours: f64,
        #[diesel(sql_type = Double)]
        theirs: f64,
    }

    #[test]
    fn phrases_are_read_in_the_order_they_are_written() {
        let expr =
            "((({a b} : \"x\" OR keys : \"k\"\"q\")) AND ({a} : \"p\" *)) NOT ({a b} : \"z\")";
        assert_eq!(
            phrases(expr),
            vec![
                "{a b} : \"x\"",
                "keys : \"k\"\"q\"",
                "{a} : \"p\" *",
                "{a b} : \"z\""
            ]
        );
        assert_eq!(
            phrases("((\"x\" OR \"ـk\"\"q\") AND (\"p\" *)) NOT (\"z\")"),
            vec!["\"x\"", "\"ـk\"\"q\"", "\"p\" *", "\"z\""]
        );
    }

    /// With the counts it is given, anbaa_rank scores every row exactly as FTS5's bm25 with
    /// the table's weights does, for every shape of query the parser writes: the phrases are
    /// numbered as FTS5 numbers them and the counts are right.
    #[test]
    fn anbaa_rank_scores_as_fts5_bm25_does() {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::open(dir.path().join("rank.db").to_str().unwrap()).unwrap();
        let mut conn = pool.get().unwrap();
        let words = [
            "النفط",
            "الغاز",
            "كازاخستان",
            "قرغيزستان",
            "قيرغيزستان",
            "الموانئ",
            "بكين",
        ];
        for id in 1..=60 {
            let pick = |k: usize| words[(id as usize * k) % words.len()];
            let title = format!("{} {} في {}", pick(3), pick(5), pick(7));
            let lede = if id % 3 == 0 {
                "كازاخستان النفط"
            } else {
                ""
            };
            let body = format!("{lede} {} و{} {} {}", pick(2), pick(11), pick(13), pick(3));
            let doc = crate::db::fts::IndexDoc::of(&title, pick(17), &body);
            crate::db::fts::insert_doc(&mut conn, id, &doc).unwrap();
        }
        for q in [
            "النفط",
            "كازاخستان النفط",
            "قيرغيزستان",
            "النفط OR الغاز بكين",
            "\"كازاخستان النفط\"",
            "كازاخ*",
            "الغاز -بكين",
        ] {
            let expr = crate::search::parse(q).fts.unwrap();
            let rank = rank_sql(&mut conn, &expr).unwrap();
            // As the list asks: through the rank column, into a window and a sorter.
            let rows: Vec<Scored> = diesel::sql_query(format!(
                "SELECT o.id, o.ours, t.theirs FROM \
                 (SELECT rowid AS id, rank AS ours, COUNT(*) OVER () AS n FROM articles_fts \
                  WHERE articles_fts MATCH ?1 AND rank MATCH '{rank}' ORDER BY rank) o \
                 JOIN (SELECT rowid AS id, rank AS theirs FROM articles_fts \
                  WHERE articles_fts MATCH ?1) t ON t.id = o.id"
            ))
            .bind::<Text, _>(&expr)
            .load(&mut conn)
            .unwrap();
            assert!(!rows.is_empty(), "{q} found nothing: {expr}");
            assert!(rows.iter().all(|r| (1..=60).contains(&r.id)));
            for r in rows {
                assert!((r.ours - r.theirs).abs() < 1e-9, "{q}: {r:?}");
            }
            // And it is ours that ranks: with other counts, other scores.
            let wrong = format!("anbaa_rank({})", vec!["1"; phrases(&expr).len()].join(", "));
            let rows: Vec<Scored> = diesel::sql_query(format!(
                "SELECT o.id, o.ours, t.theirs FROM \
                 (SELECT rowid AS id, rank AS ours FROM articles_fts \
                  WHERE articles_fts MATCH ?1 AND rank MATCH '{wrong}') o \
                 JOIN (SELECT rowid AS id, rank AS theirs FROM articles_fts \
                  WHERE articles_fts MATCH ?1) t ON t.id = o.id"
            ))
            .bind::<Text, _>(&expr)
            .load(&mut conn)
            .unwrap();
            assert!(
                rows.iter().any(|r| (r.ours - r.theirs).abs() > 1e-6),
                "{q}: the rank function was not used"
            );
        }
    }
}
