//! Arabic comparison form: the one function through which Arabic text is compared, so that
//! spellings a reader treats as the same word compare equal.

use super::{TATWEEL, is_arabic_mark};

/// Folds a text for comparison: harakat and tatweel dropped, alef forms (أ إ آ ٱ) to ا,
/// alef maqsura to ي, teh marbuta to ه, Latin lower-cased.
pub fn fold(s: &str) -> String {
    s.chars()
        .filter(|&c| !is_arabic_mark(c) && c != TATWEEL)
        .flat_map(|c| {
            let folded = match c {
                'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
                'ى' => 'ي',
                'ة' => 'ه',
                other => other,
            };
            folded.to_lowercase()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_hamza_forms_marks_and_endings() {
        assert_eq!(fold("أوبك"), fold("اوبك"));
        assert_eq!(fold("مُحَمَّد"), "محمد");
        assert_eq!(fold("الكويـــت"), "الكويت");
        assert_eq!(fold("عيسى"), "عيسي");
        assert_eq!(fold("مدرسة"), "مدرسه");
        assert_eq!(fold("OPEC"), "opec");
    }
}
