//! A sale's sequence diagram, drawn on the server as SVG (no script, no library, works offline): one lane per
//! party (app, Connecting Party server, gateway, in the spec's order), one arrow per message of the journal,
//! numbered like spec 2.1's diagram. Each arrow links to its message's view (`#m-gw-12`); an arrow whose
//! exchange broke a rule is drawn red with `✕`. Repeated status polls with the same answer are one arrow
//! (`×N`). Coordinates are computed here; the template (`templates/dashboard/sale.html`) only places them, and
//! askama escapes every label.

use journal::web::anchor;
use sandbox_api::{JournalEntry, Participant};
use std::collections::HashSet;

/// Pixels between two arrows.
const ROW: u32 = 30;
/// Room above the first arrow, for the lane names.
const TOP: u32 = 40;
/// The drawing's width (it scales down to the screen).
pub(crate) const WIDTH: u32 = 540;

/// One lane.
#[derive(Debug)]
pub(crate) struct Lane {
    pub(crate) x: u32,
    pub(crate) name: &'static str,
}

/// One arrow and its label.
#[derive(Debug)]
pub(crate) struct Arrow {
    pub(crate) y: u32,
    pub(crate) x1: u32,
    pub(crate) x2: u32,
    /// Where the label starts (it is centred there).
    pub(crate) label_x: u32,
    pub(crate) label: String,
    /// `#m-gw-12`.
    pub(crate) href: String,
    pub(crate) answer: bool,
    pub(crate) broken: bool,
}

/// The whole drawing.
#[derive(Debug)]
pub(crate) struct Diagram {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) lanes: [Lane; 3],
    pub(crate) arrows: Vec<Arrow>,
}

/// A journal entry and who recorded it (`gw`, `cp`), in the order the exchanges started.
pub(crate) struct Shown<'a> {
    pub(crate) source: &'static str,
    pub(crate) entry: &'a JournalEntry,
}

fn lane_x(party: Participant) -> u32 {
    match party {
        Participant::App => 70,
        Participant::Party => 270,
        Participant::Gateway => 470,
    }
}

impl Diagram {
    /// The diagram of `messages`; `broken` holds the `(source, id)` of entries a violation names.
    pub(crate) fn of(messages: &[Shown<'_>], broken: &HashSet<(&str, u64)>) -> Self {
        let mut arrows = Vec::new();
        let mut index = 0;
        while let Some(shown) = messages.get(index) {
            let repeats = messages[index + 1..]
                .iter()
                .take_while(|next| same_poll(shown.entry, next.entry))
                .count();
            let is_broken = messages[index..=index + repeats]
                .iter()
                .any(|shown| broken.contains(&(shown.source, shown.entry.id)));
            push_exchange(&mut arrows, shown, repeats + 1, is_broken);
            index += repeats + 1;
        }
        let height = TOP + ROW * u32::try_from(arrows.len()).unwrap_or(u32::MAX / ROW) + ROW / 2;
        Self {
            width: WIDTH,
            height,
            lanes: [
                Lane {
                    x: lane_x(Participant::App),
                    name: "Mobile app",
                },
                Lane {
                    x: lane_x(Participant::Party),
                    name: "Connecting Party",
                },
                Lane {
                    x: lane_x(Participant::Gateway),
                    name: "Gateway",
                },
            ],
            arrows,
        }
    }
}

/// Whether `next` repeats `entry`'s status poll: same step, same status, same answer body.
fn same_poll(entry: &JournalEntry, next: &JournalEntry) -> bool {
    let poll = matches!(entry.step, Some(11 | 21));
    let body = |entry: &JournalEntry| entry.response.as_ref().map(|side| side.body.clone());
    poll && next.step == entry.step && next.status == entry.status && body(next) == body(entry)
}

/// The request's arrow and the answer's, one row each.
fn push_exchange(arrows: &mut Vec<Arrow>, shown: &Shown<'_>, times: usize, broken: bool) {
    let entry = shown.entry;
    let (from, to) = (lane_x(entry.from), lane_x(entry.to));
    let href = format!("#{}", anchor(shown.source, entry.id));
    let times = if times > 1 {
        format!(" ×{times}")
    } else {
        String::new()
    };
    let request = match entry.step {
        Some(step) => format!("{step} {}{times}", entry.message),
        None if entry.answer_step.is_some() => {
            format!("{} {}", entry.method, short_path(&entry.path))
        }
        None => entry.message.clone(),
    };
    let mut row = |x1: u32, x2: u32, label: String, answer: bool, broken: bool| {
        let y = TOP + ROW * u32::try_from(arrows.len()).unwrap_or(0) + ROW / 2;
        arrows.push(Arrow {
            y,
            x1,
            x2,
            label_x: (x1 + x2) / 2,
            label,
            href: href.clone(),
            answer,
            broken,
        });
    };
    row(from, to, request, false, false);
    let answer = match (entry.answer_step, &entry.answer_message, entry.status) {
        (Some(step), Some(name), Some(status)) => format!("{step} {name} (HTTP {status})"),
        (_, _, Some(status)) => format!("HTTP {status}"),
        (_, _, None) => entry
            .error
            .clone()
            .unwrap_or_else(|| "no answer".to_owned()),
    };
    row(
        to,
        from,
        answer,
        true,
        broken || entry.status.is_none_or(|status| status >= 400),
    );
}

/// The last segment of a path, for an arrow's label.
fn short_path(path: &str) -> String {
    let segments: Vec<&str> = path.rsplit('/').take(1).collect();
    format!(
        "…/{}",
        segments.into_iter().rev().collect::<Vec<_>>().join("/")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use sandbox_api::{JournalMessage, SaleRef};

    pub(crate) fn entry(
        id: u64,
        step: Option<u8>,
        from: Participant,
        to: Participant,
        status: Option<u16>,
    ) -> JournalEntry {
        JournalEntry {
            id,
            at: format!("2026-01-02T03:04:{id:02}.000Z"),
            from,
            to,
            step,
            message: "Sale status request".into(),
            answer_step: step.map(|step| step + 1),
            answer_message: Some("Sale status response".into()),
            method: "POST".into(),
            path: "/paynet/dapi/v1/sale/1234/INV-1/status".into(),
            query: None,
            status,
            latency_us: 10,
            error: None,
            sale: SaleRef::default(),
            request: JournalMessage::default(),
            response: status.map(|_| JournalMessage {
                body: "{\"state\":\"PROCESSING\"}".into(),
                ..JournalMessage::default()
            }),
        }
    }

    #[test]
    fn each_exchange_is_two_arrows_and_repeated_polls_are_one() {
        use Participant::{App, Gateway, Party};
        let entries = [
            entry(1, Some(6), App, Gateway, Some(200)),
            entry(2, Some(8), Gateway, Party, Some(200)),
            entry(3, Some(11), App, Gateway, Some(200)),
            entry(4, Some(11), App, Gateway, Some(200)),
            entry(5, Some(11), App, Gateway, Some(200)),
            entry(6, Some(23), Gateway, Party, None),
        ];
        let shown: Vec<Shown<'_>> = entries
            .iter()
            .map(|entry| Shown {
                source: "gw",
                entry,
            })
            .collect();
        let broken = HashSet::from([("gw", 2)]);
        let diagram = Diagram::of(&shown, &broken);
        assert_eq!(diagram.arrows.len(), 8);
        let labels: Vec<&str> = diagram
            .arrows
            .iter()
            .map(|arrow| arrow.label.as_str())
            .collect();
        assert_eq!(labels[4], "11 Sale status request ×3", "{labels:?}");
        assert!(diagram.arrows[3].broken, "the answer of a broken exchange");
        assert!(diagram.arrows[7].broken && diagram.arrows[7].label == "no answer");
        assert_eq!(diagram.arrows[2].href, "#m-gw-2");
        assert_eq!(
            (diagram.arrows[2].x1, diagram.arrows[2].x2),
            (470, 270),
            "gateway to party"
        );
        assert!(diagram.arrows.windows(2).all(|pair| pair[0].y < pair[1].y));
        assert_eq!(short_path("/sim/3ds/abc/done"), "…/done");
    }
}
