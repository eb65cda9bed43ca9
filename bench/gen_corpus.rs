//! Writes the benchmark corpus as JSON Lines, the format `anbaa import` reads: N articles
//! (default 100,000), each with a slug, tags `t0`…`t59`, published in order.
//!
//! Run: `cargo run --release --example gen_corpus -- 100000 > corpus.jsonl`

use std::io::Write;

#[path = "corpus.rs"]
mod corpus;
use corpus::{Rng, SEED, article, vocabulary};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let mut rng = Rng(SEED);
    let vocab = vocabulary(&mut rng);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for i in 0..n {
        let a = article(&mut rng, &vocab, i);
        let line = serde_json::json!({
            "slug": format!("bench-{i}"),
            "title": a.title,
            "body": a.body,
            "source": a.source,
            "status": "published",
            "published_at": a.published_at.map(|t| t.to_rfc3339()),
            "tags": a.tags,
        });
        serde_json::to_writer(&mut out, &line)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
