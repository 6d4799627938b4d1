//! `party::serve` on a real socket (port 0): answers, then stops when the shutdown future resolves.

use party::{AppState, Config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

#[tokio::test]
async fn serve_answers_on_the_socket_and_stops_on_shutdown() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let state = AppState::new(Config::sandbox());
    let server = tokio::spawn(party::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    let mut stream = TcpStream::connect(address).await.unwrap();
    let request = "GET /sim/sales/INV-unknown HTTP/1.1\r\nHost: party\r\nConnection: close\r\n\r\n";
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    assert!(answer.contains("\"cause\":\"INVALID_REQUEST\""), "{answer}");
    stop.send(()).unwrap();
    let finished = tokio::time::timeout(std::time::Duration::from_secs(10), server).await;
    finished
        .expect("serve returns after shutdown")
        .unwrap()
        .unwrap();
}
