//! How the sandbox shows values it did not make in its records, reports and logs: one rule each for a short id,
//! a clipped text and an excerpt of a peer's answer. Card numbers inside free text are masked with
//! [`dapi::card::mask_card_numbers`], the one masking rule of the workspace.

use dapi::card::mask_card_numbers;

/// How many characters of a token, nonce or signature a record shows.
pub const SHORT_CHARS: usize = 8;

/// A token, nonce or signature shown by its first [`SHORT_CHARS`] characters and `…`; a shorter value whole.
pub fn short(text: &str) -> String {
    clip(text, SHORT_CHARS)
}

/// At most `max` characters of `text`, ending in `…` when it was cut.
pub fn clip(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let mut shown: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        shown.push('…');
    }
    shown
}

/// A peer's text as a record keeps it: on one line (runs of white space folded), card numbers masked, at most
/// `max` characters.
pub fn excerpt(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    clip(&mask_card_numbers(&line), max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_show_eight_characters() {
        assert_eq!(short("7f3b9c1d2e4a5f60"), "7f3b9c1d…");
        assert_eq!(short("äöüäöüäöü"), "äöüäöüäö…");
        assert_eq!(short("12345678"), "12345678");
        assert_eq!(short(""), "");
    }

    #[test]
    fn excerpts_are_one_line_masked_and_clipped() {
        let text = "card\n  4111 1111 1111 1111\tdeclined";
        assert_eq!(excerpt(text, 200), "card 4111 11** **** 1111 declined");
        let long = "x".repeat(300);
        let cut = excerpt(&long, 200);
        assert_eq!(cut.chars().count(), 201);
        assert!(cut.ends_with('…'));
    }
}
