//! Editorial safety over real HTTP: revisions, If-Match with real concurrent writers, the
//! trash, purges, tag merges and slug redirects.

use std::sync::{Arc, Barrier};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_fields, problem};

fn etag(res: &reqwest::blocking::Response) -> String {
    res.headers()["etag"].to_str().unwrap().to_owned()
}

#[test]
fn every_change_keeps_the_previous_version_and_a_restore_is_a_new_version() {
    let app = TestApp::spawn();
    app.tag("armenia", "أرمينيا", "country", None);
    app.tag("economy", "الاقتصاد", "topic", None);
    let a = app.article("يريفان تستضيف معرضا تجاريا", &["armenia"]);
    let path = format!("/api/v1/articles/{}", a["id"]);
    let res = app.send(
        Method::PATCH,
        &path,
        &json!({"title": "يريفان تستضيف أكبر معرض تجاري", "tags": ["armenia", "economy"], "slug": "yerevan-expo"}),
    );
    assert_eq!(res.status(), 200);
    let res = app.send(
        Method::PATCH,
        &path,
        &json!({"body": "نص جديد كليا.", "status": "draft"}),
    );
    assert_eq!(res.status(), 200);

    let history: Value = app
        .get_with(&format!("{path}/revisions"), &app.reader)
        .json()
        .unwrap();
    let versions = history["data"].as_array().unwrap();
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[0]["version"], 1);
    assert_eq!(versions[0]["title"], a["title"]);
    assert_eq!(versions[0]["slug"], a["slug"]);
    assert_eq!(
        versions[0]["body"],
        "نص الخبر عن يريفان تستضيف معرضا تجاريا."
    );
    assert_eq!(versions[0]["status"], "published");
    assert_eq!(versions[0]["tags"][0]["slug"], "armenia");
    assert_eq!(versions[0]["changed_by"], "writer");
    assert_eq!(versions[0]["current"], false);
    assert_eq!(versions[1]["tags"].as_array().unwrap().len(), 2);
    assert_eq!(versions[2]["current"], true);
    assert_eq!(versions[2]["status"], "draft");

    let one: Value = app
        .get_with(&format!("{path}/revisions/1"), &app.writer)
        .json()
        .unwrap();
    assert_eq!(one, versions[0]);
    problem(
        app.get_with(&format!("{path}/revisions/9"), &app.reader),
        404,
    );
    let p = problem(
        app.get_with(&format!("{path}/revisions/abc"), &app.reader),
        400,
    );
    assert_eq!(error_fields(&p), ["n"]);
    problem(app.get(&format!("{path}/revisions")), 401);

    // Restoring version 1 makes version 4, equal to it; nothing is rewritten.
    let current = app.get_with(&path, &app.reader);
    let res = app
        .request(Method::POST, &format!("{path}/revisions/1/restore"))
        .header("If-Match", etag(&current))
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    let restored: Value = res.json().unwrap();
    assert_eq!(restored["version"], 4);
    for field in ["title", "slug", "body", "status", "summary", "published_at"] {
        assert_eq!(restored[field], a[field], "{field}");
    }
    assert_eq!(restored["tags"], a["tags"]);
    let history: Value = app
        .get_with(&format!("{path}/revisions"), &app.reader)
        .json()
        .unwrap();
    assert_eq!(history["data"].as_array().unwrap().len(), 4);
    assert_eq!(
        history["data"][2]["status"], "draft",
        "version 3 is still there"
    );
    // A stale If-Match on a restore is refused like any write.
    let res = app
        .request(Method::POST, &format!("{path}/revisions/1/restore"))
        .header("If-Match", etag(&current))
        .send()
        .unwrap();
    let p = problem(res, 412);
    assert_eq!(p["current_version"], 4);
}

#[test]
fn if_match_refuses_stale_writes_and_exactly_one_of_two_racers_wins() {
    let app = TestApp::spawn();
    let a = app.article("أستانا تعلن خطة للطاقة", &[]);
    let path = format!("/api/v1/articles/{}", a["id"]);
    let v1 = etag(&app.get(&path));
    let res = app
        .request(Method::PATCH, &path)
        .header("If-Match", &v1)
        .json(&json!({"title": "أستانا تعلن خطة جديدة للطاقة"}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    let v2 = etag(&res);
    assert!(v2.starts_with("\"v2-"));
    // The first editor's copy is stale now: 412, with the current version, nothing lost.
    for (method, body) in [
        (Method::PATCH, Some(json!({"title": "تعديل قديم"}))),
        (Method::PUT, Some(json!({"title": "استبدال قديم"}))),
        (Method::DELETE, None),
    ] {
        let mut req = app.request(method.clone(), &path).header("If-Match", &v1);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let p = problem(req.send().unwrap(), 412);
        assert_eq!(p["current_version"], 2, "{method}");
        assert_eq!(p["type"], "/problems/precondition-failed");
    }
    let now: Value = app.get(&path).json().unwrap();
    assert_eq!(now["title"], "أستانا تعلن خطة جديدة للطاقة");
    assert_eq!(now["version"], 2);
    // A weak or foreign tag never matches; `*` always does; no header still works.
    let weak = format!("W/{v2}");
    let res = app
        .request(Method::PATCH, &path)
        .header("If-Match", weak)
        .json(&json!({"author": "س"}))
        .send()
        .unwrap();
    problem(res, 412);
    let res = app
        .request(Method::PATCH, &path)
        .header("If-Match", "*")
        .json(&json!({"author": "مراسلنا"}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app.send(Method::PATCH, &path, &json!({"author": "مراسل آخر"}));
    assert_eq!(res.status(), 200);
    let v4 = etag(&res);

    // Eight editors race with the same If-Match: exactly one wins.
    let racers = 8;
    let barrier = Arc::new(Barrier::new(racers));
    let url = app.url(&path);
    let handles: Vec<_> = (0..racers)
        .map(|i| {
            let (barrier, url, key, tag) =
                (barrier.clone(), url.clone(), app.writer.clone(), v4.clone());
            std::thread::spawn(move || {
                let client = crate::helpers::client();
                barrier.wait();
                client
                    .patch(&url)
                    .bearer_auth(key)
                    .header("If-Match", tag)
                    .json(&json!({"title": format!("عنوان المحرر رقم {i}")}))
                    .send()
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 412).count(), racers - 1);
    let last: Value = app.get(&path).json().unwrap();
    assert_eq!(last["version"], 5);
    let history: Value = app
        .get_with(&format!("{path}/revisions"), &app.writer)
        .json()
        .unwrap();
    assert_eq!(
        history["data"].as_array().unwrap().len(),
        5,
        "no lost version"
    );
}

#[test]
fn the_trash_lists_restores_and_purges() {
    let app = TestApp::spawn();
    app.tag("caspian", "بحر قزوين", "topic", None);
    let a = app.article("خبر عن بحر قزوين", &["caspian"]);
    app.article("خبر آخر عن بحر قزوين", &["caspian"]);
    let path = format!("/api/v1/articles/{}", a["id"]);
    let res = app.request(Method::DELETE, &path).send().unwrap();
    assert_eq!(res.status(), 204);
    problem(app.get(&path), 404);
    // Counts of tag-filtered lists, in the trash and out of it.
    for (query, total) in [("status=trashed&tag=caspian", 1), ("tag=caspian", 1)] {
        let listed: Value = app
            .get_with(&format!("/api/v1/articles?{query}"), &app.writer)
            .json()
            .unwrap();
        assert_eq!(listed["meta"]["total"], total, "{query}");
        assert_eq!(listed["data"].as_array().unwrap().len(), 1, "{query}");
    }
    let trash: Value = app
        .get_with("/api/v1/articles?status=trashed", &app.writer)
        .json()
        .unwrap();
    assert_eq!(trash["data"][0]["id"], a["id"]);
    assert!(trash["data"][0]["trashed_at"].is_string());
    problem(
        app.get_with("/api/v1/articles?status=trashed", &app.reader),
        403,
    );
    let p = problem(
        app.get_with("/api/v1/articles?status=trashed&q=قزوين", &app.writer),
        400,
    );
    assert_eq!(error_fields(&p), ["q"]);
    // History stays readable in the trash.
    let history: Value = app
        .get_with(&format!("{path}/revisions"), &app.writer)
        .json()
        .unwrap();
    assert_eq!(history["data"][1]["trashed"], true);

    let res = app
        .request(Method::POST, &format!("{path}/restore"))
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    let back: Value = res.json().unwrap();
    assert_eq!(back["slug"], a["slug"]);
    assert_eq!(back["version"], 3);
    assert_eq!(app.get(&path).status(), 200);
    let p = problem(
        app.request(Method::POST, &format!("{path}/restore"))
            .send()
            .unwrap(),
        409,
    );
    assert!(p["detail"].as_str().unwrap().contains("not in the trash"));

    // Trashed, then its slug taken: restoring is a clear 409, not a silent rename.
    assert_eq!(
        app.request(Method::DELETE, &path).send().unwrap().status(),
        204
    );
    let taker = app.post(
        "/api/v1/articles",
        &json!({"title": "آخر", "slug": a["slug"], "status": "published"}),
    );
    assert_eq!(taker.status(), 201);
    let p = problem(
        app.request(Method::POST, &format!("{path}/restore"))
            .send()
            .unwrap(),
        409,
    );
    assert!(p["detail"].as_str().unwrap().contains("was taken"));

    // A purge needs admin and removes the article and its history for good.
    let p = problem(
        app.request(Method::DELETE, &format!("{path}?purge=true"))
            .send()
            .unwrap(),
        403,
    );
    assert!(p["detail"].as_str().unwrap().contains("admin"));
    let res = app
        .client
        .delete(app.url(&format!("{path}?purge=true")))
        .bearer_auth(&app.admin)
        .send()
        .unwrap();
    assert_eq!(res.status(), 204);
    problem(app.get_with(&format!("{path}/revisions"), &app.admin), 404);
    let trash: Value = app
        .get_with("/api/v1/articles?status=trashed", &app.writer)
        .json()
        .unwrap();
    assert_eq!(trash["meta"]["total"], 0);
    let res = app
        .client
        .delete(app.url(&format!("{path}?purge=true")))
        .bearer_auth(&app.admin)
        .send()
        .unwrap();
    problem(res, 404);
    // Partners learn of it: the log's last word on the article is a delete.
    let log: Value = app.get("/api/v1/changes?limit=500").json().unwrap();
    let last = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|e| e["id"] == a["id"])
        .unwrap()
        .clone();
    assert_eq!(last["op"], "delete");
}

#[test]
fn merging_a_tag_moves_its_articles_and_leaves_a_redirect() {
    let app = TestApp::spawn();
    app.tag("central-asia", "آسيا الوسطى", "region", None);
    app.tag("kazakhstan", "كازاخستان", "country", Some("central-asia"));
    app.tag("qazaqstan", "قازاقستان", "country", None);
    app.tag("almaty", "ألماتي", "topic", Some("qazaqstan"));
    app.tag("energy", "الطاقة", "topic", None);
    let only_dup = app.article("خبر بالوسم المكرر", &["qazaqstan", "energy"]);
    let both = app.article("خبر بالوسمين", &["kazakhstan", "qazaqstan"]);
    let trashed = app.article("خبر في السلة بالوسم المكرر", &["qazaqstan"]);
    assert_eq!(
        app.request(
            Method::DELETE,
            &format!("/api/v1/articles/{}", trashed["id"])
        )
        .send()
        .unwrap()
        .status(),
        204
    );

    let p = problem(
        app.post(
            "/api/v1/tags/qazaqstan/merge",
            &json!({"into": "qazaqstan"}),
        ),
        409,
    );
    assert!(p["detail"].as_str().unwrap().contains("itself"));
    problem(app.post("/api/v1/tags/qazaqstan/merge", &json!({})), 422);
    problem(
        app.post("/api/v1/tags/qazaqstan/merge", &json!({"into": "nowhere"})),
        422,
    );
    problem(
        app.post(
            "/api/v1/tags/central-asia/merge",
            &json!({"into": "kazakhstan"}),
        ),
        409,
    );
    problem(
        app.post("/api/v1/tags/nowhere/merge", &json!({"into": "kazakhstan"})),
        404,
    );

    let res = app.post(
        "/api/v1/tags/qazaqstan/merge",
        &json!({"into": "kazakhstan"}),
    );
    assert_eq!(res.status(), 200);
    let merged: Value = res.json().unwrap();
    assert_eq!(merged["articles_moved"], 3);
    assert_eq!(merged["children_moved"], 1);
    assert_eq!(merged["into"]["slug"], "kazakhstan");
    assert_eq!(merged["into"]["article_count"], 2);

    let a: Value = app
        .get(&format!("/api/v1/articles/{}", only_dup["id"]))
        .json()
        .unwrap();
    let slugs: Vec<&str> = a["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["kazakhstan", "energy"], "same place in the list");
    assert_eq!(a["version"], 2, "a merge is a new version of each article");
    let b: Value = app
        .get(&format!("/api/v1/articles/{}", both["id"]))
        .json()
        .unwrap();
    assert_eq!(b["tags"].as_array().unwrap().len(), 1);

    // The old slug keeps resolving everywhere.
    let no_redirects = crate::helpers::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = no_redirects
        .get(app.url("/api/v1/tags/qazaqstan"))
        .send()
        .unwrap();
    assert_eq!(res.status(), 301);
    assert_eq!(res.headers()["location"], "/api/v1/tags/kazakhstan");
    let followed: Value = app.get("/api/v1/tags/qazaqstan").json().unwrap();
    assert_eq!(followed["slug"], "kazakhstan");
    let res = no_redirects
        .get(app.url("/feeds/tags/qazaqstan.atom"))
        .send()
        .unwrap();
    assert_eq!(res.status(), 301);
    assert_eq!(res.headers()["location"], "/feeds/tags/kazakhstan.atom");
    let by_old: Value = app.get("/api/v1/articles?tag=qazaqstan").json().unwrap();
    let by_new: Value = app.get("/api/v1/articles?tag=kazakhstan").json().unwrap();
    assert_eq!(by_old["data"], by_new["data"]);
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": "خبر يستعمل الاسم القديم", "tags": ["qazaqstan"]}),
    );
    assert_eq!(res.status(), 201);
    let c: Value = res.json().unwrap();
    assert_eq!(c["tags"][0]["slug"], "kazakhstan");
    let almaty: Value = app.get("/api/v1/tags/almaty").json().unwrap();
    assert_eq!(almaty["parent"]["slug"], "kazakhstan");
    // A new tag may take the old slug back.
    app.tag("qazaqstan", "قازاقستان الجديدة", "topic", None);
    assert_eq!(app.get("/api/v1/tags/qazaqstan").status(), 200);
}

#[test]
fn a_renamed_article_slug_redirects_to_the_new_one() {
    let app = TestApp::spawn();
    let a = app.article("تبليسي تفتتح جسرا", &[]);
    let old = a["slug"].as_str().unwrap().to_owned();
    let res = app.send(
        Method::PATCH,
        &format!("/api/v1/articles/{}", a["id"]),
        &json!({"slug": "tbilisi-bridge"}),
    );
    assert_eq!(res.status(), 200);
    let no_redirects = crate::helpers::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = no_redirects
        .get(app.url(&format!("/api/v1/articles/{}", anbaa::text::pct(&old))))
        .send()
        .unwrap();
    assert_eq!(res.status(), 301);
    assert_eq!(res.headers()["location"], "/api/v1/articles/tbilisi-bridge");
    let followed: Value = app
        .get(&format!("/api/v1/articles/{}", anbaa::text::pct(&old)))
        .json()
        .unwrap();
    assert_eq!(followed["id"], a["id"]);
    // A draft's old slug does not reveal its new one.
    let d: Value = app
        .post(
            "/api/v1/articles",
            &json!({"title": "مسودة سرية", "slug": "secret-draft"}),
        )
        .json()
        .unwrap();
    app.send(
        Method::PATCH,
        &format!("/api/v1/articles/{}", d["id"]),
        &json!({"slug": "secret-draft-2"}),
    );
    problem(app.get("/api/v1/articles/secret-draft"), 404);
}

/// A chain of merges (A into B, then B into C) resolves A to C everywhere: in revision
/// restores, as a parent, and as the target of a merge (which is then "into itself").
#[test]
fn merge_chains_resolve_to_the_last_tag_everywhere() {
    let app = TestApp::spawn();
    app.tag("ca", "أ", "topic", None);
    app.tag("cb", "ب", "topic", None);
    app.tag("cc", "ج", "topic", None);
    let a = app.article("خبر بوسمين", &["ca", "cb"]);
    assert_eq!(
        app.post("/api/v1/tags/ca/merge", &json!({"into": "cb"}))
            .status(),
        200
    );
    assert_eq!(
        app.post("/api/v1/tags/cb/merge", &json!({"into": "cc"}))
            .status(),
        200
    );
    let followed: Value = app.get("/api/v1/tags/ca").json().unwrap();
    assert_eq!(followed["slug"], "cc");
    assert_eq!(app.get("/api/v1/articles?tag=ca").status(), 200);
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": "جديد", "tags": ["ca"]}),
    );
    assert_eq!(res.status(), 201);
    let restored = app
        .request(
            Method::POST,
            &format!("/api/v1/articles/{}/revisions/1/restore", a["id"]),
        )
        .send()
        .unwrap();
    assert_eq!(
        restored.status(),
        200,
        "version 1 carried ca and cb, both now cc"
    );
    let restored: Value = restored.json().unwrap();
    assert_eq!(restored["tags"].as_array().unwrap().len(), 1);
    assert_eq!(restored["tags"][0]["slug"], "cc");
    // Merging into one's own old slug is "into itself"; old slugs work as parents.
    let p = problem(
        app.post("/api/v1/tags/cc/merge", &json!({"into": "cb"})),
        409,
    );
    assert!(p["detail"].as_str().unwrap().contains("itself"));
    let child = app.post(
        "/api/v1/tags",
        &json!({"slug": "cd", "name": "د", "parent": "ca"}),
    );
    assert_eq!(child.status(), 201);
    let child: Value = child.json().unwrap();
    assert_eq!(child["parent"]["slug"], "cc");
}

/// A purged article's id is never handed out again, and partners see it go.
#[test]
fn a_purged_articles_id_is_never_reused_and_partners_see_it_go() {
    let app = TestApp::spawn();
    let gone = app.article("سيحذف نهائيا", &[]);
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/articles/{}?purge=true", gone["id"])))
        .bearer_auth(&app.admin)
        .send()
        .unwrap();
    assert_eq!(res.status(), 204);
    let next = app.article("الخبر التالي", &[]);
    assert!(
        next["id"].as_i64() > gone["id"].as_i64(),
        "{} after {}",
        next["id"],
        gone["id"]
    );
    let log: Value = app.get("/api/v1/changes?limit=500").json().unwrap();
    assert!(
        log["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == gone["id"]
                && e["op"] == "delete"
                && e["event"] == "deleted"
                // The version the public last saw, not 0: nothing of the article is left.
                && e["version"] == gone["version"])
    );
}

/// Versions are written one way only: `"v+1"` or `"v01"` in If-Match, or `+1`, `01`, `0` as
/// a revision number, name no version.
#[test]
fn versions_are_written_one_way_only() {
    let app = TestApp::spawn();
    let next = app.article("الخبر التالي", &[]);
    let path = format!("/api/v1/articles/{}", next["id"]);
    for tag in ["\"v+1-x\"", "\"v01-x\""] {
        let res = app
            .request(Method::PATCH, &path)
            .header("If-Match", tag)
            .json(&json!({"author": "س"}))
            .send()
            .unwrap();
        problem(res, 412);
    }
    for n in ["+1", "01", "0"] {
        problem(
            app.get_with(&format!("{path}/revisions/{n}"), &app.writer),
            400,
        );
    }
}

/// Revisions carry validators like every GET, and restoring the current version is not a
/// new version.
#[test]
fn revisions_revalidate_and_restoring_the_current_version_is_none() {
    let app = TestApp::spawn();
    let next = app.article("الخبر التالي", &[]);
    let path = format!("/api/v1/articles/{}", next["id"]);
    let res = app.get_with(&format!("{path}/revisions"), &app.writer);
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let res = app
        .client
        .get(app.url(&format!("{path}/revisions")))
        .bearer_auth(&app.writer)
        .header("If-None-Match", &etag)
        .send()
        .unwrap();
    assert_eq!(res.status(), 304);
    let res = app
        .request(Method::POST, &format!("{path}/revisions/1/restore"))
        .send()
        .unwrap();
    let same: Value = res.json().unwrap();
    assert_eq!(same["version"], 1);
}

/// The trash list can select `trashed_at`.
#[test]
fn the_trash_list_can_select_trashed_at() {
    let app = TestApp::spawn();
    let next = app.article("الخبر التالي", &[]);
    let path = format!("/api/v1/articles/{}", next["id"]);
    app.request(Method::DELETE, &path).send().unwrap();
    let res = app.get_with(
        "/api/v1/articles?status=trashed&fields=id,trashed_at",
        &app.writer,
    );
    assert_eq!(res.status(), 200);
}

/// A write to an old tag slug (merged or renamed) is sent to the tag's current URL with a
/// 308 (same method, same body there), and changes nothing itself.
#[test]
fn writes_to_an_old_tag_slug_are_redirected_not_lost() {
    let app = TestApp::spawn();
    app.tag("kazakhstan", "كازاخستان", "country", None);
    app.tag("qazaqstan", "قازاقستان", "country", None);
    let res = app.post(
        "/api/v1/tags/qazaqstan/merge",
        &json!({"into": "kazakhstan"}),
    );
    assert_eq!(res.status(), 200);
    let no_redirects = crate::helpers::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let patch = no_redirects
        .patch(app.url("/api/v1/tags/qazaqstan"))
        .bearer_auth(&app.writer)
        .json(&json!({"description": "وصف"}))
        .send()
        .unwrap();
    assert_eq!(patch.status(), 308);
    assert_eq!(patch.headers()["location"], "/api/v1/tags/kazakhstan");
    let delete = no_redirects
        .delete(app.url("/api/v1/tags/qazaqstan"))
        .bearer_auth(&app.writer)
        .send()
        .unwrap();
    assert_eq!(delete.status(), 308);
    let kept: Value = app.get("/api/v1/tags/kazakhstan").json().unwrap();
    assert_eq!(
        kept["description"],
        Value::Null,
        "nothing changed through the old slug"
    );
    // A renamed tag's old slug too; an unknown slug is still a 404.
    let res = app.send(
        Method::PATCH,
        "/api/v1/tags/kazakhstan",
        &json!({"slug": "kz"}),
    );
    assert_eq!(res.status(), 200);
    let patch = no_redirects
        .patch(app.url("/api/v1/tags/kazakhstan"))
        .bearer_auth(&app.writer)
        .json(&json!({"description": "وصف"}))
        .send()
        .unwrap();
    assert_eq!(patch.status(), 308);
    assert_eq!(patch.headers()["location"], "/api/v1/tags/kz");
    problem(
        app.send(
            Method::PATCH,
            "/api/v1/tags/atlantis",
            &json!({"description": "x"}),
        ),
        404,
    );
}

/// Tag ids are never handed out twice: a revision restore after a merge maps the merged tag
/// to the tag it went into, and after a delete answers 409, even when new tags were made in
/// between (they used to take the freed ids and be attached instead).
#[test]
fn revision_restore_after_new_tags_maps_merges_and_refuses_deleted_tags() {
    let app = TestApp::spawn();
    app.tag("kazakhstan", "كازاخستان", "country", None);
    app.tag("economy", "اقتصاد", "topic", None);
    let merged = app.tag("qazaqstan2", "قازاقستان", "country", None);
    let a = app.article("خبر عن قازاقستان", &["qazaqstan2", "economy"]);
    let res = app.post(
        "/api/v1/tags/qazaqstan2/merge",
        &json!({"into": "kazakhstan"}),
    );
    assert_eq!(res.status(), 200);
    let unrelated = app.tag("unrelated-topic", "موضوع آخر", "topic", None);
    assert_ne!(
        unrelated["id"], merged["id"],
        "a merged tag's id is never reused"
    );
    let res = app
        .request(
            Method::POST,
            &format!("/api/v1/articles/{}/revisions/1/restore", a["id"]),
        )
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    let restored: Value = res.json().unwrap();
    let slugs: Vec<&str> = restored["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["kazakhstan", "economy"]);

    let gone = app.tag("temp-tag-x", "مؤقت", "topic", None);
    let b = app.article("خبر بوسم مؤقت", &["temp-tag-x", "economy"]);
    let path = format!("/api/v1/articles/{}", b["id"]);
    let res = app.send(Method::PATCH, &path, &json!({"tags": ["economy"]}));
    assert_eq!(res.status(), 200);
    let res = app
        .request(Method::DELETE, "/api/v1/tags/temp-tag-x")
        .send()
        .unwrap();
    assert_eq!(res.status(), 204);
    let sports = app.tag("sports", "رياضة", "topic", None);
    assert_ne!(
        sports["id"], gone["id"],
        "a deleted tag's id is never reused"
    );
    let res = app
        .request(Method::POST, &format!("{path}/revisions/1/restore"))
        .send()
        .unwrap();
    let p = problem(res, 409);
    assert!(p["detail"].as_str().unwrap().contains("temp-tag-x"), "{p}");
}

/// With `--require-if-match`, a change to an existing article or tag without If-Match is a
/// 428 that says how to get the ETag (curl drops an empty header, so a script with an empty
/// `$ETAG` would otherwise overwrite silently); creating needs none.
#[test]
fn require_if_match_refuses_changes_without_a_precondition() {
    let app = TestApp::spawn_with(false, |s| s.require_if_match = true);
    app.tag("georgia", "جورجيا", "country", None);
    let a = app.article("جورجيا تنتخب برلمانها", &["georgia"]);
    let path = format!("/api/v1/articles/{}", a["id"]);
    let p = problem(
        app.send(Method::PATCH, &path, &json!({"title": "عنوان آخر"})),
        428,
    );
    assert_eq!(p["type"], "/problems/precondition-required");
    assert!(p["detail"].as_str().unwrap().contains("If-Match"), "{p}");
    for (method, target) in [
        (Method::DELETE, path.clone()),
        (Method::PATCH, "/api/v1/tags/georgia".to_owned()),
        (Method::DELETE, "/api/v1/tags/georgia".to_owned()),
    ] {
        let res = app
            .request(method.clone(), &target)
            .json(&json!({}))
            .send()
            .unwrap();
        assert_eq!(res.status(), 428, "{method} {target}");
    }
    let res = app
        .request(Method::PATCH, &path)
        .header("If-Match", "*")
        .json(&json!({"title": "عنوان آخر"}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 200, "`*` is a precondition");
    let still: Value = app.get(&path).json().unwrap();
    assert_eq!(still["version"], 2);
}

/// Tag writes honour If-Match like article writes: the tag's ETag from a GET (or from the
/// last write) lets one editor through, and a stale one is a 412 that changes nothing.
#[test]
fn tag_writes_honour_if_match() {
    let app = TestApp::spawn();
    app.tag("georgia", "جورجيا", "country", None);
    let res = app.get("/api/v1/tags/georgia");
    let first = etag(&res);
    assert!(first.starts_with("\"t"), "{first}");
    let res = app
        .request(Method::PATCH, "/api/v1/tags/georgia")
        .header("If-Match", &first)
        .json(&json!({"name_en": "Georgia"}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    let fresh = etag(&res);
    assert_ne!(fresh, first);
    let p = problem(
        app.request(Method::PATCH, "/api/v1/tags/georgia")
            .header("If-Match", &first)
            .json(&json!({"name_en": "Sakartvelo"}))
            .send()
            .unwrap(),
        412,
    );
    assert_eq!(p["type"], "/problems/precondition-failed");
    let tag: Value = app.get("/api/v1/tags/georgia").json().unwrap();
    assert_eq!(tag["name_en"], "Georgia", "a stale write changes nothing");
    let res = app
        .request(Method::DELETE, "/api/v1/tags/georgia")
        .header("If-Match", &first)
        .send()
        .unwrap();
    assert_eq!(res.status(), 412);
    let res = app
        .request(Method::DELETE, "/api/v1/tags/georgia")
        .header("If-Match", &fresh)
        .send()
        .unwrap();
    assert_eq!(res.status(), 204);
}

/// An old slug of a renamed article is redirected on every `{ref}` route, not only on the
/// detail view: 301 for reads (the rest of the path and the query kept), 308 for writes,
/// which change nothing and keep their method and body at the new address.
#[test]
fn an_old_article_slug_redirects_on_every_route() {
    let app = TestApp::spawn();
    app.tag("armenia", "أرمينيا", "country", None);
    let a = app.article("يريفان تستضيف قمة", &["armenia"]);
    app.article("أرمينيا وجورجيا", &["armenia"]);
    let old = a["slug"].as_str().unwrap().to_owned();
    let res = app.send(
        Method::PATCH,
        &format!("/api/v1/articles/{}", a["id"]),
        &json!({"slug": "yerevan-summit"}),
    );
    assert_eq!(res.status(), 200);
    let client = crate::helpers::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let old_path = format!("/api/v1/articles/{}", anbaa::text::pct(&old));
    for (method, suffix, status, expected) in [
        (
            Method::GET,
            "/related?limit=3",
            301,
            "/api/v1/articles/yerevan-summit/related?limit=3",
        ),
        (
            Method::GET,
            "/revisions",
            301,
            "/api/v1/articles/yerevan-summit/revisions",
        ),
        (
            Method::GET,
            "/revisions/1",
            301,
            "/api/v1/articles/yerevan-summit/revisions/1",
        ),
        (Method::PATCH, "", 308, "/api/v1/articles/yerevan-summit"),
        (Method::DELETE, "", 308, "/api/v1/articles/yerevan-summit"),
    ] {
        let res = client
            .request(method.clone(), app.url(&format!("{old_path}{suffix}")))
            .bearer_auth(&app.writer)
            .json(&json!({"title": "لا يتغير"}))
            .send()
            .unwrap();
        assert_eq!(res.status().as_u16(), status, "{method} {suffix}");
        assert_eq!(res.headers()["location"], expected, "{method} {suffix}");
    }
    let now: Value = app
        .get(&format!("/api/v1/articles/{}", a["id"]))
        .json()
        .unwrap();
    assert_eq!(
        now["title"], "يريفان تستضيف قمة",
        "a redirected write changes nothing"
    );
    assert!(now["trashed_at"].is_null());
}

/// Trashing answers the trashed version's ETag, so a restore can name it in If-Match (the
/// article cannot be read there any more).
#[test]
fn trash_answers_the_etag_a_restore_can_name() {
    let app = TestApp::spawn_with(false, |s| s.require_if_match = true);
    let a = app.article("خبر إلى سلة المحذوفات", &[]);
    let path = format!("/api/v1/articles/{}", a["id"]);
    let current = etag(&app.get(&path));
    let res = app
        .request(Method::DELETE, &path)
        .header("If-Match", &current)
        .send()
        .unwrap();
    assert_eq!(res.status(), 204);
    let trashed = etag(&res);
    assert!(trashed.starts_with("\"v2-"), "{trashed}");
    let res = app
        .request(Method::POST, &format!("{path}/restore"))
        .header("If-Match", &trashed)
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
}

/// The history says what made each version, and is paged with the list envelope: the
/// current version is the last of the last page, `meta.total` counts every version.
#[test]
fn revisions_say_what_made_each_version_and_are_paged() {
    let app = TestApp::spawn();
    app.tag("kazakhstan", "كازاخستان", "country", None);
    app.tag("qazaqstan", "قازاقستان", "country", None);
    let a = app.article("خبر بتاريخ طويل", &["qazaqstan"]);
    let path = format!("/api/v1/articles/{}", a["id"]);
    assert_eq!(
        app.send(Method::PATCH, &path, &json!({"title": "خبر معدل"}))
            .status(),
        200
    );
    assert_eq!(
        app.request(Method::DELETE, &path).send().unwrap().status(),
        204
    );
    let restore = app
        .request(Method::POST, &format!("{path}/restore"))
        .send()
        .unwrap();
    assert_eq!(restore.status(), 200);
    let merge = app.post(
        "/api/v1/tags/qazaqstan/merge",
        &json!({"into": "kazakhstan"}),
    );
    assert_eq!(merge.status(), 200);
    let revert = app
        .request(Method::POST, &format!("{path}/revisions/1/restore"))
        .send()
        .unwrap();
    assert_eq!(revert.status(), 200);
    let all: Value = app
        .get_with(&format!("{path}/revisions?limit=100"), &app.writer)
        .json()
        .unwrap();
    let actions: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["create", "edit", "trash", "restore", "merge", "revert"]
    );
    assert_eq!(all["meta"]["total"], 6);
    let first: Value = app
        .get_with(&format!("{path}/revisions?limit=4"), &app.writer)
        .json()
        .unwrap();
    assert_eq!(first["data"].as_array().unwrap().len(), 4);
    assert_eq!(first["data"][3]["current"], false);
    let next = first["links"]["next"].as_str().unwrap().to_owned();
    let second: Value = app.get_with(&next, &app.writer).json().unwrap();
    assert_eq!(second["data"].as_array().unwrap().len(), 2);
    assert_eq!(second["data"][1]["current"], true);
    assert_eq!(second["data"][1]["version"], 6);
    assert!(second["links"]["next"].is_null());
}
