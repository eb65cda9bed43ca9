// A typed client of the anbaa API, generated from the live server's /openapi.json
// (openapi-typescript) and driven through openapi-fetch against the demo content: every JSON
// operation, reads with each filter family, writes with a key, conflicts, the trash, tag
// merges and typed problems. Any surprise exits 1 naming the step. See run.sh.
//
// The reads the spec promises are written as typed assignments (`const title: string = ...`)
// with no cast, no non-null assertion and no narrowing: when the served spec stops promising
// them (an optional body_html, a list item that may be a field selection), this file no
// longer compiles.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Schemas = components["schemas"];
type ListItem = Schemas["ArticleListItem"];
type TagView = Schemas["Tag"];

// Plain JSON and problem documents only: a `fields=` selection (its own media type) is left
// out of the types of this client.
type Json = "application/json" | "application/problem+json";

class Failure extends Error {}
function fail(message: string): never {
    throw new Failure(message);
}
function check(condition: boolean, message: string): void {
    if (!condition) fail(message);
}

function env(name: string): string {
    const value = process.env[name];
    if (value === undefined || value === "") {
        console.error(`client: set ${name}`);
        process.exit(2);
    }
    return value;
}

const baseUrl = env("ANBAA_URL").replace(/\/+$/, "");
const key = env("ANBAA_KEY");
const run = Date.now().toString(36);

// Every request gives up after 15 s: a hung server fails the step instead of the CI job.
const timedFetch = (request: Request): Promise<Response> =>
    fetch(request, { signal: AbortSignal.timeout(15_000) });

const pub = createClient<paths, Json>({ baseUrl, fetch: timedFetch });
const ed = createClient<paths, Json>({
    baseUrl,
    fetch: timedFetch,
    headers: { Authorization: `Bearer ${key}` },
});

// ---------------------------------------------------------------------------------------------
// What an openapi-fetch call gives back, and the checks every step makes on it.

type Outcome<D, E> =
    | { data: D; error?: never; response: Response }
    | { data?: never; error: E; response: Response };

function mediaOf(response: Response): string {
    return (response.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
}

function show(value: unknown): string {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return text === undefined ? "(no body)" : text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

function where(response: Response): string {
    return response.url.replace(baseUrl, "");
}

/** The body of a success with this status and media type (the typed data), or a failure. */
function ok<D, E>(what: string, r: Outcome<D, E>, status = 200, media = "application/json"): NonNullable<D> {
    const got = r.response.status;
    if (got !== status) {
        fail(`${what}: expected ${status}, got ${got} from ${where(r.response)}: ${show(r.error ?? r.data)}`);
    }
    if (mediaOf(r.response) !== media) {
        fail(`${what}: expected ${media}, got content-type "${mediaOf(r.response)}"`);
    }
    if (r.error !== undefined) fail(`${what}: openapi-fetch reported an error: ${show(r.error)}`);
    const data = r.data;
    if (data === undefined || data === null) fail(`${what}: ${status} with no body`);
    return data;
}

/** A response with no body (204), or a failure. */
function empty<D, E>(what: string, r: Outcome<D, E>, status = 204): void {
    const got = r.response.status;
    if (got !== status) {
        fail(`${what}: expected ${status}, got ${got} from ${where(r.response)}: ${show(r.error ?? r.data)}`);
    }
}

/** The problem document of an error with this status (typed as the spec's Problem), or a failure. */
function problem<D, E>(what: string, r: Outcome<D, E>, status: number): NonNullable<E> {
    const got = r.response.status;
    if (got !== status) {
        fail(`${what}: expected ${status}, got ${got} from ${where(r.response)}: ${show(r.error ?? r.data)}`);
    }
    if (mediaOf(r.response) !== "application/problem+json") {
        fail(`${what}: a ${status} as "${mediaOf(r.response)}", not application/problem+json`);
    }
    const error = r.error;
    if (error === undefined || error === null) fail(`${what}: a ${status} with no problem document`);
    return error;
}

function header(what: string, response: Response, name: string): string {
    const value = response.headers.get(name);
    if (value === null) fail(`${what}: no ${name} header`);
    return value;
}

function instant(what: string, value: string | null | undefined): number {
    if (value === null || value === undefined) fail(`${what}: no timestamp`);
    const t = Date.parse(value);
    if (Number.isNaN(t)) fail(`${what}: "${value}" is not a date-time`);
    return t;
}

function ids(items: { id: number }[]): string {
    return items.map((a) => a.id).join(",");
}

function sameIds(what: string, got: { id: number }[], want: { id: number }[]): void {
    const g = ids(got);
    const w = ids(want);
    check(g === w, `${what}: got ids [${g}], expected [${w}]`);
}

function orderedBy(what: string, items: ListItem[], key: (a: ListItem) => number, descending: boolean): void {
    for (let i = 1; i < items.length; i++) {
        const [a, b] = [key(items[i - 1]), key(items[i])];
        check(descending ? a >= b : a <= b, `${what}: items ${items[i - 1].id} and ${items[i].id} out of order`);
    }
}

// ---------------------------------------------------------------------------------------------
// Steps: one line each; the first failure ends the run with its name.

let passed = 0;
async function step<T>(name: string, body: (say: (note: string) => void) => Promise<T>): Promise<T> {
    const notes: string[] = [];
    try {
        const value = await body((note) => notes.push(note));
        passed++;
        console.log(`ok ${String(passed).padStart(2)} ${name}${notes.length ? ` — ${notes.join("; ")}` : ""}`);
        return value;
    } catch (e) {
        const cause = e instanceof Error && e.cause instanceof Error ? ` (cause: ${e.cause.message})` : "";
        const message = e instanceof Failure ? e.message : e instanceof Error ? `${e.stack ?? e.message}${cause}` : String(e);
        console.error(`FAIL step "${name}": ${message}`);
        process.exit(1);
    }
}

async function main(): Promise<void> {
    console.log(`client: ${baseUrl} (run ${run})`);

    await step("GET /healthz, /readyz", async (say) => {
        const health = ok("healthz", await pub.GET("/healthz"));
        const ready = ok("readyz", await pub.GET("/readyz"));
        const h: string = health.status;
        const r: string = ready.status;
        check(h === "ok" && r === "ok", `statuses "${h}", "${r}"`);
        say(`${h}, ${r}`);
    });

    // -- tags first: the filters below are checked against the tag tree -----------------------
    const tags = await step("GET /api/v1/tags (every tag, counts)", async (say) => {
        const r = await pub.GET("/api/v1/tags", { params: { query: { limit: 100 } } });
        const list = ok("tags", r);
        const count: number = list.data[0].article_count;
        const total: number = list.meta.total;
        check(Number.isInteger(count) && count >= 0, `article_count ${count}`);
        check(list.data.length === total, `${list.data.length} tags listed, meta.total ${total}`);
        check(header("tags", r.response, "x-total-count") === String(total), "X-Total-Count differs from meta.total");
        check(total > 0, "no tags in the demo");
        say(`${total} tags; ${list.data[0].slug} carried by ${count}`);
        return list.data;
    });
    const bySlug = new Map<string, TagView>(tags.map((t) => [t.slug, t]));
    /** The slug and every descendant's: what a filter on this tag matches. */
    function family(slug: string): Set<string> {
        check(bySlug.has(slug), `the demo has no tag ${slug}`);
        const out = new Set([slug]);
        for (let grew = true; grew; ) {
            grew = false;
            for (const t of tags) {
                if (t.parent !== null && out.has(t.parent.slug) && !out.has(t.slug)) {
                    out.add(t.slug);
                    grew = true;
                }
            }
        }
        return out;
    }
    const carries = (a: ListItem, slugs: Set<string>): boolean => a.tags.some((t) => slugs.has(t.slug));
    const region = tags.find((t) => t.kind === "region" && tags.some((c) => c.parent !== null && c.parent.slug === t.slug));
    if (region === undefined) fail("the demo has no region with countries under it");

    await step("GET /api/v1/tags?q= (autocomplete)", async (say) => {
        const list = ok("tags q", await pub.GET("/api/v1/tags", { params: { query: { q: "كاز" } } }));
        check(list.data.some((t) => t.slug === "kazakhstan"), `q=كاز did not suggest kazakhstan: ${list.data.map((t) => t.slug).join(",")}`);
        for (let i = 1; i < list.data.length; i++) {
            check(list.data[i - 1].article_count >= list.data[i].article_count, "suggestions are not most used first");
        }
        const none = ok("tags q none", await pub.GET("/api/v1/tags", { params: { query: { q: "..." } } }));
        check(none.data.length === 0 && none.meta.total === 0, "text with no letter suggested tags");
        say(`كاز → ${list.data.map((t) => t.slug).join(", ")}`);
    });

    await step("GET /api/v1/tags/{slug} (a region with its children)", async (say) => {
        const tag = ok("tag", await pub.GET("/api/v1/tags/{slug}", { params: { path: { slug: region.slug } } }));
        const kind: Schemas["TagKind"] = tag.kind;
        const count: number = tag.article_count;
        check(kind === "region", `kind ${kind}`);
        check(count === region.article_count, `article_count ${count} here, ${region.article_count} in the list`);
        const children = tag.children;
        if (children === undefined) fail("the single-tag view has no children");
        const want = tags.filter((t) => t.parent !== null && t.parent.slug === region.slug).map((t) => t.slug).sort();
        const got = children.map((c) => c.slug).sort();
        check(got.join() === want.join(), `children [${got}], the list says [${want}]`);
        say(`${region.slug}: ${got.length} children`);
    });

    // -- articles --------------------------------------------------------------------------------
    const first = await step("GET /api/v1/articles (plain)", async (say) => {
        const r = await pub.GET("/api/v1/articles");
        const list = ok("articles", r);
        const title: string = list.data[0].title;
        const tagName: string = list.data[0].tags[0].name;
        const total: number = list.meta.total;
        const limit: number = list.meta.limit;
        check(title.length > 0 && tagName.length > 0, "empty title or tag name");
        check(limit === 20, `default limit ${limit}`);
        check(list.data.length === Math.min(20, total), `${list.data.length} items of ${total}`);
        check(header("list", r.response, "x-total-count") === String(total), "X-Total-Count differs from meta.total");
        check(r.response.headers.get("etag") !== null, "no ETag");
        check(list.data.every((a) => a.status === "published"), "a public list shows an unpublished article");
        check(list.data.every((a) => a.body === undefined && a.body_html === undefined), "a list without include=body has bodies");
        orderedBy("default sort", list.data, (a) => instant("published_at", a.published_at), true);
        check((list.links.next !== null) === total > 20, `links.next ${list.links.next} with total ${total}`);
        say(`${total} published; first «${title}» tagged ${tagName}`);
        return list;
    });

    const all = await step("every published article (limit=100, cursor pages)", async (say) => {
        const out: ListItem[] = [];
        let cursor: string | undefined;
        for (let pages = 0; ; pages++) {
            check(pages < 100, "more than 100 pages");
            const list = ok("all", await pub.GET("/api/v1/articles", { params: { query: { limit: 100, cursor } } }));
            out.push(...list.data);
            const next = list.meta.next_cursor;
            if (next === null) break;
            cursor = next;
        }
        check(out.length === first.meta.total, `walked ${out.length}, meta.total ${first.meta.total}`);
        check(new Set(out.map((a) => a.id)).size === out.length, "an article came twice");
        sameIds("first page", out.slice(0, 20), first.data);
        say(`${out.length} articles`);
        return out;
    });

    await step("GET /api/v1/articles?tag=<region> (descendants included)", async (say) => {
        const fam = family(region.slug);
        const r = await pub.GET("/api/v1/articles", { params: { query: { tag: region.slug, limit: 100 } } });
        const list = ok("tag", r);
        const total: number = list.meta.total;
        check(total > 0 && list.data.length > 0, `no article under ${region.slug}`);
        check(list.data.every((a) => carries(a, fam)), `an article carries none of ${[...fam]}`);
        const want = all.filter((a) => carries(a, fam));
        sameIds(`tag=${region.slug}`, list.data, want);
        check(total === want.length, `meta.total ${total}, ${want.length} published articles carry the family`);
        const counts = [...fam].map((s) => bySlug.get(s)?.article_count ?? 0);
        check(total >= Math.max(...counts) && total <= counts.reduce((a, b) => a + b, 0), `total ${total} vs tag counts ${counts}`);
        check(list.data.some((a) => !a.tags.some((t) => t.slug === region.slug)), "no article matched through a descendant only");
        say(`${region.slug} + ${fam.size - 1} descendants: ${total} articles`);
    });

    await step("GET /api/v1/articles?tag=a,b&tag_mode=all", async (say) => {
        const [a, b] = ["kazakhstan", "opec-plus"];
        const list = ok("tag_mode", await pub.GET("/api/v1/articles", {
            params: { query: { tag: `${a},${b}`, tag_mode: "all", limit: 100 } },
        }));
        const want = all.filter((x) => carries(x, family(a)) && carries(x, family(b)));
        check(want.length > 0, "the demo has no article with both tags");
        sameIds("tag_mode=all", list.data, want);
        check(list.meta.total === want.length, `meta.total ${list.meta.total}`);
        const any = ok("tag_mode any", await pub.GET("/api/v1/articles", { params: { query: { tag: `${a},${b}`, limit: 100 } } }));
        check(any.meta.total === all.filter((x) => carries(x, family(a)) || carries(x, family(b))).length, "tag_mode=any (default) total");
        check(any.meta.total > list.meta.total, "any is not wider than all");
        say(`${a} AND ${b}: ${list.meta.total}; OR: ${any.meta.total}`);
    });

    await step("GET /api/v1/articles?exclude_tag=", async (say) => {
        const list = ok("exclude_tag", await pub.GET("/api/v1/articles", {
            params: { query: { tag: "energy", exclude_tag: "caucasus", limit: 100 } },
        }));
        const want = all.filter((x) => carries(x, family("energy")) && !carries(x, family("caucasus")));
        check(want.length > 0, "nothing left");
        sameIds("exclude_tag", list.data, want);
        check(list.meta.total < all.filter((x) => carries(x, family("energy"))).length, "exclude_tag left nothing out");
        say(`energy without caucasus: ${list.meta.total}`);
    });

    await step("GET /api/v1/articles?published_after&published_before&sort=published_at", async (say) => {
        const [after, before] = ["2025-06-01", "2026-01-01T00:00:00Z"];
        const list = ok("dates", await pub.GET("/api/v1/articles", {
            params: { query: { published_after: after, published_before: before, sort: "published_at", limit: 100 } },
        }));
        const [lo, hi] = [Date.parse(`${after}T00:00:00Z`), Date.parse(before)];
        const want = all
            .filter((x) => { const t = instant("published_at", x.published_at); return t >= lo && t < hi; })
            .reverse();
        check(want.length > 0, "no article in the range");
        sameIds("date range, oldest first", list.data, want);
        orderedBy("sort=published_at", list.data, (x) => instant("published_at", x.published_at), false);
        say(`${list.meta.total} between ${after} and ${before}, oldest first`);
    });

    await step("GET /api/v1/articles?updated_after&sort=-updated_at", async (say) => {
        const list = ok("updated_after", await pub.GET("/api/v1/articles", {
            params: { query: { updated_after: "2025-01-01", sort: "-updated_at", limit: 100 } },
        }));
        check(list.meta.total === all.length, `updated since 2025: ${list.meta.total} of ${all.length}`);
        orderedBy("sort=-updated_at", list.data, (x) => instant("updated_at", x.updated_at), true);
        const none = ok("updated_after future", await pub.GET("/api/v1/articles", {
            params: { query: { updated_after: "2100-01-01T00:00:00Z" } },
        }));
        check(none.meta.total === 0 && none.data.length === 0, `updated after 2100: ${none.meta.total}`);
        say(`${list.meta.total} since 2025-01-01, 0 after 2100`);
    });

    await step("GET /api/v1/articles?status=draft (key with read:drafts; 401 without)", async (say) => {
        const list = ok("drafts", await ed.GET("/api/v1/articles", { params: { query: { status: "draft", limit: 100 } } }));
        check(list.data.length > 0, "the demo has no draft");
        check(list.data.every((a) => a.status === "draft"), "status=draft lists a non-draft");
        check(list.data.every((a) => !all.some((p) => p.id === a.id)), "a draft is in the public list");
        const anon = problem("drafts without a key", await pub.GET("/api/v1/articles", { params: { query: { status: "draft" } } }), 401);
        check(anon.status === 401, `problem status ${anon.status}`);
        say(`${list.meta.total} drafts; anonymous: 401 ${anon.title}`);
    });

    await step("GET /api/v1/articles?limit=10&page=2", async (say) => {
        const list = ok("page", await pub.GET("/api/v1/articles", { params: { query: { limit: 10, page: 2 } } }));
        sameIds("page 2", list.data, all.slice(10, 20));
        const page: number | null = list.meta.page;
        check(page === 2 && list.meta.limit === 10, `meta.page ${page}, limit ${list.meta.limit}`);
        check(list.links.prev !== null && list.links.next !== null, "page 2 lacks prev or next");
        say(`ids ${ids(list.data)}; prev ${list.links.prev}`);
    });

    await step("GET /api/v1/articles?cursor= (meta.next_cursor, walked to the end)", async (say) => {
        const one = ok("cursor 1", await pub.GET("/api/v1/articles", { params: { query: { limit: 10 } } }));
        const cursor = one.meta.next_cursor;
        if (cursor === null) fail("no next_cursor on page 1");
        const two = ok("cursor 2", await pub.GET("/api/v1/articles", { params: { query: { limit: 10, cursor } } }));
        sameIds("cursor page 2", two.data, all.slice(10, 20));
        check(two.meta.page === null, `meta.page ${two.meta.page} on a cursor page`);
        const seen = [...one.data, ...two.data];
        let next = two.meta.next_cursor;
        for (let pages = 2; next !== null; pages++) {
            check(pages < 100, "too many pages");
            const p = ok("cursor n", await pub.GET("/api/v1/articles", { params: { query: { limit: 10, cursor: next } } }));
            seen.push(...p.data);
            next = p.meta.next_cursor;
        }
        sameIds("cursor walk", seen, all);
        say(`${Math.ceil(all.length / 10)} pages, ${seen.length} articles, none twice`);
    });

    await step("GET /api/v1/articles?include=body", async (say) => {
        const list = ok("include", await pub.GET("/api/v1/articles", { params: { query: { include: "body", limit: 3 } } }));
        for (const a of list.data) {
            const [body, html] = [a.body, a.body_html];
            if (body === undefined || html === undefined) fail(`article ${a.id} without body or body_html`);
            check(body.length > 0 && html.includes("<p>"), `article ${a.id}: body ${body.length} chars, body_html ${show(html)}`);
        }
        say(`${list.data.length} articles with body and body_html`);
    });

    const detail = await step("GET /api/v1/articles/{ref} (raw Arabic slug)", async (say) => {
        const item = first.data[0];
        const slug = item.slug;
        check(/[\u0621-\u064A]/.test(slug), `slug ${slug} is not Arabic`);
        const r = await pub.GET("/api/v1/articles/{ref}", { params: { path: { ref: slug } } });
        const article = ok("article", r);
        const bodyHtml: string = article.body_html;
        const body: string = article.body;
        const version: number = article.version;
        check(article.id === item.id && article.slug === slug, `got article ${article.id} ${article.slug}`);
        check(body.length > 0 && bodyHtml.startsWith("<p>"), `body ${body.length} chars, body_html ${show(bodyHtml)}`);
        check(!/<script|onerror=|javascript:/i.test(bodyHtml), "body_html is not sanitized");
        const etag = header("article", r.response, "etag");
        check(etag.startsWith(`"v${version}-`), `ETag ${etag} for version ${version}`);
        const byId = ok("article by id", await pub.GET("/api/v1/articles/{ref}", { params: { path: { ref: String(item.id) } } }));
        check(byId.slug === slug && byId.body === body, "by id and by slug differ");
        say(`${r.response.url.replace(baseUrl, "").slice(0, 48)}… → #${article.id} v${version}, ${body.length} chars`);
        return { article, etag };
    });

    await step("GET /api/v1/articles/{ref} with If-None-Match (304)", async (say) => {
        const r = await pub.GET("/api/v1/articles/{ref}", {
            params: { path: { ref: String(detail.article.id) } },
            headers: { "If-None-Match": detail.etag },
        });
        check(r.response.status === 304, `expected 304, got ${r.response.status}`);
        say("304 Not Modified");
    });

    await step("GET /api/v1/articles?q= (search, marked snippet)", async (say) => {
        const word = "قزوين";
        const list = ok("search", await pub.GET("/api/v1/articles", { params: { query: { q: word, limit: 100 } } }));
        check(list.data.length > 0 && list.meta.total === list.data.length, `${list.data.length} hits, total ${list.meta.total}`);
        for (const a of list.data) {
            const snippet = a.snippet;
            if (snippet === undefined) fail(`hit ${a.id} has no snippet`);
            check(snippet.includes("<mark>") && snippet.includes("</mark>"), `hit ${a.id}: snippet without <mark>: ${snippet}`);
        }
        check(first.data.every((a) => a.snippet === undefined), "a list without q has snippets");
        say(`q=${word}: ${list.meta.total} hits, all with <mark>`);
    });

    await step("GET /api/v1/articles/{ref}/related", async (say) => {
        const me = detail.article;
        const list = ok("related", await pub.GET("/api/v1/articles/{ref}/related", {
            params: { path: { ref: String(me.id) }, query: { limit: 5 } },
        }));
        const mine = new Set(me.tags.map((t) => t.slug));
        check(list.data.length > 0 && list.data.length <= 5, `${list.data.length} related`);
        check(list.data.every((a) => a.id !== me.id), "related lists the article itself");
        check(list.data.every((a) => a.tags.some((t) => mine.has(t.slug))), "a related article shares no tag");
        check(list.data.every((a) => all.some((p) => p.id === a.id)), "a related article is not public");
        say(`#${me.id} → ${ids(list.data)}`);
    });

    const changes = await step("GET /api/v1/changes (whole log, then since=next_cursor)", async (say) => {
        const log = ok("changes", await pub.GET("/api/v1/changes", { params: { query: { limit: 500 } } }));
        const op: "upsert" | "delete" = log.data[0].op;
        const typed: Schemas["ChangeOp"] = op;
        check(typed === "upsert" || typed === "delete", `op ${op}`);
        const upserts = log.data.filter((c) => c.op === "upsert");
        check(upserts.length === all.length, `${upserts.length} upserts, ${all.length} public articles`);
        check(upserts.every((c) => c.article !== undefined && c.article.id === c.id), "an upsert without its article");
        const cursor = log.meta.next_cursor;
        if (cursor === null) fail("changes: no next_cursor");
        const later = ok("changes since", await pub.GET("/api/v1/changes", { params: { query: { since: cursor } } }));
        check(later.data.length === 0, `since=${cursor} still has ${later.data.length} entries`);
        say(`${log.meta.total} entries, first op ${op}; since=${cursor}: none`);
        return cursor;
    });

    await step("GET /feeds/articles.json, /feeds/tags/{slug}.json (application/feed+json)", async (say) => {
        const feeds = createClient<paths, "application/feed+json" | "application/problem+json">({ baseUrl, fetch: timedFetch });
        const site = ok("site feed", await feeds.GET("/feeds/articles.{format}", { params: { path: { format: "json" } } }), 200, "application/feed+json");
        const html: string = site.items[0].content_html;
        check(site.items.length === Math.min(50, all.length), `${site.items.length} items`);
        check(site.items[0]._anbaa.id === all[0].id && html.length > 0, "the feed does not start with the newest article");
        const tag = ok("tag feed", await feeds.GET("/feeds/tags/{slug}.{format}", { params: { path: { slug: region.slug, format: "json" } } }), 200, "application/feed+json");
        check(tag.items.length === Math.min(50, all.filter((a) => carries(a, family(region.slug))).length), `${tag.items.length} items in the ${region.slug} feed`);
        say(`${site.items.length} + ${tag.items.length} items`);
    });

    await step("GET ?fields= (application/vnd.anbaa.selection+json)", async (say) => {
        const sel = createClient<paths, "application/vnd.anbaa.selection+json" | "application/problem+json">({ baseUrl, fetch: timedFetch });
        const media = "application/vnd.anbaa.selection+json";
        const list = ok("selection list", await sel.GET("/api/v1/articles", { params: { query: { fields: "id,title", limit: 2 } } }), 200, media);
        const title: string | undefined = list.data[0].title;
        check(title === all[0].title, `selected title ${title}`);
        check(list.data.every((a) => Object.keys(a).sort().join() === "id,title"), `selected keys ${Object.keys(list.data[0])}`);
        const one = ok("selection one", await sel.GET("/api/v1/articles/{ref}", { params: { path: { ref: String(all[0].id) }, query: { fields: "slug,tags" } } }), 200, media);
        check(one.slug === all[0].slug && one.title === undefined, "single selection");
        say("lists and single articles");
    });

    // -- errors ----------------------------------------------------------------------------------
    await step("GET /api/v1/articles/no-such-slug-xyz (404 problem)", async (say) => {
        const r = await pub.GET("/api/v1/articles/{ref}", { params: { path: { ref: "no-such-slug-xyz" } } });
        const p = problem("404", r, 404);
        const status: number = p.status;
        const title: string = p.title;
        const detailText: string = p.detail;
        const type: string = p.type;
        check(status === 404 && title.length > 0 && detailText.length > 0 && type.length > 0, show(p));
        const requestId: string | undefined = p.request_id;
        check(requestId === header("404", r.response, "x-request-id"), `request_id ${requestId} is not the X-Request-Id`);
        check(header("404", r.response, "cache-control") === "private, no-store", "an error is cacheable");
        say(`${status} ${type}: ${title} (${detailText})`);
    });

    await step("POST /api/v1/articles without a key (401 problem)", async (say) => {
        const r = await pub.POST("/api/v1/articles", { body: { title: "بلا مفتاح" } });
        const p = problem("401", r, 401);
        check(/^Bearer/i.test(header("401", r.response, "www-authenticate")), "WWW-Authenticate is not Bearer");
        say(`401 ${p.title}`);
    });

    await step("POST /api/v1/articles with an empty title (422, field errors)", async (say) => {
        const p = problem("422", await ed.POST("/api/v1/articles", { body: { title: "" } }), 422);
        const errors = p.errors;
        if (errors === undefined) fail(`a 422 with no errors: ${show(p)}`);
        const field: string = errors[0].field;
        const message: string = errors[0].message;
        check(field === "title", `errors[0].field ${field}`);
        say(`${field}: ${message}`);
    });

    // -- writes ----------------------------------------------------------------------------------
    const [tagA, tagB, tagC] = ["a", "b", "c"].map((x) => `client-${run}-${x}`);
    await step("POST /api/v1/tags (three fresh tags)", async (say) => {
        for (const slug of [tagA, tagB, tagC]) {
            const r = await ed.POST("/api/v1/tags", {
                body: { slug, name: `وسم تجريبي ${slug.slice(-1)} ${run}`, name_en: `Client ${slug}`, kind: "topic", parent: slug === tagA ? region.slug : null },
            });
            const tag = ok(`create tag ${slug}`, r, 201);
            check(tag.slug === slug && tag.article_count === 0, `created ${show(tag)}`);
            check(header("create tag", r.response, "location").endsWith(`/api/v1/tags/${slug}`), "Location");
        }
        const a = ok("tag a", await pub.GET("/api/v1/tags/{slug}", { params: { path: { slug: tagA } } }));
        check(a.parent !== null && a.parent.slug === region.slug, `parent ${show(a.parent)}`);
        say(`${tagA}, ${tagB}, ${tagC}`);
    });

    const title1 = `عميل تايبسكربت يختبر الواجهة ${run}`;
    const created = await step("POST /api/v1/articles (201, ETag, Location)", async (say) => {
        const r = await ed.POST("/api/v1/articles", {
            body: {
                title: title1,
                body: "فقرة **أولى** من مقال تجريبي.\n\nفقرة ثانية عن [أستانا](https://example.org).",
                source: "اختبار العميل",
                status: "published",
                tags: ["kazakhstan", tagB],
            },
        });
        const article = ok("create", r, 201);
        const version: number = article.version;
        const html: string = article.body_html;
        check(version === 1 && article.title === title1 && article.status === "published", `created ${show(article)}`);
        check(html.includes("<strong>أولى</strong>") && html.includes('rel="noopener noreferrer nofollow"'), `body_html ${html}`);
        check(article.tags.map((t) => t.slug).join() === `kazakhstan,${tagB}`, "tags");
        const etag = header("create", r.response, "etag");
        check(etag.startsWith('"v1-'), `ETag ${etag}`);
        check(header("create", r.response, "location").endsWith(`/api/v1/articles/${article.id}`), "Location");
        say(`#${article.id} ${article.slug} ${etag}`);
        return { id: article.id, ref: String(article.id), slug: article.slug, etag };
    });

    const patched = await step("PATCH /api/v1/articles/{ref} with If-Match (200, version+1)", async (say) => {
        const r = await ed.PATCH("/api/v1/articles/{ref}", {
            params: { path: { ref: created.ref }, header: { "If-Match": created.etag } },
            body: { summary: "ملخص بعد التحرير.", author: "محرر الاختبار" },
        });
        const article = ok("patch", r);
        check(article.version === 2, `version ${article.version}`);
        check(article.summary === "ملخص بعد التحرير." && article.author === "محرر الاختبار" && article.title === title1, show(article));
        const etag = header("patch", r.response, "etag");
        check(etag.startsWith('"v2-') && etag !== created.etag, `ETag ${etag}`);
        say(`v2 ${etag}`);
        return etag;
    });

    await step("PATCH with the stale ETag (412, current_version)", async (say) => {
        const p = problem("stale patch", await ed.PATCH("/api/v1/articles/{ref}", {
            params: { path: { ref: created.ref }, header: { "If-Match": created.etag } },
            body: { title: "تحرير من نسخة قديمة" },
        }), 412);
        const current: number | undefined = p.current_version;
        check(current === 2, `current_version ${current}: ${show(p)}`);
        const still = ok("after 412", await pub.GET("/api/v1/articles/{ref}", { params: { path: { ref: created.ref } } }));
        check(still.title === title1 && still.version === 2, "the stale write changed the article");
        say(`412, current_version ${current}`);
    });

    const title3 = `عنوان بعد الاستبدال ${run}`;
    const put = await step("PUT /api/v1/articles/{ref} (replace whole, slug kept)", async (say) => {
        const r = await ed.PUT("/api/v1/articles/{ref}", {
            params: { path: { ref: created.ref }, header: { "If-Match": patched } },
            body: { title: title3, body: "نص مستبدل.", status: "published", tags: ["kazakhstan", tagB] },
        });
        const article = ok("put", r);
        check(article.version === 3 && article.title === title3 && article.slug === created.slug, show(article));
        check(article.source === null && article.author === null, `fields left out kept: source ${article.source}, author ${article.author}`);
        check(article.body === "نص مستبدل." && article.body_html.includes("نص مستبدل."), "body");
        say(`v3, slug kept`);
        return header("put", r.response, "etag");
    });

    await step("GET /api/v1/articles/{ref}/revisions and /revisions/{n}", async (say) => {
        const anon = problem("revisions without a key", await pub.GET("/api/v1/articles/{ref}/revisions", { params: { path: { ref: created.ref } } }), 401);
        const list = ok("revisions", await ed.GET("/api/v1/articles/{ref}/revisions", { params: { path: { ref: created.ref } } }));
        check(list.data.map((v) => v.version).join() === "1,2,3", `versions ${list.data.map((v) => v.version)}`);
        const last = list.data[list.data.length - 1];
        check(last.current && list.data.filter((v) => v.current).length === 1, "the last revision is not the only current one");
        const one = ok("revision 1", await ed.GET("/api/v1/articles/{ref}/revisions/{n}", { params: { path: { ref: created.ref, n: 1 } } }));
        const changedBy: string | null = one.changed_by;
        check(one.version === 1 && one.title === title1 && one.source === "اختبار العميل" && !one.current, show(one));
        check(changedBy === "client", `changed_by ${changedBy}`);
        say(`versions 1,2,3 by ${changedBy}; anonymous ${anon.status}`);
    });

    const restoredRev = await step("POST /api/v1/articles/{ref}/revisions/{n}/restore", async (say) => {
        const r = await ed.POST("/api/v1/articles/{ref}/revisions/{n}/restore", {
            params: { path: { ref: created.ref, n: 1 }, header: { "If-Match": put } },
        });
        const article = ok("restore revision", r);
        check(article.version === 4 && article.title === title1 && article.source === "اختبار العميل", show(article));
        say("v4 = v1");
        return header("restore revision", r.response, "etag");
    });

    const trashedVersion = await step("DELETE /api/v1/articles/{ref} (trash), list status=trashed", async (say) => {
        empty("trash", await ed.DELETE("/api/v1/articles/{ref}", { params: { path: { ref: created.ref }, header: { "If-Match": restoredRev } } }));
        problem("trashed is gone", await pub.GET("/api/v1/articles/{ref}", { params: { path: { ref: created.ref } } }), 404);
        problem("trashed is gone (key)", await ed.GET("/api/v1/articles/{ref}", { params: { path: { ref: created.ref } } }), 404);
        const trash = ok("trash list", await ed.GET("/api/v1/articles", { params: { query: { status: "trashed", limit: 100 } } }));
        const mine = trash.data.find((a) => a.id === created.id);
        if (mine === undefined) fail("the trashed article is not in status=trashed");
        const at = mine.trashed_at;
        if (at === undefined) fail("a trashed article without trashed_at");
        instant("trashed_at", at);
        say(`trashed at ${at}, version ${mine.version}`);
        return mine.version;
    });

    const restored = await step("POST /api/v1/articles/{ref}/restore", async (say) => {
        const r = await ed.POST("/api/v1/articles/{ref}/restore", { params: { path: { ref: created.ref } } });
        const article = ok("restore", r);
        check(article.slug === created.slug && article.title === title1, show(article));
        check(article.trashed_at === undefined, "a restored article still has trashed_at");
        check(article.version > trashedVersion, `version ${article.version} after the restore, ${trashedVersion} in the trash`);
        check(header("restore", r.response, "etag").startsWith(`"v${article.version}-`), "ETag");
        ok("restored is back", await pub.GET("/api/v1/articles/{ref}", { params: { path: { ref: created.slug } } }));
        say(`v${article.version}, back under ${created.slug.slice(0, 24)}…`);
        return article;
    });

    await step("PATCH /api/v1/tags/{slug}", async (say) => {
        const tag = ok("patch tag", await ed.PATCH("/api/v1/tags/{slug}", {
            params: { path: { slug: tagB } },
            body: { name_en: "Client B renamed", parent: region.slug },
        }));
        check(tag.name_en === "Client B renamed" && tag.parent !== null && tag.parent.slug === region.slug, show(tag));
        check(tag.article_count === 1, `article_count ${tag.article_count}`);
        say(`${tagB} under ${region.slug}, carried by ${tag.article_count}`);
    });

    await step("POST /api/v1/tags/{slug}/merge (articles move, the old slug redirects)", async (say) => {
        const result = ok("merge", await ed.POST("/api/v1/tags/{slug}/merge", {
            params: { path: { slug: tagB } },
            body: { into: tagA },
        }));
        const moved: number = result.articles_moved;
        check(result.merged_slug === tagB && result.into.slug === tagA && moved === 1, show(result));
        const article = ok("after merge", await pub.GET("/api/v1/articles/{ref}", { params: { path: { ref: created.ref } } }));
        check(article.tags.map((t) => t.slug).join() === `kazakhstan,${tagA}`, `tags ${article.tags.map((t) => t.slug)}`);
        check(article.version === restored.version + 1, `version ${article.version} after the merge`);
        const r = await pub.GET("/api/v1/tags/{slug}", { params: { path: { slug: tagB } } });
        const followed = ok("merged slug", r);
        check(r.response.redirected && followed.slug === tagA, `GET ${tagB} → ${r.response.url} ${followed.slug}`);
        const filtered = ok("filter by merged slug", await pub.GET("/api/v1/articles", { params: { query: { tag: tagB } } }));
        check(filtered.data.some((a) => a.id === created.id), "?tag=<merged slug> does not find the article");
        say(`${tagB} → ${tagA}, ${moved} article moved, 301 followed`);
    });

    await step("DELETE /api/v1/tags/{slug} (204; 409 while carried)", async (say) => {
        empty("delete tag", await ed.DELETE("/api/v1/tags/{slug}", { params: { path: { slug: tagC } } }));
        problem("deleted tag", await pub.GET("/api/v1/tags/{slug}", { params: { path: { slug: tagC } } }), 404);
        const p = problem("delete a carried tag", await ed.DELETE("/api/v1/tags/{slug}", { params: { path: { slug: tagA } } }), 409);
        say(`${tagC} deleted; ${tagA}: 409 ${p.detail}`);
    });

    const cursor = await step("GET /api/v1/changes?since= (the new article's upsert)", async (say) => {
        const log = ok("changes since", await pub.GET("/api/v1/changes", { params: { query: { since: changes } } }));
        const mine = log.data.filter((c) => c.id === created.id);
        check(mine.length === 1, `${mine.length} entries for #${created.id}`);
        const entry = mine[0];
        const op: Schemas["ChangeOp"] = entry.op;
        check(op === "upsert" && entry.article !== undefined && entry.article.tags.some((t) => t.slug === tagA), show(entry));
        say(`${log.data.length} entries; #${created.id} ${op} v${entry.version}`);
        const next = log.meta.next_cursor;
        if (next === null) fail("changes: no next_cursor");
        return next;
    });

    await step("DELETE /api/v1/articles/{ref}?purge=true (admin), then /changes says delete", async (say) => {
        empty("purge", await ed.DELETE("/api/v1/articles/{ref}", { params: { path: { ref: created.ref }, query: { purge: true } } }));
        problem("purged", await ed.GET("/api/v1/articles/{ref}/revisions", { params: { path: { ref: created.ref } } }), 404);
        const log = ok("changes after purge", await pub.GET("/api/v1/changes", { params: { query: { since: cursor } } }));
        const entry = log.data.find((c) => c.id === created.id);
        if (entry === undefined) fail("the purge is not in /changes");
        const op: "upsert" | "delete" = entry.op;
        check(op === "delete" && entry.article === undefined && entry.slug === created.slug, show(entry));
        empty("delete tag after purge", await ed.DELETE("/api/v1/tags/{slug}", { params: { path: { slug: tagA } } }));
        problem("deleted tag", await pub.GET("/api/v1/tags/{slug}", { params: { path: { slug: tagA } } }), 404);
        say(`#${created.id} ${op}; ${tagA} deleted`);
    });

    console.log(`client: ${passed} steps passed`);
}

process.on("unhandledRejection", (reason) => {
    console.error("client: unhandled rejection:", reason);
    process.exit(1);
});
process.on("uncaughtException", (error) => {
    console.error("client: uncaught exception:", error);
    process.exit(1);
});
main().catch((error: unknown) => {
    console.error("client: failed:", error);
    process.exit(1);
});
