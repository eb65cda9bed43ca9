// @generated to match `diesel print-schema` for the migrations in /migrations/sqlite and
// /migrations/postgres (one schema for both: the same names, types and column order).

diesel::table! {
    api_keys (id) {
        id -> Integer,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
        scopes -> Text,
        created_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    article_tags (article_id, tag_id) {
        article_id -> Integer,
        tag_id -> Integer,
        position -> Integer,
        status -> Text,
        trashed -> Bool,
        sort_at -> BigInt,
    }
}

diesel::table! {
    article_redirects (slug) {
        slug -> Text,
        article_id -> Integer,
        created_at -> BigInt,
    }
}

diesel::table! {
    article_revisions (article_id, version) {
        article_id -> Integer,
        version -> Integer,
        slug -> Text,
        title -> Text,
        summary -> Text,
        summary_auto -> Bool,
        body -> Text,
        source -> Nullable<Text>,
        author -> Nullable<Text>,
        lang -> Text,
        status -> Text,
        published_at -> Nullable<BigInt>,
        image_url -> Nullable<Text>,
        image_caption -> Nullable<Text>,
        tags -> Text,
        trashed_at -> Nullable<BigInt>,
        changed_by -> Nullable<Text>,
        changed_at -> BigInt,
        action -> Text,
        pub_status -> Text,
        embargoed_until -> Nullable<BigInt>,
        ed_note -> Nullable<Text>,
    }
}

diesel::table! {
    tag_redirects (slug) {
        slug -> Text,
        tag_id -> Integer,
        created_at -> BigInt,
    }
}

diesel::table! {
    articles (id) {
        id -> Integer,
        status -> Text,
        published_at -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
        trashed_at -> Nullable<BigInt>,
        version -> Integer,
        word_count -> Integer,
        reading_time_minutes -> Integer,
        summary_auto -> Bool,
        lang -> Text,
        slug -> Text,
        title -> Text,
        source -> Nullable<Text>,
        author -> Nullable<Text>,
        image_url -> Nullable<Text>,
        image_caption -> Nullable<Text>,
        updated_by -> Nullable<Text>,
        summary -> Text,
        body -> Text,
        body_html -> Text,
        sort_at -> Nullable<BigInt>,
        body_text -> Text,
        prev_updated_at -> Nullable<BigInt>,
        last_action -> Text,
        pub_status -> Text,
        embargoed_until -> Nullable<BigInt>,
        ed_note -> Nullable<Text>,
    }
}

diesel::table! {
    changes (seq) {
        seq -> Integer,
        article_id -> Integer,
        op -> Text,
        slug -> Text,
        version -> Integer,
        at -> BigInt,
        event -> Text,
    }
}

diesel::table! {
    article_corrections (article_id, position) {
        article_id -> Integer,
        position -> Integer,
        kind -> Text,
        text -> Text,
        version -> Integer,
        created_at -> BigInt,
        created_by -> Nullable<Text>,
    }
}

diesel::table! {
    site_state (id) {
        id -> Integer,
        version -> BigInt,
        changed_at -> BigInt,
        prev_changed_at -> BigInt,
        swept_until -> BigInt,
        last_article_id -> Integer,
        last_tag_id -> Integer,
        id_authority -> Nullable<Text>,
        tags_version -> BigInt,
    }
}

diesel::table! {
    tag_generations (tag_id) {
        tag_id -> Integer,
        generation -> BigInt,
    }
}

diesel::table! {
    tags (id) {
        id -> Integer,
        slug -> Text,
        name -> Text,
        name_en -> Nullable<Text>,
        kind -> Text,
        parent_id -> Nullable<Integer>,
        description -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
        prev_updated_at -> Nullable<BigInt>,
        iptc_media_topic -> Nullable<Text>,
        iso3166 -> Nullable<Text>,
        wikidata -> Nullable<Text>,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Integer,
        url -> Text,
        description -> Nullable<Text>,
        events -> Text,
        tags -> Text,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_until -> Nullable<BigInt>,
        api_base -> Text,
        disabled_at -> Nullable<BigInt>,
        disabled_reason -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
        busy_until -> Nullable<BigInt>,
    }
}

diesel::table! {
    webhook_deliveries (seq) {
        seq -> Integer,
        webhook_id -> Integer,
        msg_id -> Text,
        event -> Text,
        cursor -> BigInt,
        payload -> Text,
        created_at -> BigInt,
        status -> Text,
        attempts -> Integer,
        next_at -> Nullable<BigInt>,
        last_at -> Nullable<BigInt>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<BigInt>,
        article_id -> Nullable<Integer>,
    }
}

diesel::joinable!(article_redirects -> articles (article_id));
diesel::joinable!(article_revisions -> articles (article_id));
diesel::joinable!(article_corrections -> articles (article_id));
diesel::joinable!(tag_redirects -> tags (tag_id));
diesel::joinable!(article_tags -> articles (article_id));
diesel::joinable!(article_tags -> tags (tag_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_keys,
    article_corrections,
    article_redirects,
    article_revisions,
    article_tags,
    articles,
    changes,
    site_state,
    tag_generations,
    tag_redirects,
    tags,
    webhook_deliveries,
    webhooks,
);
