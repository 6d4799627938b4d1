//! Recording the exchanges a server answers: [`record`], a middleware around the whole router (so a request
//! to an unknown path is recorded too), and the entry "current" in a task ([`current_entry`]) that a contract
//! violation seen while answering — or right after an outbound call — names.
//!
//! The request body is recorded as the handler reads it: a `Tee` body passes every chunk on and keeps a
//! reference-counted clone of it (no copy), so the body limit and every refusal stay exactly as without the
//! journal. The answer of a handler is in memory already; it is collected (one chunk: no copy), recorded and
//! sent on.

use crate::entry::{Exchange, MAX_BODY_BYTES, Part};
use crate::ring::Journal;
use crate::routes::{PathIds, Route};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use http_body::{Body as HttpBody, Frame, SizeHint};
use sandbox_api::SaleRef;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Instant, SystemTime};

tokio::task_local! {
    static CURRENT: Cell<Option<u64>>;
}

/// The journal entry of the exchange this task is answering, or of the outbound call it made last; `None`
/// outside [`scoped`] (and without a journal).
pub fn current_entry() -> Option<u64> {
    CURRENT.try_with(Cell::get).ok().flatten()
}

/// Makes `id` the task's current entry (for an outbound call, once recorded).
pub fn set_current_entry(id: u64) {
    let _ = CURRENT.try_with(|current| current.set(Some(id)));
}

/// The task has no current entry (before an outbound call whose attempt may not get as far as the journal).
pub fn clear_current_entry() {
    let _ = CURRENT.try_with(|current| current.set(None));
}

/// Runs `job` (an outbound job: check sale, a delivery) with a current entry of its own.
pub fn scoped<F: Future>(job: F) -> impl Future<Output = F::Output> {
    CURRENT.scope(Cell::new(None), job)
}

/// What a server tells the middleware about its requests.
pub trait Recorder: Clone + Send + Sync + 'static {
    /// Its journal.
    fn messages(&self) -> &Journal;
    /// What a request is; `None` for one that is not recorded (the sandbox's own paths).
    fn route(&self, method: &axum::http::Method, path: &str) -> Option<Route>;
    /// The sale an answered request belongs to, from its path's ids and its bodies.
    fn sale(&self, ids: &PathIds, seen: &Seen<'_>) -> SaleRef;
    /// The route once its answer is known (a sale status answer that is final is step 21–22, not 11–12).
    fn refine(&self, route: Route, _seen: &Seen<'_>) -> Route {
        route
    }
}

/// An answered request, for [`Recorder::sale`].
#[derive(Debug)]
pub struct Seen<'a> {
    /// The request's query string.
    pub query: Option<&'a str>,
    /// The request body, as read by the handler.
    pub request: &'a [u8],
    /// The answer's body.
    pub response: &'a [u8],
}

/// `router` with every exchange it answers recorded by [`record`], outermost so that a request to an unknown
/// path is recorded too; `router` as it is when `recorder`'s journal is off.
pub fn record_every_exchange<R: Recorder>(
    router: axum::Router<R>,
    recorder: &R,
) -> axum::Router<R> {
    if !recorder.messages().is_on() {
        return router;
    }
    router.layer(axum::middleware::from_fn_with_state(
        recorder.clone(),
        record::<R>,
    ))
}

/// Records every request `recorder` has a route for, with its answer, then sends the answer on.
pub async fn record<R: Recorder>(
    State(recorder): State<R>,
    request: Request,
    next: Next,
) -> Response {
    let journal = recorder.messages();
    let route = journal
        .is_on()
        .then(|| recorder.route(request.method(), request.uri().path()))
        .flatten();
    let Some(route) = route else {
        return next.run(request).await;
    };
    let (started, clock, id) = (SystemTime::now(), Instant::now(), journal.reserve());
    let (parts, body) = request.into_parts();
    let seen_body = Captured::default();
    let unnamed = route.step.is_none() && route.answer.is_none();
    let body = if unnamed && fits(&body) {
        let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
            .await
            .unwrap_or_default();
        seen_body.keep(&bytes);
        Body::from(bytes)
    } else {
        Body::new(Tee {
            inner: body,
            captured: seen_body.clone(),
        })
    };
    let request_headers = parts.headers.clone();
    let request_line = RequestLine::of(&parts);
    let answer = CURRENT
        .scope(
            Cell::new(Some(id)),
            next.run(Request::from_parts(parts, body)),
        )
        .await;
    let (answer_parts, answer_body) = answer.into_parts();
    let answer_bytes = match axum::body::to_bytes(answer_body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "an answer could not be read for the journal");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let request_body = seen_body.take();
    let seen = Seen {
        query: request_line.query.as_deref(),
        request: &request_body,
        response: &answer_bytes,
    };
    let sale = recorder.sale(&route.ids, &seen);
    let route = recorder.refine(route, &seen);
    let exchange = Exchange {
        from: route.from,
        to: route.to,
        step: route.step,
        answer: route.answer,
        method: request_line.method,
        path: request_line.path,
        query: request_line.query,
        started,
        latency: clock.elapsed(),
        request: Part {
            headers: request_headers,
            body: request_body,
        },
        response: Some((
            answer_parts.status.as_u16(),
            Part {
                headers: answer_parts.headers.clone(),
                body: answer_bytes.clone(),
            },
        )),
        error: None,
        sale,
    };
    journal.record(id, exchange);
    Response::from_parts(answer_parts, Body::from(answer_bytes))
}

/// Whether a body is small enough to read before its handler runs, which is done for a route without a line:
/// its handler may never read it (the 404 of an unknown path), which would leave the journal without what the
/// app sent. Only a body that says its length (`Content-Length`) and fits [`MAX_BODY_BYTES`] is read ahead;
/// it is passed on whole.
fn fits(body: &Body) -> bool {
    body.size_hint()
        .exact()
        .and_then(|length| usize::try_from(length).ok())
        .is_some_and(|length| length > 0 && length <= MAX_BODY_BYTES)
}

struct RequestLine {
    method: axum::http::Method,
    path: String,
    query: Option<String>,
}

impl RequestLine {
    fn of(parts: &Parts) -> Self {
        Self {
            method: parts.method.clone(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(str::to_owned),
        }
    }
}

/// The chunks of a body seen so far, up to [`MAX_BODY_BYTES`] (and one chunk past it, so a cut shows).
#[derive(Clone, Debug, Default)]
struct Captured(Arc<Mutex<Vec<Bytes>>>);

impl Captured {
    fn keep(&self, chunk: &Bytes) {
        let mut chunks = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let held: usize = chunks.iter().map(Bytes::len).sum();
        if held <= MAX_BODY_BYTES {
            chunks.push(chunk.clone());
        }
    }

    /// The body: its one chunk as it is, or the chunks joined.
    fn take(&self) -> Bytes {
        let mut chunks =
            std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner));
        match chunks.len() {
            0 => Bytes::new(),
            1 => chunks.pop().unwrap_or_default(),
            _ => {
                let mut joined = BytesMut::with_capacity(chunks.iter().map(Bytes::len).sum());
                chunks
                    .iter()
                    .for_each(|chunk| joined.extend_from_slice(chunk));
                joined.freeze()
            }
        }
    }
}

/// A request body that keeps what passes through it.
struct Tee {
    inner: Body,
    captured: Captured,
}

impl HttpBody for Tee {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(chunk) = frame.data_ref()
        {
            self.captured.keep(chunk);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
