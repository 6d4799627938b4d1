//! The diagram's tests: every line a Mermaid statement, the spec's order, violations on their arrows.

use super::*;
use crate::report::sample;
use dapi::steps;
use sandbox_api::Observer;

const ALIASES: [&str; 4] = ["C", "App", "CP", "GW"];

/// Whether `line` is one statement this module writes: a participant, an arrow, a note, `rect` or `end`.
fn is_statement(line: &str) -> bool {
    let line = line.trim_start();
    if line.starts_with("participant ")
        || line.starts_with("Note over ")
        || line.starts_with("rect rgb(")
        || line == "end"
    {
        return true;
    }
    let Some((arrow, label)) = line.split_once(": ") else {
        return false;
    };
    let heads = ["-->>", "->>", "--x", "-x"];
    let arrow_ok = heads.iter().any(|head| {
        arrow
            .split_once(head)
            .is_some_and(|(from, to)| ALIASES.contains(&from) && ALIASES.contains(&to))
    });
    arrow_ok && !label.is_empty()
}

fn assert_valid(diagram: &str) {
    let mut lines = diagram.lines();
    assert_eq!(lines.next(), Some("sequenceDiagram"), "{diagram}");
    for line in lines {
        assert!(is_statement(line), "not a statement: {line:?}\n{diagram}");
        assert!(!line.contains(';') || line.contains("#59;"), "{line}");
        assert!(!line.contains('"'), "unescaped quote: {line}");
    }
    let opened = diagram
        .lines()
        .filter(|l| l.trim_start().starts_with("rect "))
        .count();
    let closed = diagram.lines().filter(|l| l.trim() == "end").count();
    assert_eq!(opened, closed, "{diagram}");
}

fn position(diagram: &str, line: &str) -> usize {
    let at = diagram.lines().position(|l| l.trim() == line);
    assert!(at.is_some(), "no line {line:?} in\n{diagram}");
    at.unwrap_or_default()
}

#[test]
fn a_three_ds_sale_is_drawn_in_the_spec_order_with_numbered_arrows() {
    let diagram = mermaid(&sample::three_ds_approved());
    assert_valid(&diagram);
    for participant in [
        "participant C as Consumer",
        "participant App as Mobile App",
        "participant CP as Connecting Party's Server",
        "participant GW as Gateway",
    ] {
        position(&diagram, participant);
    }
    let order = [
        "App->>CP: 2 Request access token",
        "rect rgb(240, 244, 250)",
        "Note over C,GW: sale 1 (card, 3-D Secure): APPROVED",
        "App->>GW: 6 Perform sale request",
        "GW-->>App: 7 Perform sale response",
        "GW->>CP: 8 Check sale request",
        "CP-->>GW: 9 Check sale response",
        "GW-->>App: 12 Sale status response REDIRECT_REQUEST",
        "App->>C: 14 Show 3DS page",
        "C->>App: 15 Enter 3DS data",
        "GW-->>App: 17 Close browser request",
        "GW->>CP: 19 Card mapping notification",
        "App->>GW: 21 Sale status request",
        "GW-->>App: 22 Sale status response APPROVED",
        "GW->>CP: 23 Callback approved",
        "CP-->>GW: 24 Callback response",
        "end",
    ];
    let at: Vec<usize> = order.iter().map(|line| position(&diagram, line)).collect();
    assert!(
        at.windows(2).all(|pair| pair[0] < pair[1]),
        "{at:?}\n{diagram}"
    );
    assert!(
        !diagram.contains("-x") && !diagram.contains('⚠'),
        "{diagram}"
    );
}

#[test]
fn a_violation_crosses_its_arrow_and_is_noted_right_after_it() {
    let diagram = mermaid(&sample::wrong_check_signature());
    assert_valid(&diagram);
    let crossed = position(&diagram, "CP--xGW: 9 Check sale response");
    let note = "Note over CP,GW: ⚠ step 9 Check sale response (seen by gateway): session.checkSignature does not verify";
    assert_eq!(position(&diagram, note), crossed + 1, "{diagram}");
    position(
        &diagram,
        "Note over CP: sandbox: check=wrong-check-signature",
    );
    position(
        &diagram,
        "Note over GW,CP: 19–20 Card mapping notification: party recorded none",
    );
    position(
        &diagram,
        "Note over C,GW: sale 1 (card, misbehaving server): DECLINED",
    );
}

#[test]
fn violations_without_an_arrow_are_noted_at_the_end_and_scenario_ones_outside_the_sales() {
    let mut report = sample::wrong_check_signature();
    let token = ContractViolation::new(
        Observer::App,
        steps::ACCESS_TOKEN_RESPONSE,
        "session.accessToken",
        "must be 32–128 characters long",
    );
    report.violation(None, token);
    let internal = ContractViolation::new(
        Observer::Gateway,
        dapi::Step {
            number: 10,
            name: "Start processing",
        },
        "",
        "x; y",
    );
    report.violation(Some(1), internal);
    let diagram = mermaid(&report);
    assert_valid(&diagram);
    let crossed = position(&diagram, "CP--xApp: 3 Response access token");
    assert!(crossed < position(&diagram, "rect rgb(240, 244, 250)"));
    let loose = "Note over GW,CP: ⚠ step 10 Start processing (seen by gateway): x#59; y";
    assert_eq!(
        position(&diagram, loose) + 1,
        position(&diagram, "end"),
        "{diagram}"
    );
}

#[test]
fn labels_are_escaped_and_cut() {
    assert_eq!(
        text("a;b#c\"d<e>f%g\nh"),
        "a#59;b#35;c#quot;d#lt;e#gt;f#37;g h"
    );
    let long = "x".repeat(500);
    assert_eq!(text(&long).chars().count(), NOTE_CHARS + 1);
}

#[test]
fn a_diagram_is_written_under_the_sanitized_file_stem() {
    let dir = std::env::temp_dir().join(format!("mobile-mermaid-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut report = sample::three_ds_approved();
    report.file = "scenarios/03 3ds+approved.toml".into();
    let path = write_diagram(&report, &dir).unwrap();
    assert_eq!(path, dir.join("03_3ds_approved.mmd"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), mermaid(&report));
    report.file = "".into();
    assert_eq!(
        write_diagram(&report, &dir).unwrap(),
        dir.join("scenario.mmd")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_verification_is_drawn_with_its_own_messages_in_the_addendums_order() {
    let diagram = mermaid(&sample::verified_card());
    assert_valid(&diagram);
    let lines: Vec<&str> = diagram.lines().map(str::trim).collect();
    let at = |wanted: &str| {
        lines
            .iter()
            .position(|line| *line == wanted)
            .unwrap_or_else(|| panic!("no {wanted:?} in\n{diagram}"))
    };
    let title = at("Note over C,GW: verification 1 (card): APPROVED");
    let perform = at("GW-->>App: 7 Perform validation response");
    let check = at("GW->>CP: 8 Check verification request");
    let mapping = at("GW->>CP: 19 Verification card mapping notification");
    let status = at("App->>GW: 21 Verification status request");
    let last = at("GW-->>App: 22 Verification status response APPROVED");
    assert!(
        title < perform && perform < check && check < mapping && mapping < status && status < last
    );
    at("Note over C,GW: sale 1 (repeat by card reference): APPROVED");
    at("App->>CP: 4 Initiate verification request");
}
