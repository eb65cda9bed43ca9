DROP TABLE IF EXISTS tag_generations, tag_redirects, article_redirects, article_revisions,
    site_state, changes, search_meta, api_keys, article_tags, articles, tags CASCADE;
DROP FUNCTION IF EXISTS article_tags_listing_insert, articles_listing_update,
    tags_generation_new, tags_version_update, tags_version_delete,
    article_tags_generation_insert, article_tags_generation_delete,
    article_tags_generation_retag, articles_generation_update, articles_generation_delete;
