//! [`RouteTable`]: which diagram step a server's inbound request is, one line per route, and the sale ids its
//! path names. A route without a line is still recorded (as `METHOD path`, no step); the sandbox's own paths
//! ([`is_sandbox_path`]) are not recorded at all.
//!
//! ```
//! use dapi::steps;
//! use journal::RouteTable;
//! use sandbox_api::Participant::{App, Gateway};
//! let table = RouteTable::new(App, Gateway)
//!     .line("POST", "/sale/{endpoint}/{invoice}", steps::PERFORM_SALE_REQUEST, steps::PERFORM_SALE_RESPONSE);
//! let route = table.classify(&axum::http::Method::POST, "/sale/1234/INV%201").unwrap();
//! assert_eq!(route.step.map(|step| step.number), Some(6));
//! assert_eq!(route.ids.invoice.as_deref(), Some("INV 1"));
//! ```

use axum::http::Method;
use dapi::Step;
use sandbox_api::Participant;
use std::borrow::Cow;

/// The sale ids a path names, percent-decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathIds {
    /// `{endpoint}`.
    pub endpoint: Option<String>,
    /// `{invoice}`.
    pub invoice: Option<String>,
    /// `{token}`, a gateway session token.
    pub token: Option<String>,
}

/// What a request is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Who sends it.
    pub from: Participant,
    /// Who receives it.
    pub to: Participant,
    /// Its diagram step, when its route has a line.
    pub step: Option<Step>,
    /// Its answer's.
    pub answer: Option<Step>,
    /// The ids in its path.
    pub ids: PathIds,
}

#[derive(Clone, Debug)]
struct Line {
    methods: Vec<Method>,
    segments: Vec<String>,
    route: Route,
}

/// The routes of one server.
#[derive(Clone, Debug)]
pub struct RouteTable {
    /// Who sends the requests of a route without a line: the table's first sender.
    unknown_from: Participant,
    from: Participant,
    to: Participant,
    lines: Vec<Line>,
}

impl RouteTable {
    /// A table whose requests go from `from` to `to` unless a line says otherwise.
    pub fn new(from: Participant, to: Participant) -> Self {
        Self {
            unknown_from: from,
            from,
            to,
            lines: Vec::new(),
        }
    }

    /// A route: `methods` (`"GET|POST"`), a `pattern` whose `{endpoint}`, `{invoice}` and `{token}` segments
    /// name the sale (any other `{…}` matches any segment), the request's step and its answer's (either may be
    /// `None`: the close page is an answer of step 17 to a request the diagram does not number).
    #[must_use]
    pub fn line(
        mut self,
        methods: &str,
        pattern: &str,
        step: impl Into<Option<Step>>,
        answer: impl Into<Option<Step>>,
    ) -> Self {
        let route = Route {
            from: self.from,
            to: self.to,
            step: step.into(),
            answer: answer.into(),
            ids: PathIds::default(),
        };
        self.lines.push(Line {
            methods: methods
                .split('|')
                .filter_map(|method| method.parse().ok())
                .collect(),
            segments: segments(pattern).map(str::to_owned).collect(),
            route,
        });
        self
    }

    /// The lines that follow are requests `from` sends to the table's receiver (the gateway's calls to the
    /// Connecting Party server, after the app's).
    #[must_use]
    pub fn sent_by(mut self, from: Participant) -> Self {
        self.from = from;
        self
    }

    /// What `method path` is; `None` for the sandbox's own paths, which are not recorded.
    pub fn classify(&self, method: &Method, path: &str) -> Option<Route> {
        if is_sandbox_path(path) {
            return None;
        }
        let found = self.lines.iter().find_map(|line| {
            let ids = line.matches(path)?;
            let method_fits = line.methods.contains(method)
                || (method == Method::HEAD && line.methods.contains(&Method::GET));
            method_fits.then(|| Route {
                ids,
                ..line.route.clone()
            })
        });
        Some(found.unwrap_or(Route {
            from: self.unknown_from,
            to: self.to,
            step: None,
            answer: None,
            ids: PathIds::default(),
        }))
    }
}

impl Line {
    fn matches(&self, path: &str) -> Option<PathIds> {
        let mut ids = PathIds::default();
        let mut parts = segments(path);
        for pattern in &self.segments {
            let part = parts.next()?;
            let slot = match pattern.as_str() {
                "{endpoint}" => &mut ids.endpoint,
                "{invoice}" => &mut ids.invoice,
                "{token}" => &mut ids.token,
                other if other.starts_with('{') => continue,
                literal if literal == part => continue,
                _ => return None,
            };
            *slot = Some(decoded(part).into_owned());
        }
        parts.next().is_none().then_some(ids)
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|segment| !segment.is_empty())
}

fn decoded(segment: &str) -> Cow<'_, str> {
    percent_encoding::percent_decode_str(segment).decode_utf8_lossy()
}

/// The paths that are the sandbox's own and never journalled: `/`, `/health`, `/favicon.ico`,
/// `/openapi.json`, the dashboard (`/sandbox…`) and `/sim/…`, except the simulated 3-D Secure pages
/// (`/sim/3ds/…`), which are the bank a sale needs.
pub fn is_sandbox_path(path: &str) -> bool {
    matches!(path, "/" | "/health" | "/favicon.ico" | "/openapi.json")
        || path.starts_with("/sandbox")
        || (path.starts_with("/sim/") && !path.starts_with("/sim/3ds/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use dapi::steps;
    use sandbox_api::Participant::{App, Gateway, Party};

    fn table() -> RouteTable {
        RouteTable::new(App, Gateway)
            .line(
                "POST",
                "/p/sale/{endpoint}/{invoice}",
                steps::PERFORM_SALE_REQUEST,
                Some(steps::PERFORM_SALE_RESPONSE),
            )
            .line(
                "POST",
                "/p/sale/{endpoint}/{invoice}/status",
                steps::SALE_STATUS_REQUEST,
                Some(steps::SALE_STATUS_RESPONSE),
            )
            .line("GET", "/sim/3ds/{token}", steps::OPEN_BROWSER, None)
            .line("GET|POST", "/auth/{any}", steps::ACCESS_TOKEN_REQUEST, None)
            .sent_by(Party)
            .line("POST", "/p/check", steps::CHECK_SALE_REQUEST, None)
    }

    #[test]
    fn a_line_names_the_step_and_the_ids_of_its_path() {
        let route = table()
            .classify(&Method::POST, "/p/sale/1234/INV-1/status")
            .unwrap();
        assert_eq!(route.step, Some(steps::SALE_STATUS_REQUEST));
        assert_eq!(
            (route.ids.endpoint.as_deref(), route.ids.invoice.as_deref()),
            (Some("1234"), Some("INV-1"))
        );
        let page = table()
            .classify(&Method::HEAD, "/sim/3ds/0b9f6a4e")
            .unwrap();
        assert_eq!(page.ids.token.as_deref(), Some("0b9f6a4e"));
        assert!(
            table()
                .classify(&Method::GET, "/auth/x")
                .unwrap()
                .step
                .is_some()
        );
        let encoded = table()
            .classify(&Method::POST, "/p/sale/1234/a%2Fb%2B")
            .unwrap();
        assert_eq!(encoded.ids.invoice.as_deref(), Some("a/b+"));
    }

    #[test]
    fn an_unknown_route_is_recorded_without_a_step_and_sandbox_paths_not_at_all() {
        let unknown = table().classify(&Method::POST, "/p/sale/1234").unwrap();
        assert_eq!(
            (unknown.step, unknown.from, unknown.to),
            (None, App, Gateway),
            "the table's first sender, not the last line's"
        );
        let sent_by_other = table().classify(&Method::POST, "/p/check").unwrap();
        assert_eq!(sent_by_other.from, Party);
        let wrong_method = table()
            .classify(&Method::GET, "/p/sale/1234/INV-1")
            .unwrap();
        assert_eq!(wrong_method.step, None);
        for path in [
            "/",
            "/health",
            "/sandbox/",
            "/sandbox/sales/1/2",
            "/sim/journal",
            "/sim/sales/1",
        ] {
            assert_eq!(table().classify(&Method::GET, path), None, "{path}");
        }
    }
}
