//! One sample of every message of the card verification (addendum §2), as JSON: the addendum's own examples
//! (its set B: key `8C1D2E3F-…`, endpoint `5678`, invoice `VER-2024-000107`, signatures VTV-4…VTV-6), and the
//! repeat sale by the verified card of its §4 (VTV-7, VTV-8).

use super::{Sample, sample};
use serde_json::{Value, json};

/// The access token of set B (64 characters).
const ACCESS_TOKEN: &str = "Zq7Rt2Wv9Xy4Ab6Cd8Ef0Gh1Ij3Kl5Mn7Op9Qr2St4Uv6Wx8Yz0AaBbCcDdEeFfG";
const SERIAL_NUMBER: &str = "SN-IOS-0042";
const NONCE: &str = "Nq4Lm8Pz2Rx6Tv0Wb3Yd7Fh1Jk5Ns9Qc";
/// The verification of every sample (addendum §2).
pub const INVOICE_ID: &str = "VER-2024-000107";
/// VTV-4: `signature` of the initiate verification.
const SIGNATURE: &str = "9435DB3B3B091721D5FD861E5FDBB192CD589EFD";
/// The gateway session token of every sample.
pub const TOKEN: &str = "5c7e2a90-1b3d-4f6a-9e8c-7d6b5a4f3e2d";
const EMAIL: &str = "jane.doe@example.com";
const CLIENT_CARD_ID: &str = "cc_0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";

fn session() -> Value {
    json!({"accessToken":ACCESS_TOKEN,"nonce":NONCE,"signature":SIGNATURE})
}

/// Initiate verification request (addendum §2.2 example).
pub fn initiate_request() -> Sample {
    let body = json!({"consumer":{"device":{"serialNumber":SERIAL_NUMBER},"ipAddresses":["10.0.0.9"]},
        "session":{"accessToken":ACCESS_TOKEN},"transaction":{"currency":"USD"}});
    sample(
        "addendum",
        "The example of addendum §2.2: a currency, no amount",
        body,
    )
}

/// Initiate verification response (addendum §2.2 example, signed as VTV-4).
pub fn initiate_response() -> Sample {
    let body = json!({"endpointId":"5678","invoiceId":INVOICE_ID,
        "session":{"nonce":NONCE,"signature":SIGNATURE}});
    sample(
        "addendum",
        "The example of addendum §2.2, signed as VTV-4",
        body,
    )
}

/// Perform validation request (addendum §2.3 example: CVV 321, the 3-D Secure page follows).
pub fn perform_validation_request() -> Sample {
    let body = json!({"consumer":{"device":{"serialNumber":SERIAL_NUMBER},"email":EMAIL},
        "session":session(),
        "sourceCard":{"number":"4111111111111111","securityCode":"321","expiry":{"month":12,"year":2030},
            "holder":{"firstName":"Jane","lastName":"Doe"}},
        "transaction":{"currency":"USD"}});
    sample(
        "addendum",
        "The example of addendum §2.3: the card as sourceCard, the e-mail required",
        body,
    )
}

/// Perform validation response (addendum V2).
pub fn perform_validation_response() -> Sample {
    let body = json!({"invoiceId":INVOICE_ID,"session":{"token":TOKEN}});
    sample("session-token", "The verification's session token", body)
}

/// Check verification request (addendum §2.4 example).
pub fn check_request() -> Sample {
    let mut session = session();
    session["token"] = json!(TOKEN);
    let body = json!({"consumer":{"device":{"serialNumber":SERIAL_NUMBER}},"session":session});
    sample(
        "addendum",
        "The example of addendum §2.4: consumer and session only",
        body,
    )
}

/// Check verification response (addendum §2.4 example, signed as VTV-5).
pub fn check_response() -> Sample {
    let body = json!({"invoiceId":INVOICE_ID,
        "session":{"checkSignature":"4B337C88ED3BCA0ABDB030CDB112E3443D70F9AD","nonce":NONCE,"token":TOKEN},
        "consumer":{"email":EMAIL},"transaction":{"currency":"USD"}});
    sample(
        "addendum",
        "The example of addendum §2.4, signed as VTV-5",
        body,
    )
}

/// Verification status request (addendum §2.5).
pub fn status_request() -> Sample {
    let body = json!({"session":{"accessToken":ACCESS_TOKEN,"token":TOKEN}});
    sample(
        "poll",
        "A poll with the access token and the verification's token",
        body,
    )
}

/// Verification status responses (addendum §2.5 examples): no `orderId`, no `transaction`.
pub fn status_responses() -> Vec<Sample> {
    vec![
        sample(
            "redirect-request",
            "Not final: open redirectUrl, the 3-D Secure page",
            json!({"invoiceId":INVOICE_ID,"session":{"token":TOKEN},"state":"REDIRECT_REQUEST",
                "redirectUrl":format!("http://127.0.0.1:8080/sim/3ds/{TOKEN}")}),
        ),
        sample(
            "approved",
            "Final: the card is verified",
            json!({"invoiceId":INVOICE_ID,"session":{"token":TOKEN},"state":"APPROVED",
                "bankOrderId":"BNK-7741-0098901","secure3DAuthStatus":"AUTHENTICATED"}),
        ),
    ]
}

/// Verification card mapping notification (addendum §2.7 example: the reference at top level).
pub fn card_mapping_notification() -> Sample {
    let body = json!({"consumer":{"device":{"serialNumber":SERIAL_NUMBER}},
        "reference":{"serverCardId":"9876544","uniqueReferenceCardId":1_999_300_904_542_682_277_u64},
        "session":{"accessToken":ACCESS_TOKEN,"token":TOKEN},"sourceCard":{"bin":411_111}});
    sample("addendum", "The example of addendum §2.7", body)
}

/// Verification card mapping notification response (addendum §2.7 example, signed as VTV-6).
pub fn card_mapping_response() -> Sample {
    let body = json!({"invoiceId":INVOICE_ID,
        "session":{"checkSignature":"C2D1AE3D747E1D4C365A673B3AE885D4C5F7C188","nonce":NONCE,"token":TOKEN}});
    sample(
        "addendum",
        "The example of addendum §2.7, signed as VTV-6",
        body,
    )
}

/// The verification's callback query (addendum §2.8 example, `control` as VTV-9), without the `?`.
pub const CALLBACK_QUERY: &str = "status=approved&merchant_order=VER-2024-000107&client_orderid=VER-2024-000107\
    &orderid=5021401&type=account-verification&amount=0.00&currency=USD&control=a2b0e43d661c9f0423163d2ee5440fcd9e888ff8";

/// `POST {cp}/verification/{invoiceId}/client-card-id` request (addendum V17).
pub fn client_card_id_request() -> Sample {
    let body = json!({"session":{"accessToken":ACCESS_TOKEN}});
    sample(
        "access-token",
        "The access token that made the verification",
        body,
    )
}

/// Client card id response of a verification (addendum V17).
pub fn client_card_id_response() -> Sample {
    let body = json!({"invoiceId":INVOICE_ID,"clientCardId":CLIENT_CARD_ID});
    sample(
        "client-card-id",
        "The alias of the card the verification mapped",
        body,
    )
}

/// Perform sale by the verified card (addendum §4 example: the nonce and signature of VTV-7).
pub fn perform_sale_by_verified_card() -> Sample {
    let body = json!({"consumer":{"device":{"serialNumber":SERIAL_NUMBER},"email":EMAIL},
        "session":{"accessToken":ACCESS_TOKEN,"nonce":"Hs3Kd9Lp1Qw5Er7Ty2Ui4Op6As8Df0Gj",
            "signature":"2F497C041981E3D5AF6BB50F19453F1D5E5FD85B"},
        "sourceOfFunds":{"reference":{"clientCardId":CLIENT_CARD_ID,"securityCode":"123"}},
        "transaction":{"amountCentis":2500,"currency":"USD"}});
    sample(
        "verified-card",
        "A sale by the card a verification mapped (addendum §4), signed as VTV-7",
        body,
    )
}

/// Check sale answer for a sale by the verified card (addendum §4 example, signed as VTV-8).
pub fn check_sale_by_verified_card() -> Sample {
    let body = json!({"invoiceId":"INV-2024-000043","session":{"checkSignature":"642838FDDCC08F504FB053BD8F269B89C38BDE1C",
        "nonce":"Hs3Kd9Lp1Qw5Er7Ty2Ui4Op6As8Df0Gj","token":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"},
        "consumer":{"email":EMAIL},"sourceOfFunds":{"reference":{"serverCardId":"9876544"}}});
    sample(
        "verified-card",
        "A sale by a verified card: its serverCardId and e-mail (addendum §4), signed as VTV-8",
        body,
    )
}

/// Every sample above.
pub fn all() -> Vec<Sample> {
    let mut all = vec![
        initiate_request(),
        initiate_response(),
        perform_validation_request(),
        perform_validation_response(),
        check_request(),
        check_response(),
        status_request(),
        card_mapping_notification(),
        card_mapping_response(),
        client_card_id_request(),
        client_card_id_response(),
        perform_sale_by_verified_card(),
        check_sale_by_verified_card(),
    ];
    all.extend(status_responses());
    all
}
