//! The arrows (and notes) each step of the report stands for: who sends to whom, numbered like spec 2.1.

use crate::report::steps::FlowSteps;
use crate::report::{Step, steps};
use dapi::Flow;

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

const REQUEST: bool = false;
const REPLY: bool = true;

/// The messages that are one arrow labelled with their own step's number and name: the step, its sender,
/// its receiver, and whether it is an answer.
const MESSAGES: [(dapi::Step, &str, &str, bool); 14] = [
    (steps::ACCESS_TOKEN_REQUEST, APP, PARTY, REQUEST),
    (steps::ACCESS_TOKEN_RESPONSE, PARTY, APP, REPLY),
    (steps::CARD_REFERENCE_REQUEST, APP, PARTY, REQUEST),
    (steps::CARD_REFERENCE_RESPONSE, PARTY, APP, REPLY),
    (steps::INITIATE_SALE_REQUEST, APP, PARTY, REQUEST),
    (steps::INITIATE_SALE_RESPONSE, PARTY, APP, REPLY),
    (steps::INITIATE_VERIFICATION_REQUEST, APP, PARTY, REQUEST),
    (steps::INITIATE_VERIFICATION_RESPONSE, PARTY, APP, REPLY),
    (steps::PERFORM_SALE_REQUEST, APP, GATEWAY, REQUEST),
    (steps::PERFORM_SALE_RESPONSE, GATEWAY, APP, REPLY),
    (steps::PERFORM_VALIDATION_REQUEST, APP, GATEWAY, REQUEST),
    (steps::PERFORM_VALIDATION_RESPONSE, GATEWAY, APP, REPLY),
    (steps::THREE_DS_STATUS_UPDATE, APP, GATEWAY, REQUEST),
    (steps::CLOSE_BROWSER_REQUEST, GATEWAY, APP, REPLY),
];

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

/// The arrow of `message`, labelled with its number and name.
fn message(message: dapi::Step, from: &'static str, to: &'static str, reply: bool) -> Item {
    arrow(from, to, reply, message.number, message.name)
}

/// The arrows of one step, or a note when its message did not travel.
pub(super) fn items_of(step: &Step) -> Vec<Item> {
    let items = arrows_of(step);
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

/// The flow whose step `step` is, by `role`, with that flow's steps.
fn of_a_flow(
    step: &Step,
    role: impl Fn(&FlowSteps) -> [dapi::Step; 2],
) -> Option<(Flow, &'static FlowSteps)> {
    [Flow::Sale, Flow::Verification]
        .into_iter()
        .map(|flow| (flow, steps::of(flow)))
        .find(|(_, flow_steps)| role(flow_steps).iter().any(|at| step.is(*at)))
}

/// The arrows a step stands for; none for a step that is no message of the diagram.
fn arrows_of(step: &Step) -> Vec<Item> {
    let (number, detail) = (step.number, step.detail.as_str());
    let status_requests = |f: &FlowSteps| [f.status_request, f.final_status_request];
    let status_responses = |f: &FlowSteps| [f.status_response, f.final_status_response];
    if let Some((_, flow_steps)) = of_a_flow(step, status_requests) {
        let name = flow_steps.status_request.name;
        vec![arrow(APP, GATEWAY, REQUEST, number, name)]
    } else if let Some((_, flow_steps)) = of_a_flow(step, status_responses) {
        let name = flow_steps.status_response.name;
        let label = format!("{name} {}", first_word_after(detail, "state "));
        vec![arrow(GATEWAY, APP, REPLY, number, label.trim_end())]
    } else if let Some((flow, _)) = of_a_flow(step, |f| [f.check, f.check]) {
        let diagram = flow.steps();
        vec![
            message(diagram.check_request, GATEWAY, PARTY, REQUEST),
            message(diagram.check_response, PARTY, GATEWAY, REPLY),
        ]
    } else if step.is(steps::OPEN_BROWSER) {
        vec![arrow(APP, GATEWAY, REQUEST, 13, "Open redirectUrl")]
    } else if step.is(steps::ENTER_3DS_DATA) {
        let pressed = if detail.contains("presses cancel") {
            "Cancel"
        } else {
            "Enter 3DS data"
        };
        vec![
            arrow(APP, CONSUMER, REQUEST, 14, "Show 3DS page"),
            arrow(CONSUMER, APP, REQUEST, 15, pressed),
        ]
    } else if let Some((_, flow_steps)) = of_a_flow(step, |f| [f.card_mapping, f.card_mapping]) {
        vec![
            message(flow_steps.card_mapping, GATEWAY, PARTY, REQUEST),
            arrow(PARTY, GATEWAY, REPLY, 20, "Card mapping response"),
        ]
    } else if step.is(steps::CALLBACK) {
        let label = format!("Callback {}", first_word_after(detail, "status "));
        vec![
            arrow(GATEWAY, PARTY, REQUEST, 23, label.trim_end()),
            message(dapi::steps::CALLBACK_RESPONSE, PARTY, GATEWAY, REPLY),
        ]
    } else {
        let known = MESSAGES.iter().find(|(message, ..)| step.is(*message));
        known.map_or_else(Vec::new, |&(at, from, to, reply)| {
            vec![message(at, from, to, reply)]
        })
    }
}

/// The sandbox's misbehaviour set-up over the server it concerns (`party: check=…  (POST …)`), or a step
/// this module does not know over the app and the gateway.
fn other_note(step: &Step) -> Item {
    let is_misbehave = step.is(steps::MISBEHAVE);
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
