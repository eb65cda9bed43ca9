-- Standard Webhooks: partners' endpoints, and an outbox of deliveries written in the same
-- transaction as the change they announce (a crash loses none). One row per message and
-- endpoint; `msg_id` is the `webhook-id` of every attempt, and `payload` the exact bytes sent.
CREATE TABLE webhooks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    url             TEXT    NOT NULL,
    description     TEXT,
    -- Comma-separated event types, e.g. `article.published,article.canceled`.
    events          TEXT    NOT NULL,
    -- Comma-separated tag ids; empty for every article. A region includes its descendants.
    tags            TEXT    NOT NULL DEFAULT '',
    secret          TEXT    NOT NULL,
    -- While a secret rotates, the old one signs too, until this instant.
    previous_secret TEXT,
    previous_until  BIGINT,
    -- The base of the API URLs payloads carry (the public URL, or the host the endpoint was
    -- registered through).
    api_base        TEXT    NOT NULL,
    disabled_at     BIGINT,
    disabled_reason TEXT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    -- One delivery at a time per endpoint (in order): the sender holding it, until when.
    busy_until      BIGINT
);

CREATE TABLE webhook_deliveries (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id   INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    msg_id       TEXT    NOT NULL,
    event        TEXT    NOT NULL,
    -- The /changes cursor the event came with.
    cursor       BIGINT  NOT NULL,
    payload      TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      BIGINT,
    last_at      BIGINT,
    last_status  INTEGER,
    last_error   TEXT,
    delivered_at BIGINT,
    UNIQUE (webhook_id, msg_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_at, webhook_id);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (webhook_id, seq);
