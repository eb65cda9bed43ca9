"""Schemathesis hooks for anbaa: realistic data for what a schema cannot describe.

A tag slug in a request (an article's `tags`, the `tag`, `exclude_tag` and `parent` filters,
a merge's `into`) must name a tag that exists, and a `cursor` must be one the API issued for
the same sort and search. Random strings test neither the parser nor the business logic, so
schema-valid (positive) cases get real slugs and real cursors, read from the running server.
Negative cases are left exactly as generated.
"""

import json
import os
import urllib.parse
import urllib.request

import schemathesis
from schemathesis import GenerationMode
from schemathesis.generation.meta import TestPhase

BASE = os.environ["ANBAA_ST_BASE"]
KEY = os.environ.get("ANBAA_ST_KEY", "")


def _get(path):
    req = urllib.request.Request(BASE + path, headers={"Authorization": f"Bearer {KEY}"} if KEY else {})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


PARENTS = {}


def _tags():
    """The tags that exist now: earlier cases merge, rename and delete tags."""
    data = _get("/api/v1/tags?limit=100")["data"]
    PARENTS.clear()
    PARENTS.update({t["slug"]: (t.get("parent") or {}).get("slug") for t in data})
    return [t["slug"] for t in data]


def _not_under(own, tags):
    """Tags that can be `own`'s parent: neither `own` nor below it (that is a cycle, a 422)."""
    if not own:
        return tags
    own = urllib.parse.unquote(own)

    def below(t):
        seen = set()
        while t is not None and t not in seen:
            if t == own:
                return True
            seen.add(t)
            t = PARENTS.get(t)
        return False

    return [t for t in tags if not below(t)] or tags

# Articles in every state, so article operations reach real rows rather than only 404s.
ARTICLES = [str(a["id"]) for a in _get("/api/v1/articles?status=all&limit=100&fields=id")["data"]]


def _tag(seed, tags):
    return tags[hash(seed) % len(tags)]


def _real_cursor(query):
    """The next_cursor of the first page of the same query, or None."""
    q = {k: v for k, v in query.items() if k not in ("cursor", "page")}
    q["limit"] = 1
    try:
        page = _get("/api/v1/articles?" + urllib.parse.urlencode(q))
    except Exception:
        return None
    return page.get("meta", {}).get("next_cursor")


@schemathesis.hook
def map_case(ctx, case):
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return case
    path, method = case.operation.path, case.method.upper()
    params = case.path_parameters
    # Stateful steps take refs from earlier responses (links); those stay as they are.
    stateful = case.meta.phase.name == TestPhase.STATEFUL
    if not stateful and isinstance(params, dict) and isinstance(params.get("ref"), str) and ARTICLES:
        # Two cases in three name a real article; the rest keep the generated (likely unknown) ref.
        h = hash(params["ref"])
        if h % 3:
            params["ref"] = ARTICLES[h % len(ARTICLES)]
    query, body = case.query, case.body
    needs_tags = (isinstance(query, dict) and any(k in query for k in ("tag", "exclude_tag", "parent"))) or (
        isinstance(body, dict) and any(k in body for k in ("tags", "parent", "into"))
    )
    # (With no tag left at all, tag values stay as generated.)
    tags = _tags() if needs_tags else []
    if isinstance(query, dict):
        if query.get("format") in ("ninjs", "jsonld"):
            # ninjs is application/json with IPTC's profile parameter, which schemathesis strips
            # before it picks a response schema: it would hold a ninjs document to anbaa's
            # JSON schema. tests/api/formats.rs checks every ninjs answer with IPTC's own
            # validator and the JSON-LD with extruct instead.
            query.pop("format")
        for name in ("tag", "exclude_tag"):
            if tags and isinstance(query.get(name), str):
                n = query[name].count(",") + 1
                query[name] = ",".join(_tag((name, query[name], i), tags) for i in range(n))
        if tags and isinstance(query.get("parent"), str):
            query["parent"] = _tag(("parent", query["parent"]), tags)
        if query.get("status") == "trashed":
            # The trash is listed, not searched (a 400 that says so): no `q` with it.
            query.pop("q", None)
        if path == "/api/v1/articles" and isinstance(query.get("fields"), str) and not str(query.get("q", "")).strip():
            # `snippet` is the excerpt of a search: without `q` it is a 400 that says so
            # (after the trash rule above, which may drop `q`).
            kept = [f for f in query["fields"].split(",") if f != "snippet"]
            if kept:
                query["fields"] = ",".join(kept)
            else:
                query.pop("fields")
        if path == "/api/v1/articles" and "cursor" in query:
            # `page` and `cursor` exclude each other; a cursor is only ever one we were given.
            query.pop("page", None)
            cursor = _real_cursor(query)
            if cursor is None:
                query.pop("cursor")
            else:
                query["cursor"] = cursor
    if isinstance(body, dict) and path.startswith("/api/v1/webhooks") and isinstance(body.get("url"), str):
        # A generated URL may name this machine or a private network: refused (422) unless the
        # server allows them. Deliveries go to a public name that never resolves here.
        body["url"] = "https://partner.example.org/hooks"
    if tags and isinstance(body, dict):
        if path in ("/api/v1/articles", "/api/v1/articles/{ref}", "/api/v1/webhooks", "/api/v1/webhooks/{id}") and isinstance(body.get("tags"), list):
            body["tags"] = [_tag((t, i), tags) if isinstance(t, str) else t for i, t in enumerate(body["tags"])]
        if path.startswith("/api/v1/tags") and isinstance(body.get("parent"), str):
            own = (params or {}).get("slug") if isinstance(params, dict) else None
            candidates = _not_under(own, tags)
            body["parent"] = candidates[hash(("parent", body["parent"])) % len(candidates)]
        if path == "/api/v1/tags/{slug}/merge" and isinstance(body.get("into"), str):
            own = (params or {}).get("slug") if isinstance(params, dict) else None
            # Merging a tag into itself or below itself is a 409 by contract; pick another.
            candidates = _not_under(own, tags)
            body["into"] = candidates[hash(("into", body["into"])) % len(candidates)]
    return case
