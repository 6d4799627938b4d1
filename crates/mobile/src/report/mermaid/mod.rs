//! [`mermaid`]: a run as a Mermaid `sequenceDiagram` of the messages that really happened, numbered like
//! spec 2.1's diagram, with each contract violation as a cross arrow and a `⚠` note where it happened.
//!
//! ```text
//! sequenceDiagram
//!     participant C as Consumer
//!     participant App as Mobile App
//!     participant CP as Connecting Party's Server
//!     participant GW as Gateway
//!     App->>CP: 2 Request access token
//!     CP-->>App: 3 Response access token
//!     rect rgb(240, 244, 250)
//!     Note over C,GW: sale 1 (card): DECLINED
//!     App->>GW: 6 Perform sale request
//!     GW-->>App: 7 Perform sale response
//!     GW->>CP: 8 Check sale request
//!     CP--xGW: 9 Check sale response
//!     Note over CP,GW: ⚠ step 9 Check sale response (seen by gateway): session.checkSignature …
//!     end
//! ```
//!
//! The party-side steps (8–9, 19–20, 23–24) come from the party's record and are drawn where spec 2.1 puts
//! them: check sale right after perform sale's answer, the card mapping before the final status request,
//! the callback last. A step whose message did not travel or could not be observed is a note, not an arrow.

use std::io;
use std::path::{Path, PathBuf};

use sandbox_api::ContractViolation;

use sandbox_api::text::clip;

use crate::report::steps::FlowSteps;
use crate::report::{ScenarioReport, Step, steps};

mod arrows;
#[cfg(test)]
mod tests;

use arrows::{Item, items_of};

/// The longest note text before it is cut with `…`.
const NOTE_CHARS: usize = 140;

const CONSUMER: &str = "C";
const APP: &str = "App";
const PARTY: &str = "CP";
const GATEWAY: &str = "GW";

/// The diagram of `report` (see the module documentation), one statement per line.
pub fn mermaid(report: &ScenarioReport) -> String {
    let mut lines = vec![
        "sequenceDiagram".to_owned(),
        format!("    participant {CONSUMER} as Consumer"),
        format!("    participant {APP} as Mobile App"),
        format!("    participant {PARTY} as Connecting Party's Server"),
        format!("    participant {GATEWAY} as Gateway"),
    ];
    let unattached: Vec<&ContractViolation> = report
        .violations
        .iter()
        .filter(|seen| seen.sale.is_none())
        .map(|seen| &seen.violation)
        .collect();
    let steps: Vec<&Step> = report
        .steps
        .iter()
        .filter(|step| step.sale.is_none())
        .collect();
    lines.extend(draw(&steps, &unattached, "    "));
    for sale in sale_numbers(report) {
        let steps = in_spec_order(
            report
                .steps
                .iter()
                .filter(|step| step.sale == Some(sale))
                .collect(),
        );
        let violations: Vec<&ContractViolation> = report.violations_of(sale).collect();
        lines.push("    rect rgb(240, 244, 250)".to_owned());
        let title = sale_title(report, sale, &steps);
        lines.push(format!(
            "    Note over {CONSUMER},{GATEWAY}: {}",
            text(&title)
        ));
        lines.extend(draw(&steps, &violations, "    "));
        lines.push("    end".to_owned());
    }
    let mut diagram = lines.join("\n");
    diagram.push('\n');
    diagram
}

/// Writes [`mermaid`]`(report)` to `<dir>/<file stem>.mmd` (the scenario file's stem, characters other
/// than ASCII letters, digits, `-`, `_` and `.` replaced by `_`) and returns that path. Two scenario files
/// with the same stem in different directories write the same file: the later one wins.
///
/// # Errors
/// When the file cannot be written (the directory must exist).
pub fn write_diagram(report: &ScenarioReport, dir: &Path) -> io::Result<PathBuf> {
    let stem = report
        .file
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.trim_matches('.').is_empty() {
        name = "scenario".to_owned();
    }
    let path = dir.join(format!("{name}.mmd"));
    std::fs::write(&path, mermaid(report))?;
    Ok(path)
}

/// The lines of `steps` with `violations` marked on them.
fn draw(steps: &[&Step], violations: &[&ContractViolation], indent: &str) -> Vec<String> {
    let mut items: Vec<Item> = steps.iter().flat_map(|step| items_of(step)).collect();
    let mut loose = Vec::new();
    for violation in violations {
        let warning = format!("⚠ {violation}");
        match find(&items, violation.step) {
            Some(index) => {
                let item = &mut items[index];
                item.crossed |= !item.note;
                item.warnings.push(warning);
            }
            None => loose.push(warning),
        }
    }
    let mut lines = Vec::new();
    for item in &items {
        let (from, to) = (item.from, item.to);
        if item.note {
            lines.push(format!(
                "{indent}Note over {}: {}",
                pair(from, to),
                text(&item.label)
            ));
        } else {
            let head = match (item.reply, item.crossed) {
                (false, false) => "->>",
                (true, false) => "-->>",
                (false, true) => "-x",
                (true, true) => "--x",
            };
            lines.push(format!("{indent}{from}{head}{to}: {}", text(&item.label)));
        }
        for warning in &item.warnings {
            lines.push(format!(
                "{indent}Note over {}: {}",
                pair(from, to),
                text(warning)
            ));
        }
    }
    for warning in loose {
        lines.push(format!(
            "{indent}Note over {GATEWAY},{PARTY}: {}",
            text(&warning)
        ));
    }
    lines
}

/// The item a violation of `step` belongs to; a status step falls back to its twin (11 and 21, 12 and 22).
fn find(items: &[Item], step: u8) -> Option<usize> {
    let twin = match step {
        11 => 21,
        21 => 11,
        12 => 22,
        22 => 12,
        other => other,
    };
    let at = |number: u8| items.iter().position(|item| item.numbers.contains(&number));
    at(step).or_else(|| at(twin))
}

/// `A,B` for a note over two different participants, `A` for one.
fn pair(from: &str, to: &str) -> String {
    if from == to {
        from.to_owned()
    } else {
        format!("{from},{to}")
    }
}

/// The sale's steps with the party's (recorded after the final status) moved where spec 2.1 (or the
/// addendum's §1, for a verification) has them.
fn in_spec_order(sale_steps: Vec<&Step>) -> Vec<&Step> {
    let any = |step: &Step, role: fn(&FlowSteps) -> dapi::Step| {
        steps::FLOWS.iter().any(|flow| step.is(role(flow)))
    };
    let (party, mut ordered): (Vec<&Step>, Vec<&Step>) = sale_steps
        .into_iter()
        .partition(|step| any(step, |f| f.check) || any(step, |f| f.card_mapping));
    for step in party {
        let anchor = if any(step, |f| f.check) {
            let perform = ordered.iter().position(|s| any(s, |f| f.perform_response));
            perform.map(|at| at + 1)
        } else {
            ordered
                .iter()
                .position(|s| any(s, |f| f.final_status_request))
        };
        ordered.insert(anchor.unwrap_or(ordered.len()), step);
    }
    ordered
}

/// Every sale that has a step or an outcome, in order.
fn sale_numbers(report: &ScenarioReport) -> Vec<usize> {
    let mut numbers: Vec<usize> = report
        .steps
        .iter()
        .filter_map(|step| step.sale)
        .chain(report.sales.iter().map(|outcome| outcome.sale))
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// `sale 2 (repeat by card reference, 3-D Secure): APPROVED`, `verification 1 (card): APPROVED`.
fn sale_title(report: &ScenarioReport, sale: usize, sale_steps: &[&Step]) -> String {
    let by_reference = sale_steps
        .iter()
        .any(|step| step.name == steps::CARD_REFERENCE_REQUEST.name);
    let mut kinds = vec![if by_reference {
        "repeat by card reference"
    } else {
        "card"
    }];
    let outcome = report.sales.iter().find(|outcome| outcome.sale == sale);
    if outcome.is_some_and(|outcome| outcome.redirect) {
        kinds.push("3-D Secure");
    }
    if sale_steps.iter().any(|step| step.is(steps::MISBEHAVE)) {
        kinds.push("misbehaving server");
    }
    let state = outcome
        .and_then(|outcome| outcome.state)
        .map_or("no final state".to_owned(), |state| state.to_string());
    format!("{} ({}): {state}", report.label(sale), kinds.join(", "))
}

/// Label text made safe for Mermaid: one line, no `;` (a statement separator), `#` (entity codes),
/// quotes or angle brackets (HTML), `%` (comments), each as an entity code; cut at [`NOTE_CHARS`].
fn text(label: &str) -> String {
    let short = clip(label, NOTE_CHARS);
    let mut out = String::with_capacity(short.len());
    for c in short.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '%' => out.push_str("#37;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
