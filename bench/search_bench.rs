//! Search benchmark: builds a deterministic corpus of generated Arabic articles (100,000 by
//! default), times indexing them, then serves them and measures search latency through HTTP.
//!
//! Run: `bench/search.sh` (or `cargo run --release --example search_bench -- 100000`).

use std::time::{Duration, Instant};

use anbaa::config::Settings;
use anbaa::dto::article::{ArticleCreate, ArticleStatus};
use anbaa::dto::tag::{TagCreate, TagKind};

const COUNTRIES: &[&str] = &[
    "كازاخستان",
    "أوزبكستان",
    "قرغيزستان",
    "طاجيكستان",
    "تركمانستان",
    "أذربيجان",
    "أرمينيا",
    "جورجيا",
    "روسيا",
    "الصين",
    "إيران",
    "تركيا",
    "السعودية",
    "الإمارات",
    "قطر",
    "الكويت",
];
const CITIES: &[&str] = &[
    "أستانا",
    "طشقند",
    "بيشكك",
    "دوشنبه",
    "عشق آباد",
    "باكو",
    "يريفان",
    "تبليسي",
    "موسكو",
    "بكين",
];
const SUBJECTS: &[&str] = &[
    "النفط",
    "الغاز",
    "الكهرباء",
    "القمح",
    "السكك الحديدية",
    "الموانئ",
    "السياحة",
    "المياه",
    "الاستثمار",
    "التجارة",
    "الطاقة المتجددة",
    "الحدود",
    "الهجرة",
    "المناخ",
    "الاتصالات",
];
const VERBS: &[&str] = &[
    "تبحث",
    "توقع",
    "تعلن",
    "تطلق",
    "ترفع",
    "تخفض",
    "تعزز",
    "تدرس",
    "تستضيف",
    "تفتتح",
];
const NOUNS: &[&str] = &[
    "اتفاقية",
    "مشروع",
    "خطة",
    "مبادرة",
    "صفقة",
    "قمة",
    "اجتماع",
    "برنامج",
    "تقرير",
    "مذكرة تفاهم",
];
const ORGS: &[&str] = &[
    "أوبك+",
    "بريكس",
    "منظمة شنغهاي للتعاون",
    "رابطة الدول المستقلة",
];
const FILLER: &[&str] = &[
    "وقال مسؤول في الوزارة إن",
    "وأشار البيان إلى أن",
    "وأضاف المتحدث أن",
    "ويرى مراقبون أن",
    "وبحسب الأرقام الرسمية فإن",
    "ومن المتوقع أن",
    "وأكدت الحكومة أن",
    "وذكرت وكالة الأنباء أن",
];
const TAIL: &[&str] = &[
    "يسهم في تنويع الاقتصاد",
    "يفتح آفاقا جديدة للتعاون الإقليمي",
    "يعزز أمن الإمدادات",
    "يخفض تكاليف النقل",
    "يدعم خطط التنمية حتى عام 2030",
    "يرفع حجم التبادل التجاري",
    "يواجه تحديات تمويلية",
    "يتطلب استثمارات كبيرة في البنية التحتية",
];

/// A small deterministic generator (xorshift), so every run builds the same corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Letters synthetic words are made of (so the vocabulary is Arabic-shaped and large).
const LETTERS: &[char] = &[
    'ا', 'ب', 'ت', 'ث', 'ج', 'ح', 'خ', 'د', 'ر', 'ز', 'س', 'ش', 'ص', 'ط', 'ع', 'غ', 'ف', 'ق', 'ك',
    'ل', 'م', 'ن', 'ه', 'و', 'ي',
];

/// A vocabulary of 30,000 synthetic words, drawn with a Zipf-like law (a few words very
/// common, most rare), as in real prose.
fn vocabulary(rng: &mut Rng) -> Vec<String> {
    (0..30_000)
        .map(|_| {
            let n = 3 + rng.below(5) as usize;
            (0..n)
                .map(|_| LETTERS[rng.below(LETTERS.len() as u64) as usize])
                .collect()
        })
        .collect()
}

fn zipf<'a>(rng: &mut Rng, vocab: &'a [String]) -> &'a str {
    // Inverse of a 1/rank law over the vocabulary.
    let u = (rng.below(1_000_000) as f64 + 1.0) / 1_000_001.0;
    let i = ((vocab.len() as f64).powf(u) - 1.0) as usize;
    &vocab[i.min(vocab.len() - 1)]
}

/// One article about one country (sometimes two) and one or two subjects: those words
/// recur in it, others appear now and then, the rest is Zipfian prose.
fn article(rng: &mut Rng, vocab: &[String], i: usize) -> ArticleCreate {
    // Countries are not equally covered: the first ones far more than the last.
    let c = (rng.below(COUNTRIES.len() as u64) * rng.below(COUNTRIES.len() as u64)) as usize
        / COUNTRIES.len();
    let country = COUNTRIES[c];
    let other = rng.pick(COUNTRIES);
    let subject = rng.pick(SUBJECTS);
    let city = rng.pick(CITIES);
    let title = format!(
        "{country} {} {} {} {}",
        rng.pick(VERBS),
        rng.pick(NOUNS),
        subject,
        if rng.below(3) == 0 {
            format!("مع {other}")
        } else {
            format!("في {city}")
        }
    );
    let words_target = 150 + rng.below(450) as usize;
    let mut body = String::new();
    let mut words = 0;
    while words < words_target {
        let mut sentence = String::from(rng.pick(FILLER));
        for _ in 0..(6 + rng.below(10)) {
            sentence.push(' ');
            match rng.below(20) {
                0 => sentence.push_str(country),
                1 => sentence.push_str(subject),
                2 if rng.below(4) == 0 => sentence.push_str(other),
                3 if rng.below(4) == 0 => sentence.push_str(rng.pick(ORGS)),
                4 if rng.below(3) == 0 => sentence.push_str(city),
                5 => sentence.push_str(rng.pick(TAIL)),
                _ => sentence.push_str(zipf(rng, vocab)),
            }
        }
        sentence.push_str(". ");
        words += sentence.split_whitespace().count();
        body.push_str(&sentence);
        if rng.below(4) == 0 {
            body.push_str("\n\n");
        }
    }
    let tags: Vec<String> = (0..1 + rng.below(3))
        .map(|_| format!("t{}", rng.below(60)))
        .collect();
    let day = 1_700_000_000 + (i as i64) * 600;
    ArticleCreate {
        title: Some(title),
        body: Some(body),
        status: Some(ArticleStatus::Published),
        published_at: chrono::DateTime::from_timestamp(day, 0).map(|t| t.fixed_offset()),
        tags: Some(tags),
        source: Some("أنباء".into()),
        ..Default::default()
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let db_path = dir.path().join("bench.db").to_string_lossy().into_owned();
    let pool = anbaa::db::open(&db_path)?;
    let mut conn = pool.get()?;
    // A bulk load wants a larger page cache than serving does (FTS5 merges reread pages).
    diesel::connection::SimpleConnection::batch_execute(&mut *conn, "PRAGMA cache_size = -65536;")?;

    for t in 0..60 {
        anbaa::service::tags::create(
            &mut conn,
            TagCreate {
                slug: Some(format!("t{t}")),
                name: Some(format!("وسم {t}")),
                kind: Some(TagKind::Topic),
                ..Default::default()
            },
        )?;
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let vocab = vocabulary(&mut rng);
    // Two cores: one thread generates and prepares articles (Markdown, HTML, analysis), the
    // other writes them, 1,000 to a transaction.
    let started = Instant::now();
    let (tx, rx) = std::sync::mpsc::sync_channel(512);
    let producer = std::thread::spawn(move || {
        for i in 0..n {
            let prepared = anbaa::service::articles::prepare_create(article(&mut rng, &vocab, i));
            if tx.send(prepared).is_err() {
                break;
            }
        }
    });
    let mut rx = rx.into_iter().peekable();
    while rx.peek().is_some() {
        conn.immediate_transaction::<_, anbaa::error::ApiError, _>(|conn| {
            for prepared in rx.by_ref().take(1000) {
                anbaa::service::articles::create_prepared(conn, prepared?, "bench")?;
            }
            Ok(())
        })?;
    }
    producer.join().map_err(|_| "producer panicked")?;
    let import = started.elapsed();
    drop(conn);
    let size = std::fs::metadata(&db_path)?.len()
        + std::fs::metadata(format!("{db_path}-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    println!(
        "imported and indexed {n} articles in {:.1} s ({:.0} articles/s); database {:.0} MiB",
        import.as_secs_f64(),
        n as f64 / import.as_secs_f64(),
        size as f64 / 1048576.0
    );

    let (tx, rx) = std::sync::mpsc::channel();
    let mut settings = Settings::new("127.0.0.1:0", &db_path);
    settings.workers = Some(1);
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let app = anbaa::startup::Application::build(settings, pool).expect("server");
            tx.send(app.port()).expect("port");
            app.run_until_stopped().await
        })
    });
    let port = rx.recv()?;
    let client = reqwest::blocking::Client::new();
    let base = format!("http://127.0.0.1:{port}/api/v1/articles");

    let mut queries: Vec<(String, String)> = Vec::new();
    for c in COUNTRIES {
        for s in SUBJECTS.iter().take(6) {
            queries.push(("two words".into(), format!("{c} {s}")));
        }
    }
    for c in CITIES {
        queries.push(("one word".into(), (*c).to_owned()));
    }
    for s in SUBJECTS {
        queries.push(("phrase".into(), format!("\"{s} بين\"")));
        queries.push((
            "prefix".into(),
            format!("{}*", s.chars().skip(2).take(4).collect::<String>()),
        ));
    }
    queries.push(("variant".into(), "قيرغيزستان الغاز".into()));
    queries.push(("exclusion".into(), "النفط -روسيا".into()));
    // Warm up, then measure each kind.
    for (_, q) in queries.iter().take(20) {
        client
            .get(&base)
            .query(&[("q", q.as_str())])
            .send()?
            .bytes()?;
    }
    let mut kinds: Vec<String> = queries.iter().map(|(k, _)| k.clone()).collect();
    kinds.dedup();
    kinds.sort();
    kinds.dedup();
    println!("| query kind | requests | p50 ms | p99 ms | max ms |");
    println!("| --- | --- | --- | --- | --- |");
    for kind in kinds {
        let mut times = Vec::new();
        for round in 0..5 {
            for (k, q) in &queries {
                if *k != kind {
                    continue;
                }
                let t = Instant::now();
                let res = client
                    .get(&base)
                    .query(&[("q", q.as_str()), ("limit", "20")])
                    .send()?;
                assert!(res.status().is_success(), "{q}: {}", res.status());
                res.bytes()?;
                times.push(t.elapsed());
                let _ = round;
            }
        }
        times.sort();
        println!(
            "| {kind} | {} | {:.1} | {:.1} | {:.1} |",
            times.len(),
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            times.last().copied().unwrap_or_default().as_secs_f64() * 1e3
        );
    }
    Ok(())
}
