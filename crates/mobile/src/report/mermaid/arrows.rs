//! The arrows (and notes) each step of the report stands for: who sends to whom, numbered like spec 2.1.

use crate::report::{self, At, Step};

use super::{APP, CONSUMER, GATEWAY, PARTY};

/// One thing drawn: an arrow (crossed when a violation happened on it) or a note for a step that did not
/// travel; `numbers` are the diagram steps it stands for.
pub(super) struct Item {
    /// The sender's alias (the first participant of a note).
    pub(super) from: &'static str,
    /// The receiver's alias (the second participant of a note).
    pub(super) to: &'static str,
    /// An answer (`-->>`) rather than a request (`->>`).
    pub(super) reply: bool,
    /// `6 Perform sale request`, or a note's text.
    pub(super) label: String,
    /// The diagram steps it stands for.
    pub(super) numbers: Vec<u8>,
    /// A note, not an arrow.
    pub(super) note: bool,
    /// A violation happened on it: `-x` / `--x`.
    pub(super) crossed: bool,
    /// The `⚠` notes that follow it.
    pub(super) warnings: Vec<String>,
}

fn arrow(from: &'static str, to: &'static str, reply: bool, number: u8, label: &str) -> Item {
    Item {
        from,
        to,
        reply,
        label: format!("{number} {label}"),
        numbers: vec![number],
        note: false,
        crossed: false,
        warnings: Vec::new(),
    }
}

/// The arrows of one step, or a note when its message did not travel.
pub(super) fn items_of(step: &Step) -> Vec<Item> {
    let is = |at: At| step.number == at.0 && step.name == at.1;
    let state = || first_word_after(&step.detail, "state ");
    let items = if is(report::REQUEST_ACCESS_TOKEN) {
        vec![arrow(APP, PARTY, false, 2, "Request access token")]
    } else if is(report::RESPONSE_ACCESS_TOKEN) {
        vec![arrow(PARTY, APP, true, 3, "Response access token")]
    } else if is(report::CARD_REFERENCE_REQUEST) {
        vec![arrow(APP, PARTY, false, 4, "Card reference request")]
    } else if is(report::CARD_REFERENCE_RESPONSE) {
        vec![arrow(PARTY, APP, true, 4, "Card reference response")]
    } else if is(report::INITIATE_REQUEST) {
        vec![arrow(APP, PARTY, false, 4, "Initiate sale request")]
    } else if is(report::INITIATE_RESPONSE) {
        vec![arrow(PARTY, APP, true, 5, "Initiate sale response")]
    } else if is(report::PERFORM_REQUEST) {
        vec![arrow(APP, GATEWAY, false, 6, "Perform sale request")]
    } else if is(report::PERFORM_RESPONSE) {
        vec![arrow(GATEWAY, APP, true, 7, "Perform sale response")]
    } else if is(report::CHECK_SALE) {
        vec![
            arrow(GATEWAY, PARTY, false, 8, "Check sale request"),
            arrow(PARTY, GATEWAY, true, 9, "Check sale response"),
        ]
    } else if is(report::STATUS_REQUEST) || is(report::FINAL_STATUS_REQUEST) {
        vec![arrow(
            APP,
            GATEWAY,
            false,
            step.number,
            "Sale status request",
        )]
    } else if is(report::STATUS_RESPONSE) || is(report::FINAL_STATUS_RESPONSE) {
        let label = format!("Sale status response {}", state());
        vec![arrow(GATEWAY, APP, true, step.number, label.trim_end())]
    } else if is(report::OPEN_BROWSER) {
        vec![arrow(APP, GATEWAY, false, 13, "Open redirectUrl")]
    } else if is(report::ENTER_3DS_DATA) {
        let pressed = if step.detail.contains("presses cancel") {
            "Cancel"
        } else {
            "Enter 3DS data"
        };
        vec![
            arrow(APP, CONSUMER, false, 14, "Show 3DS page"),
            arrow(CONSUMER, APP, false, 15, pressed),
        ]
    } else if is(report::THREE_DS_UPDATE) {
        vec![arrow(APP, GATEWAY, false, 16, "3DS status update")]
    } else if is(report::CLOSE_BROWSER) {
        vec![arrow(GATEWAY, APP, true, 17, "Close browser request")]
    } else if is(report::CARD_MAPPING) {
        vec![
            arrow(GATEWAY, PARTY, false, 19, "Card mapping notification"),
            arrow(PARTY, GATEWAY, true, 20, "Card mapping response"),
        ]
    } else if is(report::CALLBACK) {
        let status = first_word_after(&step.detail, "status ");
        let label = format!("Callback {status}");
        vec![
            arrow(GATEWAY, PARTY, false, 23, label.trim_end()),
            arrow(PARTY, GATEWAY, true, 24, "Callback response"),
        ]
    } else {
        Vec::new()
    };
    let Some(first) = items.first() else {
        return vec![other_note(step)];
    };
    if step.traveled {
        return items;
    }
    // `19–20 Card mapping notification: party recorded none`
    let numbers: Vec<u8> = items.iter().flat_map(|item| item.numbers.clone()).collect();
    let span = match numbers.as_slice() {
        [first, .., last] => format!("{first}–{last}"),
        _ => step.number.to_string(),
    };
    let name = first.label.split_once(' ').map_or("", |(_, name)| name);
    let label = format!("{span} {name}: {}", step.detail);
    vec![note(first.from, first.to, label, numbers)]
}

/// The sandbox's misbehaviour set-up over the server it concerns (`party: check=…  (POST …)`), or a step
/// this module does not know over the app and the gateway.
fn other_note(step: &Step) -> Item {
    let is_misbehave = step.number == report::MISBEHAVE.0 && step.name == report::MISBEHAVE.1;
    let setting = step
        .detail
        .split_once(" (POST ")
        .map_or(step.detail.as_str(), |(setting, _)| setting);
    match setting.split_once(": ") {
        Some(("party", what)) if is_misbehave => {
            note(PARTY, PARTY, format!("sandbox: {what}"), Vec::new())
        }
        Some(("gateway", what)) if is_misbehave => {
            note(GATEWAY, GATEWAY, format!("sandbox: {what}"), Vec::new())
        }
        _ => note(
            APP,
            GATEWAY,
            format!("{}: {}", step.name, step.detail),
            Vec::new(),
        ),
    }
}

fn note(from: &'static str, to: &'static str, label: String, numbers: Vec<u8>) -> Item {
    Item {
        from,
        to,
        reply: false,
        label,
        numbers,
        note: true,
        crossed: false,
        warnings: Vec::new(),
    }
}

/// The word after `prefix` in `detail` (`state APPROVED, …` → `APPROVED`), or nothing.
fn first_word_after<'a>(detail: &'a str, prefix: &str) -> &'a str {
    detail
        .find(prefix)
        .map(|at| &detail[at + prefix.len()..])
        .and_then(|rest| rest.split([',', ' ']).next())
        .unwrap_or_default()
}
