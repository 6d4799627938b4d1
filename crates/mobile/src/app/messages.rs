//! The app's messages built from the scenario (spec 3.1–3.3; a verification's, addendum §2.2–2.3), and the
//! masked labels the step log shows for the source of funds.

use dapi::messages::common::TransactionCurrency;
use dapi::messages::common::{AccessSession, Amount, Device};
use dapi::messages::initiate::{
    AccessTokenRequest, AuthConsumer, ClientCardIdRequest, InitiateConsumer, InitiateSaleRequest,
    NonceSignature,
};
use dapi::messages::perform::{
    Card, CardReference, Expiry, Holder, PerformConsumer, PerformSaleRequest, SignedSession,
    SourceOfFunds,
};
use dapi::messages::verification::initiate::InitiateVerificationRequest;
use dapi::messages::verification::validation::{PerformValidationRequest, ValidationConsumer};
use dapi::{AccessToken, ClientCardId, Email, SerialNumber};
#[cfg(test)]
use scenario::Source;
use scenario::{Sale, Scenario};

/// Steps 2–3 (spec 3.1 decision) for the device `serial`: the consumer's own, or another on purpose; with the
/// consumer's e-mail when the scenario has one.
pub(crate) fn access_token_request(
    scenario: &Scenario,
    serial: &SerialNumber,
) -> AccessTokenRequest {
    AccessTokenRequest {
        consumer: AuthConsumer {
            device: Device::new(serial.clone()),
            email: scenario.consumer.email.as_deref().map(Email::from),
        },
    }
}

/// Spec A24: the app asks for the card reference of an earlier sale.
pub(crate) fn client_card_id_request(access_token: &AccessToken) -> ClientCardIdRequest {
    ClientCardIdRequest {
        session: AccessSession {
            access_token: access_token.clone(),
        },
    }
}

/// Steps 4–5 (spec 3.2).
pub(crate) fn initiate_request(
    scenario: &Scenario,
    sale: &Sale,
    access_token: &AccessToken,
) -> InitiateSaleRequest {
    InitiateSaleRequest {
        consumer: InitiateConsumer {
            device: device(scenario),
            ip_addresses: None,
        },
        session: AccessSession {
            access_token: access_token.clone(),
        },
        transaction: amount(sale),
        location: None,
    }
}

/// Steps 6–7 (spec 3.3): the consumer's e-mail is the sale's own or the consumer's (`email_for`).
pub(crate) fn perform_request(
    scenario: &Scenario,
    sale: &Sale,
    access_token: &AccessToken,
    session: NonceSignature,
    source_of_funds: SourceOfFunds,
) -> PerformSaleRequest {
    PerformSaleRequest {
        consumer: PerformConsumer {
            device: device(scenario),
            email: scenario.email_for(sale).map(Email::from),
            birth_day: None,
            ip_addresses: None,
        },
        session: SignedSession {
            access_token: access_token.clone(),
            nonce: session.nonce,
            signature: session.signature,
        },
        source_of_funds,
        transaction: amount(sale),
        location: None,
        billing: None,
        order: None,
    }
}

/// Verification steps 4–5 (addendum §2.2): initiate sale's without an amount.
pub(crate) fn initiate_verification_request(
    scenario: &Scenario,
    sale: &Sale,
    access_token: &AccessToken,
) -> InitiateVerificationRequest {
    InitiateVerificationRequest {
        consumer: InitiateConsumer {
            device: device(scenario),
            ip_addresses: None,
        },
        session: AccessSession {
            access_token: access_token.clone(),
        },
        transaction: TransactionCurrency {
            currency: sale.currency.clone(),
        },
        location: None,
    }
}

/// Verification steps 6–7 (addendum §2.3): the card as `sourceCard`, the e-mail required (the scenario's
/// checks make sure there is one; an empty one, which the gateway refuses, would show the gap), the currency
/// the signature was made with.
pub(crate) fn perform_validation_request(
    scenario: &Scenario,
    sale: &Sale,
    access_token: &AccessToken,
    session: NonceSignature,
    card: Card,
) -> PerformValidationRequest {
    PerformValidationRequest {
        consumer: ValidationConsumer {
            device: device(scenario),
            email: Email::from(scenario.email_for(sale).unwrap_or_default()),
            birth_day: None,
            ip_addresses: None,
        },
        session: SignedSession {
            access_token: access_token.clone(),
            nonce: session.nonce,
            signature: session.signature,
        },
        source_card: card,
        transaction: Some(TransactionCurrency {
            currency: sale.currency.clone(),
        }),
        location: None,
        billing: None,
        order: None,
        source_of_funds: None,
    }
}

/// `sourceOfFunds.card` from the scenario's card and holder, with its masked label.
pub(crate) fn card_source(card: &scenario::Card, scenario: &Scenario) -> (SourceOfFunds, String) {
    let holder = match &scenario.consumer.holder {
        scenario::Holder::Names { first, last } => Holder {
            first_name: Some(first.clone()),
            last_name: Some(last.clone()),
            printed_name: None,
        },
        scenario::Holder::Printed(name) => Holder {
            printed_name: Some(name.clone()),
            ..Holder::default()
        },
    };
    let card = Card {
        number: card.number.as_str().into(),
        security_code: card.security_code.as_str().into(),
        expiry: Expiry {
            month: card.expiry_month,
            year: card.expiry_year,
        },
        holder,
    };
    let label = format!("card {}", card.number.masked());
    let source = SourceOfFunds {
        card: Some(card),
        reference: None,
    };
    (source, label)
}

/// `sourceOfFunds.reference` (spec 2.2), with its label (the CVV never shows).
pub(crate) fn reference_source(
    client_card_id: ClientCardId,
    security_code: &str,
) -> (SourceOfFunds, String) {
    let label = format!("clientCardId {client_card_id}");
    let reference = CardReference {
        client_card_id,
        security_code: security_code.into(),
    };
    let source = SourceOfFunds {
        card: None,
        reference: Some(reference),
    };
    (source, label)
}

fn device(scenario: &Scenario) -> Device {
    Device::new(SerialNumber::from(scenario.consumer.serial_number.as_str()))
}

fn amount(sale: &Sale) -> Amount {
    Amount {
        amount_centis: sale.amount_centis,
        currency: sale.currency.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_labels_mask_the_card_number_and_never_show_the_cvv() {
        let text = "[consumer]\nserial_number = \"SN-1\"\nprinted_name = \"JANE DOE\"\n\
            [[sale]]\namount_centis = 1050\ncurrency = \"EUR\"\n\
            card = { number = \"4111111111111111\", security_code = \"987\", expiry_month = 12, expiry_year = 2030 }\n\
            expect = { state = \"APPROVED\" }\n";
        let scenario = scenario::parse(text, std::path::Path::new("t.toml")).unwrap();
        let Source::Card(card) = &scenario.sales[0].source else {
            panic!("a card sale")
        };
        let (source, label) = card_source(card, &scenario);
        assert_eq!(label, "card 411111******1111");
        let holder = &source.card.as_ref().unwrap().holder;
        assert_eq!(holder.printed_name.as_deref(), Some("JANE DOE"));
        let (source, label) = reference_source(ClientCardId::from("CC-1"), "987");
        assert_eq!(label, "clientCardId CC-1");
        assert!(source.card.is_none() && source.reference.is_some());
    }
}
