//! Micro-benchmarks of the protocol crate (`cargo bench -p bench`): the two HMAC signatures the gateway and the
//! Connecting Party server compute per sale, and the perform sale request decoded three ways (plain serde, with
//! field paths, with validation) so the cost of each layer shows.

use dapi::messages::perform::PerformSaleRequest;
use dapi::signature::{CheckSaleSigned, SaleSigned, sign, verify};
use dapi::{ControlKey, SANDBOX_CONTROL_KEY, Validate, Violations};
use divan::{Bencher, black_box};

fn main() {
    divan::main();
}

fn key() -> ControlKey {
    ControlKey::parse(SANDBOX_CONTROL_KEY).unwrap_or_else(|_| std::process::abort())
}

const SALE: SaleSigned<'static> = SaleSigned {
    access_token: "a3f1c2d4e5b60718293a4b5c6d7e8f90",
    serial_number: "SN-ANDROID-0001",
    endpoint_id: "1234",
    nonce: "7f3b9c1d2e4a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60",
    invoice_id: "INV-2024-000042",
    amount_centis: 1050,
    currency: "EUR",
};

const CHECK: CheckSaleSigned<'static> = CheckSaleSigned {
    serial_number: "SN-ANDROID-0001",
    nonce: "7f3b9c1d2e4a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60",
    endpoint_id: "1234",
    invoice_id: "INV-2024-000042",
    server_card_id: None,
};

/// Initiate sale `signature` (spec 4.2, TV-1): string to sign, HMAC-SHA1, hex.
#[divan::bench]
fn sale_signature(bencher: Bencher) {
    let key = key();
    bencher.bench_local(|| sign(&key, &black_box(SALE).string_to_sign()).to_string());
}

/// Check sale `checkSignature` (spec 4.2).
#[divan::bench]
fn check_signature(bencher: Bencher) {
    let key = key();
    bencher.bench_local(|| sign(&key, &black_box(CHECK).string_to_sign()).to_string());
}

/// The gateway's check of `session.signature` at perform sale: hex decode and constant-time compare.
#[divan::bench]
fn sale_signature_verify(bencher: Bencher) {
    let key = key();
    let text = SALE.string_to_sign();
    bencher.bench_local(|| {
        verify(
            &key,
            black_box(&text),
            black_box("2C692B7CBF744A6258EE6AE324A00797D6A2AE9A"),
        )
    });
}

/// `ControlKey::parse`: once per endpoint at start, shown for scale.
#[divan::bench]
fn control_key_parse() -> Option<ControlKey> {
    ControlKey::parse(black_box(SANDBOX_CONTROL_KEY)).ok()
}

/// JSON decoding alone: `serde_json::from_slice` into the typed request.
#[divan::bench]
fn perform_request_serde_json() -> Option<PerformSaleRequest> {
    serde_json::from_slice(black_box(bench::PERFORM_SAMPLE.as_bytes())).ok()
}

/// Decoding with field paths for errors (`dapi::validate::parse`, `serde_path_to_error`).
#[divan::bench]
fn perform_request_parse_with_paths() -> Option<PerformSaleRequest> {
    dapi::validate::parse(black_box(bench::PERFORM_SAMPLE.as_bytes())).ok()
}

/// What the gateway runs per perform sale: `dapi::decode` = parse with paths, then every spec rule.
#[divan::bench]
fn perform_request_decode_and_validate() -> Option<PerformSaleRequest> {
    dapi::decode(black_box(bench::PERFORM_SAMPLE.as_bytes())).ok()
}

/// The spec rules alone on an already decoded request (Luhn, lengths, one-of).
#[divan::bench]
fn perform_request_validate_only(bencher: Bencher) {
    let request: Option<PerformSaleRequest> =
        serde_json::from_slice(bench::PERFORM_SAMPLE.as_bytes()).ok();
    bencher.bench_local(|| {
        let mut violations = Violations::default();
        if let Some(request) = black_box(&request) {
            request.validate(&mut violations);
        }
        violations
    });
}
