//! Sample reports for the output tests, built the way a run builds them.

use dapi::steps;
use dapi::{AuthStatus, CallbackStatus, SaleState};
use sandbox_api::ContractViolation;
use sandbox_api::Observer;

use crate::report::{self, PartyObservation, SaleOutcome, ScenarioReport};

fn access_token(report: &mut ScenarioReport) {
    let detail = "POST /auth/request-access-token serialNumber SN-1";
    report.step(None, report::REQUEST_ACCESS_TOKEN, detail);
    report.step(None, report::RESPONSE_ACCESS_TOKEN, "accessToken a3f1c2d4…");
}

fn initiate_and_perform(report: &mut ScenarioReport) {
    let sale = Some(1);
    let initiate = "POST /sale/initiate-sale amountCentis 1050 EUR";
    report.step(sale, report::INITIATE_REQUEST, initiate);
    report.step(
        sale,
        report::INITIATE_RESPONSE,
        "endpointId 1234, invoiceId INV-1",
    );
    let perform = "POST /paynet/dapi/v1/sale/1234/INV-1 card 411111******1111";
    report.step(sale, report::PERFORM_REQUEST, perform);
    report.step(sale, report::PERFORM_RESPONSE, "session.token 0b9f6a4e…");
}

/// A passing 3-D Secure sale: steps 2–7, 11–17, 21–22, then 8, 19, 23 observed at the party.
pub(crate) fn three_ds_approved() -> ScenarioReport {
    let mut report =
        ScenarioReport::named("3-D Secure sale approved", "scenarios/03-3ds-approved.toml");
    access_token(&mut report);
    initiate_and_perform(&mut report);
    let sale = Some(1);
    let status = "POST /paynet/dapi/v1/sale/1234/INV-1/status (1 poll)";
    report.step(sale, report::STATUS_REQUEST, status);
    let redirect = "state REDIRECT_REQUEST, redirectUrl http://127.0.0.1:8080/sim/3ds/0b9f";
    report.step(sale, report::STATUS_RESPONSE, redirect);
    report.step(sale, report::OPEN_BROWSER, "GET /sim/3ds/0b9f");
    report.step(
        sale,
        report::ENTER_3DS_DATA,
        "password (4 characters), presses submit",
    );
    report.step(
        sale,
        report::THREE_DS_UPDATE,
        "POST /sim/3ds/0b9f fields password, action",
    );
    report.step(
        sale,
        report::CLOSE_BROWSER,
        "/sim/3ds/0b9f/done: close marker found",
    );
    report.step(
        sale,
        report::FINAL_STATUS_REQUEST,
        "POST /paynet/dapi/v1/sale/1234/INV-1/status (2 polls)",
    );
    let approved = "state APPROVED, bankOrderId BNK-1, secure3DAuthStatus AUTHENTICATED";
    report.step(sale, report::FINAL_STATUS_RESPONSE, approved);
    report.step(
        sale,
        report::CHECK_SALE,
        "party answered 1 check sale request",
    );
    let mapping = "party mapped serverCardId 9876543 to clientCardId CC-1, BIN 411111";
    report.step(sale, report::CARD_MAPPING, mapping);
    report.step(
        sale,
        report::CALLBACK,
        "party received status approved, orderid 5021334, 1 delivery",
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

/// A failing sale: the party was made to sign check sale wrongly, the gateway saw it and declined, and
/// the scenario did not expect it. The party received no callback.
pub(crate) fn wrong_check_signature() -> ScenarioReport {
    let mut report = ScenarioReport::named(
        "wrong check signature",
        "scenarios/20-wrong-check-signature.toml",
    );
    access_token(&mut report);
    let sale = Some(1);
    report.step(
        sale,
        report::INITIATE_REQUEST,
        "POST /sale/initiate-sale amountCentis 1050 EUR",
    );
    report.step(
        sale,
        report::INITIATE_RESPONSE,
        "endpointId 1234, invoiceId INV-1",
    );
    let misbehave = "party: check=wrong-check-signature (POST /sim/sales/INV-1/misbehave)";
    report.step(sale, report::MISBEHAVE, misbehave);
    let perform = "POST /paynet/dapi/v1/sale/1234/INV-1 card 411111******1111";
    report.step(sale, report::PERFORM_REQUEST, perform);
    report.step(sale, report::PERFORM_RESPONSE, "session.token 0b9f6a4e…");
    report.step(
        sale,
        report::FINAL_STATUS_REQUEST,
        "POST /paynet/dapi/v1/sale/1234/INV-1/status (2 polls)",
    );
    let declined =
        "state DECLINED, bankOrderId BNK-1, errorCode 100, errorMessage \"check sale failed\"";
    report.step(sale, report::FINAL_STATUS_RESPONSE, declined);
    report.step(
        sale,
        report::CHECK_SALE,
        "party answered 1 check sale request",
    );
    report.unseen_step(sale, report::CARD_MAPPING, "party recorded none");
    report.unseen_step(
        sale,
        report::CALLBACK,
        "party received none yet (not awaited)",
    );
    let violation = ContractViolation::new(
        Observer::Gateway,
        steps::CHECK_SALE_RESPONSE,
        "session.checkSignature",
        "does not verify",
    );
    report.violation(sale, violation.clone());
    report.fail(sale, format!("unexpected contract violation: {violation}"));
    report.fail(sale, "state: expected APPROVED, got DECLINED");
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
