//! Real sockets on port 0: half-open, slow and idle clients are dropped in time while others are served; HTTPS
//! and a plain request on the HTTPS port; shutdown within its bound. Waits are on events under timeouts; the
//! only pauses are the configured timeouts themselves.

use super::*;
use crate::with_request_timeout;
use axum::routing::{get, post};
use dapi::PartyCause;
use std::net::SocketAddr;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Longest any single wait in these tests may take before it counts as a hang.
const HANG: Duration = Duration::from_secs(20);

struct Running {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    served: JoinHandle<std::io::Result<usize>>,
}

async fn start(timeouts: Timeouts, tls: Option<tls::ServerTls>) -> Running {
    let router = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route(
            "/upload",
            post(|body: axum::body::Bytes| async move { body.len().to_string() }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(600)).await;
                "late"
            }),
        );
    let router = with_request_timeout(router, timeouts.request, PartyCause::InvalidRequest);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let transport = Transport { timeouts, tls };
    let served = tokio::spawn(async move {
        serve(listener, router, &transport, async move {
            let _ = stopped.await;
        })
        .await
    });
    Running { addr, stop, served }
}

fn timeouts(header_read_ms: u64, request_ms: u64, idle_ms: u64) -> Timeouts {
    Timeouts {
        header_read: Duration::from_millis(header_read_ms),
        request: Duration::from_millis(request_ms),
        idle: Duration::from_millis(idle_ms),
        drain: Duration::from_millis(500),
    }
}

/// Reads one HTTP/1.1 answer (status line, headers, `Content-Length` body).
async fn read_answer(stream: &mut (impl AsyncRead + Unpin)) -> (u16, String) {
    let mut bytes = Vec::new();
    let mut byte = [0_u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        assert_eq!(
            stream.read(&mut byte).await.unwrap(),
            1,
            "answer cut short: {bytes:?}"
        );
        bytes.push(byte[0]);
    }
    let head = String::from_utf8(bytes).unwrap();
    let status = head[9..12].parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| {
            line.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_owned)
        })
        .map_or(0, |value| value.trim().parse().unwrap());
    let mut body = vec![0_u8; length];
    stream.read_exact(&mut body).await.unwrap();
    (status, String::from_utf8(body).unwrap())
}

/// Waits until the server closes `stream` (EOF or reset), ignoring anything it sends first.
async fn closed(stream: &mut (impl AsyncRead + Unpin)) {
    let mut sink = [0_u8; 1024];
    loop {
        match stream.read(&mut sink).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

async fn get_health(addr: SocketAddr) -> u16 {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    read_answer(&mut stream).await.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_half_open_connections_are_dropped_in_time_while_others_are_served() {
    let header_read = Duration::from_millis(800);
    let server = start(timeouts(800, 60_000, 60_000), None).await;
    let mut half_open = Vec::new();
    for _ in 0..1_000 {
        // Before connecting: the server's clock for this connection cannot start earlier.
        let opened = Instant::now();
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        stream.write_all(b"GET /hea").await.unwrap();
        half_open.push((opened, Instant::now(), stream));
    }
    let asked = Instant::now();
    let status = tokio::time::timeout(HANG, get_health(server.addr))
        .await
        .unwrap();
    assert_eq!(status, 200);
    let served_in = asked.elapsed();
    let waits = half_open
        .into_iter()
        .map(|(opened, sent, mut stream)| async move {
            tokio::time::timeout(HANG, closed(&mut stream))
                .await
                .expect("a half-open connection was kept");
            (opened.elapsed(), sent.elapsed())
        });
    let held: Vec<(Duration, Duration)> = futures_join_all(waits).await;
    // At least the timeout since before the connection opened; at most a little more since its bytes were sent.
    let shortest = held.iter().map(|(since_open, _)| since_open).min().unwrap();
    let longest = held.iter().map(|(_, since_sent)| since_sent).max().unwrap();
    eprintln!(
        "1000 half-open: closed after {shortest:?}..{longest:?}; /health served in {served_in:?}"
    );
    assert!(
        served_in < header_read,
        "another client waited {served_in:?}"
    );
    assert!(
        *shortest >= header_read,
        "closed before the timeout: {shortest:?}"
    );
    assert!(
        *longest < header_read + Duration::from_secs(3),
        "held too long: {longest:?}"
    );
}

/// `join_all` without the futures crate: spawn each and collect in order.
async fn futures_join_all<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut outputs = Vec::with_capacity(handles.len());
    for handle in handles {
        outputs.push(handle.await.unwrap());
    }
    outputs
}

#[tokio::test]
async fn a_slow_body_is_answered_408_with_the_error_body_and_closed_in_time() {
    let request_timeout = Duration::from_millis(600);
    let server = start(timeouts(10_000, 600, 60_000), None).await;
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    let head = "POST /upload HTTP/1.1\r\nHost: sandbox\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n";
    slow.write_all(head.as_bytes()).await.unwrap();
    slow.write_all(b"only ten..").await.unwrap();
    let sent = Instant::now();
    assert_eq!(
        get_health(server.addr).await,
        200,
        "another client is served meanwhile"
    );
    let (status, body) = tokio::time::timeout(HANG, read_answer(&mut slow))
        .await
        .unwrap();
    let answered = sent.elapsed();
    eprintln!("slow body: 408 after {answered:?}");
    assert_eq!(status, 408);
    let body: dapi::ErrorBody<PartyCause> = serde_json::from_str(&body).unwrap();
    assert_eq!(body.error.code, "DAPI-408-TIMEOUT");
    assert!(answered >= request_timeout && answered < request_timeout + Duration::from_secs(2));
    tokio::time::timeout(HANG, closed(&mut slow))
        .await
        .expect("closed after the 408");
}

#[tokio::test]
async fn a_kept_alive_connection_is_closed_after_the_idle_timeout_not_the_header_one() {
    let idle = Duration::from_millis(400);
    let server = start(timeouts(10_000, 60_000, 400), None).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    for _ in 0..2 {
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: sandbox\r\n\r\n")
            .await
            .unwrap();
        assert_eq!(
            read_answer(&mut stream).await,
            (200, "ok".to_owned()),
            "kept alive"
        );
    }
    let answered = Instant::now();
    tokio::time::timeout(HANG, closed(&mut stream))
        .await
        .unwrap();
    let held = answered.elapsed();
    eprintln!("idle kept-alive connection closed after {held:?}");
    assert!(
        held >= idle && held < idle + Duration::from_secs(2),
        "{held:?}"
    );
}

fn local_ca(test: &str) -> tls::LocalCa {
    let dir = std::env::temp_dir().join(format!("server-kit-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    tls::LocalCa::load_or_create(&dir.join("ca.pem")).unwrap().0
}

async fn tls_client(
    addr: SocketAddr,
    ca: &tls::LocalCa,
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let trust = tls::Trust::only(vec![ca.certificate_der().clone()]);
    let connector =
        tokio_rustls::TlsConnector::from(std::sync::Arc::new(trust.client_config().unwrap()));
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    connector.connect(name, tcp).await.unwrap()
}

async fn get_over(stream: &mut (impl AsyncRead + AsyncWrite + Unpin)) -> (u16, String) {
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    read_answer(stream).await
}

#[tokio::test]
async fn https_is_served_and_a_plain_request_on_the_https_port_is_closed_cleanly() {
    let ca = local_ca("https");
    let names = tls::ServerNames::for_sandbox([127, 0, 0, 1].into(), None, &[]);
    let server_tls = ca.issue(&names).unwrap().server_tls().unwrap();
    let server = start(timeouts(2_000, 60_000, 60_000), Some(server_tls)).await;
    let mut secure = tls_client(server.addr, &ca).await;
    assert_eq!(get_over(&mut secure).await, (200, "ok".to_owned()));
    let mut plain = TcpStream::connect(server.addr).await.unwrap();
    plain
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(HANG, plain.read_to_end(&mut answer))
        .await
        .unwrap();
    assert!(
        read.is_ok() || answer.is_empty(),
        "closed, maybe after a TLS alert"
    );
    assert!(
        !answer.starts_with(b"HTTP/"),
        "no HTTP answer on the HTTPS port"
    );
    assert_eq!(
        get_over(&mut secure).await.0,
        200,
        "the server keeps serving"
    );
    assert_eq!(
        get_over(&mut tls_client(server.addr, &ca).await).await.0,
        200
    );
}

#[tokio::test]
async fn shutdown_cuts_off_a_request_still_running_after_the_drain_period() {
    let server = start(timeouts(10_000, 600_000, 60_000), None).await;
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(b"GET /slow HTTP/1.1\r\nHost: sandbox\r\n\r\n")
        .await
        .unwrap();
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: sandbox\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(read_answer(&mut idle).await.0, 200);
    let stopping = Instant::now();
    server.stop.send(()).unwrap();
    tokio::time::timeout(HANG, closed(&mut idle))
        .await
        .expect("the idle connection closes at once");
    let cut_off = tokio::time::timeout(HANG, server.served)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let stopped_in = stopping.elapsed();
    eprintln!("shutdown with a 600 s request in flight: {stopped_in:?}");
    assert_eq!(cut_off, 1);
    assert!(stopped_in >= Duration::from_millis(500) && stopped_in < Duration::from_secs(3));
    tokio::time::timeout(HANG, closed(&mut slow))
        .await
        .expect("the slow request's connection is closed");
}
