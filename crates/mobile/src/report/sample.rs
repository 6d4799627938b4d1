//! Sample reports for the formats' tests, built the way a run builds them: step by step, then the outcome.
#![allow(clippy::panic, reason = "a test fails loudly")]

use dapi::{AuthStatus, CallbackStatus, SaleState};
use sandbox_api::ContractViolation;
use sandbox_api::Observer;

use crate::report::{PartyObservation, SaleOutcome, ScenarioReport, steps};

/// A step of a sample: what it is, its detail, and whether its message travelled.
type Logged = (dapi::Step, &'static str, bool);

const ACCESS_TOKEN: [Logged; 2] = [
    (
        steps::ACCESS_TOKEN_REQUEST,
        "POST /auth/request-access-token serialNumber SN-1",
        true,
    ),
    (steps::ACCESS_TOKEN_RESPONSE, "accessToken a3f1c2d4…", true),
];

const INITIATE: [Logged; 2] = [
    (
        steps::INITIATE_SALE_REQUEST,
        "POST /sale/initiate-sale amountCentis 1050 EUR",
        true,
    ),
    (
        steps::INITIATE_SALE_RESPONSE,
        "endpointId 1234, invoiceId INV-1",
        true,
    ),
];

const PERFORM: [Logged; 2] = [
    (
        steps::PERFORM_SALE_REQUEST,
        "POST /paynet/dapi/v1/sale/1234/INV-1 card 411111******1111",
        true,
    ),
    (
        steps::PERFORM_SALE_RESPONSE,
        "session.token 0b9f6a4e…",
        true,
    ),
];

const FINAL_STATUS_REQUEST: Logged = (
    steps::FINAL_STATUS_REQUEST,
    "POST /paynet/dapi/v1/sale/1234/INV-1/status (2 polls)",
    true,
);

const CHECK_SALE: Logged = (
    steps::CHECK_SALE,
    "party answered 1 check sale request",
    true,
);

/// The one sale of the samples.
const SALE: Option<usize> = Some(1);

/// Records `logged` as steps of `sale` (`None`: the consumer's authentication).
fn log(report: &mut ScenarioReport, sale: Option<usize>, logged: &[Logged]) {
    for &(at, detail, traveled) in logged {
        report.record_step(sale, at, detail.to_owned(), traveled);
    }
}

/// [`three_ds_approved`] after perform sale: the 3-D Secure page, the final status, the party's side.
const THREE_DS_APPROVED: [Logged; 11] = [
    (
        steps::SALE_STATUS_REQUEST,
        "POST /paynet/dapi/v1/sale/1234/INV-1/status (1 poll)",
        true,
    ),
    (
        steps::SALE_STATUS_RESPONSE,
        "state REDIRECT_REQUEST, redirectUrl http://127.0.0.1:8080/sim/3ds/0b9f",
        true,
    ),
    (steps::OPEN_BROWSER, "GET /sim/3ds/0b9f", true),
    (
        steps::ENTER_3DS_DATA,
        "password (4 characters), presses submit",
        true,
    ),
    (
        steps::THREE_DS_STATUS_UPDATE,
        "POST /sim/3ds/0b9f fields password, action",
        true,
    ),
    (
        steps::CLOSE_BROWSER_REQUEST,
        "/sim/3ds/0b9f/done: close marker found",
        true,
    ),
    FINAL_STATUS_REQUEST,
    (
        steps::FINAL_STATUS_RESPONSE,
        "state APPROVED, bankOrderId BNK-1, secure3DAuthStatus AUTHENTICATED",
        true,
    ),
    CHECK_SALE,
    (
        steps::CARD_MAPPING,
        "party mapped serverCardId 9876543 to clientCardId CC-1, BIN 411111",
        true,
    ),
    (
        steps::CALLBACK,
        "party received status approved, orderid 5021334, 1 delivery",
        true,
    ),
];

/// A passing 3-D Secure sale: steps 2–7, 11–17, 21–22, then 8, 19, 23 observed at the party.
pub(crate) fn three_ds_approved() -> ScenarioReport {
    let mut report =
        ScenarioReport::named("3-D Secure sale approved", "scenarios/03-3ds-approved.toml");
    log(&mut report, None, &ACCESS_TOKEN);
    log(
        &mut report,
        SALE,
        &[&INITIATE[..], &PERFORM, &THREE_DS_APPROVED].concat(),
    );
    report.sales.push(SaleOutcome {
        invoice_id: Some("INV-1".into()),
        state: Some(SaleState::Approved),
        secure_3d: Some(AuthStatus::Authenticated),
        redirect: true,
        party: PartyObservation::Seen,
        gateway: PartyObservation::Seen,
        callback: Some(CallbackStatus::Approved),
        client_card_id: Some("CC-1".into()),
        ..SaleOutcome::new(1)
    });
    report
}

/// [`wrong_check_signature`]'s misbehaviour set-up, between initiate and perform.
const MISBEHAVE: Logged = (
    steps::MISBEHAVE,
    "party: check=wrong-check-signature (POST /sim/sales/INV-1/misbehave)",
    true,
);

/// [`wrong_check_signature`] after perform sale: declined, the party's side without card mapping or callback.
const SIGNATURE_DECLINED: [Logged; 5] = [
    FINAL_STATUS_REQUEST,
    (
        steps::FINAL_STATUS_RESPONSE,
        "state DECLINED, bankOrderId BNK-1, errorCode 100, errorMessage \"check sale failed\"",
        true,
    ),
    CHECK_SALE,
    (steps::CARD_MAPPING, "party recorded none", false),
    (
        steps::CALLBACK,
        "party received none yet (not awaited)",
        false,
    ),
];

/// A failing sale: the party was made to sign check sale wrongly, the gateway saw it and declined, and
/// the scenario did not expect it. The party received no callback.
pub(crate) fn wrong_check_signature() -> ScenarioReport {
    let mut report = ScenarioReport::named(
        "wrong check signature",
        "scenarios/20-wrong-check-signature.toml",
    );
    log(&mut report, None, &ACCESS_TOKEN);
    log(
        &mut report,
        SALE,
        &[&INITIATE[..], &[MISBEHAVE], &PERFORM, &SIGNATURE_DECLINED].concat(),
    );
    let violation = ContractViolation::new(
        Observer::Gateway,
        dapi::steps::CHECK_SALE_RESPONSE,
        "session.checkSignature",
        "does not verify",
    );
    report.violation(SALE, violation.clone());
    report.fail(SALE, format!("unexpected contract violation: {violation}"));
    report.fail(SALE, "state: expected APPROVED, got DECLINED");
    report.sales.push(SaleOutcome {
        invoice_id: Some("INV-1".into()),
        state: Some(SaleState::Declined),
        error_code: Some(100),
        error_message: Some("check sale failed".into()),
        party: PartyObservation::Seen,
        gateway: PartyObservation::Seen,
        ..SaleOutcome::new(1)
    });
    report
}

/// [`verified_card`]'s verification: initiate and perform validation, the final status, the party's side.
const VERIFIED: [Logged; 9] = [
    (
        steps::INITIATE_VERIFICATION_REQUEST,
        "POST /verification/initiate-verification USD",
        true,
    ),
    (
        steps::INITIATE_VERIFICATION_RESPONSE,
        "endpointId 1234, invoiceId VER-1",
        true,
    ),
    (
        steps::PERFORM_VALIDATION_REQUEST,
        "POST /paynet/dapi/v1/verification/1234/VER-1 card 411111******1111",
        true,
    ),
    (
        steps::PERFORM_VALIDATION_RESPONSE,
        "session.token 5c7e2a90…",
        true,
    ),
    (
        steps::FINAL_VERIFICATION_STATUS_REQUEST,
        "POST /paynet/dapi/v1/verification/1234/VER-1/status (1 poll)",
        true,
    ),
    (
        steps::FINAL_VERIFICATION_STATUS_RESPONSE,
        "state APPROVED, bankOrderId BNK-1, secure3DAuthStatus AUTHENTICATED",
        true,
    ),
    (
        steps::CHECK_VERIFICATION,
        "party answered 1 check verification request",
        true,
    ),
    (
        steps::VERIFICATION_CARD_MAPPING,
        "party mapped serverCardId 9876543 to clientCardId CC-1, BIN 411111",
        true,
    ),
    (
        steps::CALLBACK,
        "party received status approved, orderid 5021334, 1 delivery",
        true,
    ),
];

/// A verification then a sale by its card, whose card reference comes first.
const BY_VERIFIED_CARD: [Logged; 2] = [
    (
        steps::CARD_REFERENCE_REQUEST,
        "POST /verification/VER-1/client-card-id (card of verification 1)",
        true,
    ),
    (steps::CARD_REFERENCE_RESPONSE, "clientCardId CC-1", true),
];

/// A passing scenario of a card verification (position 1) and a sale by the card it mapped (position 2),
/// made from a scenario file so that the report names them `verification 1` and `sale 1`.
pub(crate) fn verified_card() -> ScenarioReport {
    let text = "[consumer]\nserial_number = \"SN-1\"\nemail = \"a@b.c\"\n\
        [[verification]]\ncurrency = \"USD\"\n\
        card = { number = \"4111111111111111\", security_code = \"123\", expiry_month = 1, expiry_year = 2030 }\n\
        expect = { state = \"APPROVED\", card_mapping = true }\n\
        [[sale]]\namount_centis = 100\ncurrency = \"USD\"\ncard_reference = { from_verification = 1, security_code = \"123\" }\n\
        expect = { state = \"APPROVED\" }\n";
    let file = std::path::Path::new("scenarios/40-verification-then-sale-by-reference.toml");
    let scenario = scenario::parse(text, file).unwrap_or_else(|error| panic!("{error}"));
    let mut report = ScenarioReport::new(&scenario);
    log(&mut report, None, &ACCESS_TOKEN);
    log(&mut report, SALE, &VERIFIED);
    log(
        &mut report,
        Some(2),
        &[&BY_VERIFIED_CARD[..], &INITIATE, &PERFORM].concat(),
    );
    report.sales.push(SaleOutcome {
        flow: dapi::Flow::Verification,
        invoice_id: Some("VER-1".into()),
        state: Some(SaleState::Approved),
        party: PartyObservation::Seen,
        client_card_id: Some("CC-1".into()),
        ..SaleOutcome::new(1)
    });
    report.sales.push(SaleOutcome {
        invoice_id: Some("INV-1".into()),
        state: Some(SaleState::Approved),
        ..SaleOutcome::new(2)
    });
    report
}
