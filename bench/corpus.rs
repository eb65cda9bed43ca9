//! The deterministic Arabic corpus the benchmarks share: generated articles about the
//! region (country, subject, city words recur; the rest is Zipfian prose over a synthetic
//! Arabic vocabulary), 150–600 words each. Included by each bench example with `#[path]`.

#![allow(dead_code)]

use anbaa::dto::article::{ArticleCreate, ArticleStatus};

pub const COUNTRIES: &[&str] = &[
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
pub const CITIES: &[&str] = &[
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
pub const SUBJECTS: &[&str] = &[
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
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
    pub fn below(&mut self, n: u64) -> u64 {
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
pub fn vocabulary(rng: &mut Rng) -> Vec<String> {
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
pub fn article(rng: &mut Rng, vocab: &[String], i: usize) -> ArticleCreate {
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
    // Ten minutes apart from November 2023 for the first 100,000 (the corpora every earlier
    // run used); past that, 150 s apart going back from there, so a million stay in the past
    // (ten minutes apart, everything after the 161,000th was scheduled in the future).
    let day = if i < 100_000 {
        1_700_000_000 + (i as i64) * 600
    } else {
        1_700_000_000 - (i as i64 - 99_999) * 150
    };
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

/// The corpus seed: every run builds the same articles.
pub const SEED: u64 = 0x9E37_79B9_7F4A_7C15;
