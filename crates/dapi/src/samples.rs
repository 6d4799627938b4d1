//! One sample of every message of the sale flow (spec section 3), as JSON: the spec's own examples where it has
//! them (3.2, 3.5 and the full messages of 4.3), and made-up ones consistent with its test vectors where it has
//! none (the same key, access token, nonce, invoice id and session token; signatures that verify).
//!
//! They are the round-trip fixtures of this crate's tests and the examples of the published API descriptions,
//! so both always show the same messages.

pub mod verification;

use serde_json::{Value, json};

/// One message as sent on the wire.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// A short stable name, e.g. `repeat-sale` (an example's key in an API description).
    pub name: &'static str,
    /// One line saying what the sample shows and where it comes from.
    pub summary: &'static str,
    /// The JSON body.
    pub value: Value,
}

const ACCESS_TOKEN: &str = "a3f1c2d4e5b60718293a4b5c6d7e8f90";
const SERIAL_NUMBER: &str = "SN-ANDROID-0001";
const NONCE: &str = "7f3b9c1d2e4a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60";
/// The invoice id of every sample (spec 4.3).
pub const INVOICE_ID: &str = "INV-2024-000042";
/// TV-1: `signature` of the initiate sale with the values above.
const SIGNATURE: &str = "2C692B7CBF744A6258EE6AE324A00797D6A2AE9A";
/// The gateway session token of every sample.
pub const TOKEN: &str = "0b9f6a4e-3c2d-4e1f-8a7b-6c5d4e3f2a1b";
const CLIENT_CARD_ID: &str = "cc_5f0c1e2a8b3d4c6e9f1a2b3c4d5e6f70";

pub(crate) fn sample(name: &'static str, summary: &'static str, value: Value) -> Sample {
    Sample {
        name,
        summary,
        value,
    }
}

/// `POST {cp}/auth/request-access-token` body (spec 3.1 decision).
pub fn access_token_request() -> Sample {
    let body =
        json!({"consumer":{"device":{"serialNumber":SERIAL_NUMBER},"email":"jane@example.com"}});
    sample(
        "device-and-email",
        "The device and, optionally, the consumer's e-mail",
        body,
    )
}

/// Access token response (spec 3.1).
pub fn access_token_response() -> Sample {
    let body = json!({"session":{"accessToken":ACCESS_TOKEN}});
    sample("access-token", "The token of spec 4.3's test vectors", body)
}

/// Initiate sale request (spec 3.2 example).
pub fn initiate_sale_request() -> Sample {
    let body = json!({"consumer":{"device":{"serialNumber":SERIAL_NUMBER,"imei":"356938035643809"},"ipAddresses":["10.0.0.7"]},
        "location":{"lat":52.52,"lng":13.405},
        "session":{"accessToken":ACCESS_TOKEN},
        "transaction":{"amountCentis":1050,"currency":"EUR"}});
    sample("spec", "The example of spec 3.2", body)
}

/// Initiate sale response (spec 3.2 example, signed as TV-1).
pub fn initiate_sale_response() -> Sample {
    let body = json!({"endpointId":"1234","invoiceId":INVOICE_ID,
        "session":{"nonce":NONCE,"signature":SIGNATURE}});
    sample("spec", "The example of spec 3.2, signed as TV-1", body)
}

/// Perform sale request with full card data (a first sale).
pub fn perform_sale_request() -> Sample {
    let body = json!({"consumer":{"device":{"serialNumber":SERIAL_NUMBER},"email":"jane@example.com"},
        "session":{"accessToken":ACCESS_TOKEN,"nonce":NONCE,"signature":SIGNATURE},
        "sourceOfFunds":{"card":{"number":"4111111111111111","securityCode":"321","expiry":{"month":12,"year":2030},
            "holder":{"printedName":"JANE DOE"}}},
        "transaction":{"amountCentis":1050,"currency":"EUR"}});
    sample(
        "card",
        "A first sale with card data; CVV 321 asks for 3-D Secure in the sandbox",
        body,
    )
}

/// Perform sale request with every optional field the spec lists (spec 3.3), made up.
pub fn perform_sale_full_request() -> Sample {
    let body = json!({"consumer":{"device":{"serialNumber":SERIAL_NUMBER,"imei":"356938035643809"},
            "email":"jane@example.com","birthDay":"17051990","ipAddresses":["10.0.0.7","192.168.100.200"]},
        "session":{"accessToken":ACCESS_TOKEN,"nonce":NONCE,"signature":SIGNATURE},
        "sourceOfFunds":{"card":{"number":"4111111111111111","securityCode":"123","expiry":{"month":1,"year":2031},
            "holder":{"firstName":"JANE","lastName":"DOE","printedName":"JANE DOE"}}},
        "transaction":{"amountCentis":1050,"currency":"EUR"},
        "location":{"lat":52.52,"lng":13.405},
        "billing":{"address":{"city":"Berlin","country":"DEU","postcodeZip":"10115","state":"BE",
            "street":"Invalidenstrasse 1","street2":"Hinterhaus"},"phone":"+4930123456"},
        "order":{"description":"Two coffees","siteUrl":"https://shop.example.com","purpose":"Breakfast"}});
    sample(
        "every-field",
        "A first sale with every optional field",
        body,
    )
}

/// Perform sale request with a card reference (a repeat sale, spec 2.2): no card data.
pub fn perform_sale_repeat_request() -> Sample {
    let body = json!({"consumer":{"device":{"serialNumber":SERIAL_NUMBER},"email":"jane@example.com"},
        "session":{"accessToken":ACCESS_TOKEN,"nonce":NONCE,"signature":SIGNATURE},
        "sourceOfFunds":{"reference":{"clientCardId":CLIENT_CARD_ID,"securityCode":"123"}},
        "transaction":{"amountCentis":1050,"currency":"EUR"}});
    sample(
        "card-reference",
        "A repeat sale with a card reference (spec 2.2)",
        body,
    )
}

/// Perform sale response (spec 3.3).
pub fn perform_sale_response() -> Sample {
    let body = json!({"invoiceId":INVOICE_ID,"session":{"token":TOKEN}});
    sample("token", "The sale's gateway session token", body)
}

/// Check sale request (spec 4.3 example): a first sale.
pub fn check_sale_request() -> Sample {
    let body = json!({"consumer":{"device":{"serialNumber":SERIAL_NUMBER}},
        "session":{"accessToken":ACCESS_TOKEN,"nonce":NONCE,"signature":SIGNATURE,"token":TOKEN}});
    sample("spec", "The example of spec 4.3: a first sale", body)
}

/// Check sale response (spec 4.3 example, signed as TV-2).
pub fn check_sale_response() -> Sample {
    let body = json!({"invoiceId":INVOICE_ID,
        "session":{"checkSignature":"A2D29630F32ECD84F35A1F6032DE4BA35E170788","nonce":NONCE,"token":TOKEN},
        "transaction":{"currency":"EUR"}});
    sample("spec", "The example of spec 4.3, signed as TV-2", body)
}

/// Check sale request of a repeat sale: the app's `clientCardId` is forwarded.
pub fn check_sale_repeat_request() -> Sample {
    let body = json!({"consumer":{"device":{"serialNumber":SERIAL_NUMBER}},
        "session":{"accessToken":ACCESS_TOKEN,"nonce":NONCE,"signature":SIGNATURE,"token":TOKEN},
        "sourceOfFunds":{"reference":{"clientCardId":CLIENT_CARD_ID}}});
    sample(
        "card-reference",
        "A repeat sale: the card reference the app used",
        body,
    )
}

/// Check sale response of a repeat sale: the mapped `serverCardId`, signed with it as TV-3.
pub fn check_sale_repeat_response() -> Sample {
    let body = json!({"invoiceId":INVOICE_ID,
        "session":{"checkSignature":"FDA9EF534B634C679A037320CB07E0C177A44DB5","nonce":NONCE,"token":TOKEN},
        "consumer":{"email":"jane@example.com"},
        "sourceOfFunds":{"reference":{"serverCardId":"9876543"}},
        "transaction":{"currency":"EUR"}});
    sample(
        "server-card-id",
        "A repeat sale: the mapped serverCardId, signed as TV-3",
        body,
    )
}

/// Sale status request (spec 3.5).
pub fn sale_status_request() -> Sample {
    let body = json!({"session":{"accessToken":ACCESS_TOKEN,"token":TOKEN}});
    sample(
        "poll",
        "A poll with the access token and the sale's token",
        body,
    )
}

/// Sale status responses (spec 3.5): one per state, the final `APPROVED` one the spec's example.
pub fn sale_status_responses() -> Vec<Sample> {
    vec![
        sample(
            "processing",
            "Not final: keep polling",
            json!({"invoiceId":INVOICE_ID,"session":{"token":TOKEN},"state":"PROCESSING","orderId":"5021334"}),
        ),
        sample(
            "redirect-request",
            "Not final: open redirectUrl, the 3-D Secure page, and keep polling",
            json!({"invoiceId":INVOICE_ID,"session":{"token":TOKEN},"state":"REDIRECT_REQUEST","orderId":"5021334",
                "redirectUrl":format!("http://127.0.0.1:8080/sim/3ds/{TOKEN}")}),
        ),
        sample(
            "approved",
            "Final: the example of spec 3.5",
            json!({"invoiceId":INVOICE_ID,"session":{"token":TOKEN},
                "state":"APPROVED","orderId":"5021334","bankOrderId":"BNK-7741-0098812",
                "transaction":{"amountCentis":1050,"commissionCentis":0,"currency":"EUR",
                    "orderCreatedDate":"2024-05-17 14:03:20.102+0000","transactionCreatedDate":"2024-05-17 14:03:22.481+0000"},
                "secure3DAuthStatus":"AUTHENTICATED"}),
        ),
        sample(
            "declined",
            "Final: declined by the issuer (CVV 116 in the sandbox)",
            json!({"invoiceId":INVOICE_ID,"session":{"token":TOKEN},"state":"DECLINED","orderId":"5021334",
                "bankOrderId":"BNK-5021334","errorCode":116,"errorMessage":"Not sufficient funds"}),
        ),
    ]
}

/// Sale card mapping notification request (spec 4.3 example).
pub fn card_mapping_notification() -> Sample {
    let body = json!({"consumer":{"device":{"serialNumber":SERIAL_NUMBER}},
        "session":{"accessToken":ACCESS_TOKEN,"token":TOKEN},
        "sourceCard":{"bin":411_111,"reference":{"serverCardId":"9876543","uniqueReferenceCardId":7_340_041_183_u64}}});
    sample("spec", "The example of spec 4.3", body)
}

/// Sale card mapping notification response (spec 4.3 example, signed as TV-4).
pub fn card_mapping_response() -> Sample {
    let body = json!({"invoiceId":INVOICE_ID,
        "session":{"checkSignature":"786445D2FF085D0443E3E52FE8556A8B95B071F8","nonce":NONCE,"token":TOKEN}});
    sample("spec", "The example of spec 4.3, signed as TV-4", body)
}

/// The final-status callback's query (spec 4.3 example, `control` as TV-5), without the `?`.
pub const CALLBACK_QUERY: &str = "status=approved&merchant_order=INV-2024-000042&client_orderid=INV-2024-000042\
    &orderid=5021334&type=sale&amount=10.50&currency=EUR&control=07f460e264201b0f496f588058b1ee4f28fa16ad";

/// `POST {cp}/sale/{invoiceId}/client-card-id` request (spec A24).
pub fn client_card_id_request() -> Sample {
    let body = json!({"session":{"accessToken":ACCESS_TOKEN}});
    sample("access-token", "The access token that made the sale", body)
}

/// Client card id response (spec A24).
pub fn client_card_id_response() -> Sample {
    let body = json!({"invoiceId":INVOICE_ID,"clientCardId":CLIENT_CARD_ID});
    sample(
        "client-card-id",
        "The alias of the card the sale mapped",
        body,
    )
}

/// A Connecting Party's error answer (spec 3.2 fail response): check sale refused for a wrong nonce.
pub fn party_error() -> Sample {
    let body = json!({"error":{"cause":"INVALID_REQUEST","code":"DAPI-403-NONCE",
        "message":"nonce does not match the one issued at initiate sale"},"invoiceId":INVOICE_ID});
    sample(
        "refused",
        "A request refused, with the sale it is about",
        body,
    )
}

/// The gateway's perform sale error answer (spec 3.3 fail response).
pub fn perform_sale_error() -> Sample {
    let body = json!({"error":{"cause":"INVALID_REQUEST","code":"DAPI-400-SIGNATURE","message":"signature mismatch"},
        "invoiceId":INVOICE_ID});
    sample(
        "signature-mismatch",
        "session.signature does not verify",
        body,
    )
}

/// The gateway's sale status error answer (spec 3.5 decision, A7).
pub fn sale_status_error() -> Sample {
    let body = json!({"error":{"cause":"ORDER_NOT_FOUND","code":"DAPI-400-ORDER","message":"order not found"},
        "invoiceId":INVOICE_ID});
    sample(
        "order-not-found",
        "No sale with this invoice id on this endpoint",
        body,
    )
}

/// Every JSON sample above and the verification's ([`verification::all`]), for checks that each one is shown
/// somewhere.
pub fn all() -> Vec<Sample> {
    let mut all = vec![
        access_token_request(),
        access_token_response(),
        initiate_sale_request(),
        initiate_sale_response(),
        perform_sale_request(),
        perform_sale_full_request(),
        perform_sale_repeat_request(),
        perform_sale_response(),
        check_sale_request(),
        check_sale_response(),
        check_sale_repeat_request(),
        check_sale_repeat_response(),
        sale_status_request(),
        card_mapping_notification(),
        card_mapping_response(),
        client_card_id_request(),
        client_card_id_response(),
        party_error(),
        perform_sale_error(),
        sale_status_error(),
    ];
    all.extend(sale_status_responses());
    all.extend(verification::all());
    all
}
