//! Perform sale (spec 3.3): the app's request to the gateway, with card data or a card reference.

use super::common::{Amount, Device, Location, TokenOnly, check_ip_addresses};
use crate::card::{CardNumber, SecurityCode};
use crate::ids::{AccessToken, ClientCardId, Email, InvoiceId, Nonce, SignatureHex};
use crate::validate::{Rule, Validate, Violations};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `POST {dapi}/sale/{endpointId}/{invoiceId}` request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PerformSaleRequest {
    /// `consumer`.
    pub consumer: PerformConsumer,
    /// `session.{accessToken,nonce,signature}` (unknown fields such as a null `token` are ignored).
    pub session: SignedSession,
    /// `sourceOfFunds`: exactly one of `card` / `reference`.
    pub source_of_funds: SourceOfFunds,
    /// `transaction.{amountCentis,currency}`: must match initiate sale.
    pub transaction: Amount,
    /// Optional `location`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Optional `billing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing: Option<Billing>,
    /// Optional `order`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Order>,
}

/// `consumer` of perform sale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PerformConsumer {
    /// `device`.
    pub device: Device,
    /// `email`, String 3–128; required only for a card reference made with an e-mail (spec A8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    /// `birthDay`, `ddMMyyyy`: a day of the calendar (`29021990` is refused, which the pattern cannot say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^(0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])[0-9]{4}$"))]
    pub birth_day: Option<String>,
    /// `ipAddresses`, each IPv4 text (7–15 chars, no leading zeros).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(
        pattern = r"^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$"
    )))]
    pub ip_addresses: Option<Vec<String>>,
}

/// `session` of perform sale and of check sale: what initiate sale produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignedSession {
    /// `accessToken`, 32–128.
    pub access_token: AccessToken,
    /// `nonce`, 32–128.
    pub nonce: Nonce,
    /// `signature`, 32–128.
    pub signature: SignatureHex,
}

impl SignedSession {
    pub(crate) fn check(&self, v: &mut Violations) {
        v.length("session.accessToken", self.access_token.as_str(), 32, 128);
        v.length("session.nonce", self.nonce.as_str(), 32, 128);
        v.length("session.signature", self.signature.as_str(), 32, 128);
    }
}

/// `sourceOfFunds`: exactly one of `card` and `reference`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("oneOf" = [{"required": ["card"]}, {"required": ["reference"]}]))]
pub struct SourceOfFunds {
    /// Full card data (first sale).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<Card>,
    /// A card reference (repeat sale, spec 2.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<CardReference>,
}

/// `sourceOfFunds.card`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    /// `number`: PAN, 9–19 digits, Luhn-valid.
    pub number: CardNumber,
    /// `securityCode`: CVV, 3–4 digits.
    pub security_code: SecurityCode,
    /// `expiry.{month,year}`.
    pub expiry: Expiry,
    /// `holder`: `printedName`, or `firstName` and `lastName`.
    pub holder: Holder,
}

/// `sourceOfFunds.card.expiry`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Expiry {
    /// 1–12.
    #[schemars(range(min = 1, max = 12))]
    pub month: u32,
    /// Four digits.
    #[schemars(range(min = 1000, max = 9999))]
    pub year: u32,
}

/// `sourceOfFunds.card.holder`: `printedName`, or `firstName` and `lastName`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("anyOf" = [{"required": ["printedName"]}, {"required": ["firstName", "lastName"]}]))]
pub struct Holder {
    /// `firstName`, 1–50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 50))]
    pub first_name: Option<String>,
    /// `lastName`, 1–50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 50))]
    pub last_name: Option<String>,
    /// `printedName`, 1–50; may replace first and last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 50))]
    pub printed_name: Option<String>,
}

/// `sourceOfFunds.reference` (repeat sale).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CardReference {
    /// `clientCardId`, 1–128.
    pub client_card_id: ClientCardId,
    /// `securityCode` of the referenced card, 3–4.
    pub security_code: SecurityCode,
}

/// Optional `billing`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Billing {
    /// `address`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// `phone`, 1–20.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 20))]
    pub phone: Option<String>,
}

/// `billing.address`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// `city`, 1–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 100))]
    pub city: Option<String>,
    /// `country`, ISO 3166-1 alpha-3: three letters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^[A-Za-z]{3}$"))]
    pub country: Option<String>,
    /// `postcodeZip`, 1–10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 10))]
    pub postcode_zip: Option<String>,
    /// `state`, 2–3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 2, max = 3))]
    pub state: Option<String>,
    /// `street`, 1–50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 50))]
    pub street: Option<String>,
    /// `street2`, 1–50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 50))]
    pub street2: Option<String>,
}

/// Optional `order`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// `description`, up to 128.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 128))]
    pub description: Option<String>,
    /// `siteUrl`, up to 128.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 128))]
    pub site_url: Option<String>,
    /// `purpose`, up to 128.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 128))]
    pub purpose: Option<String>,
}

impl Validate for PerformSaleRequest {
    fn validate(&self, v: &mut Violations) {
        let consumer = &self.consumer;
        consumer.device.check("consumer.device", v);
        v.optional_length(
            "consumer.email",
            consumer.email.as_ref().map(Email::as_str),
            3,
            128,
        );
        check_birth_day(consumer.birth_day.as_deref(), v);
        check_ip_addresses(consumer.ip_addresses.as_deref(), v);
        self.session.check(v);
        self.source_of_funds.validate(v);
        self.transaction.check(v);
        check_extras(
            self.location.as_ref(),
            self.billing.as_ref(),
            self.order.as_ref(),
            v,
        );
    }
}

impl Validate for SourceOfFunds {
    fn validate(&self, v: &mut Violations) {
        match (&self.card, &self.reference) {
            (Some(card), None) => card.validate(v),
            (None, Some(reference)) => {
                v.length(
                    "sourceOfFunds.reference.clientCardId",
                    reference.client_card_id.as_str(),
                    1,
                    128,
                );
                check_security_code(
                    "sourceOfFunds.reference.securityCode",
                    &reference.security_code,
                    v,
                );
            }
            _ => v.push("sourceOfFunds", Rule::ExactlyOneOf(&["card", "reference"])),
        }
    }
}

impl Validate for Card {
    fn validate(&self, v: &mut Violations) {
        self.check("sourceOfFunds.card", v);
    }
}

impl Card {
    /// The card rules at `prefix` (`sourceOfFunds.card` in perform sale, `sourceCard` in perform validation,
    /// addendum §2.3): PAN 9–19 digits and Luhn-valid, CVV 3–4 digits, expiry, `printedName` or both names.
    pub(crate) fn check(&self, prefix: &str, v: &mut Violations) {
        let at = |field: &str| format!("{prefix}.{field}");
        check_card_number(&at("number"), &self.number, v);
        check_security_code(&at("securityCode"), &self.security_code, v);
        v.range(&at("expiry.month"), self.expiry.month, 1, 12);
        v.range(&at("expiry.year"), self.expiry.year, 1000, 9999);
        let holder = &self.holder;
        let names = [
            ("holder.firstName", &holder.first_name),
            ("holder.lastName", &holder.last_name),
            ("holder.printedName", &holder.printed_name),
        ];
        for (field, value) in names {
            v.optional_length(&at(field), value.as_deref(), 1, 50);
        }
        let named = holder.first_name.is_some() && holder.last_name.is_some();
        if holder.printed_name.is_none() && !named {
            v.push(
                at("holder"),
                Rule::OneOfGroups("printedName, or firstName and lastName"),
            );
        }
    }
}

impl Validate for Billing {
    fn validate(&self, v: &mut Violations) {
        v.optional_length("billing.phone", self.phone.as_deref(), 1, 20);
        if let Some(address) = &self.address {
            v.optional_length("billing.address.city", address.city.as_deref(), 1, 100);
            if let Some(country) = &address.country {
                v.country_alpha3("billing.address.country", country);
            }
            v.optional_length(
                "billing.address.postcodeZip",
                address.postcode_zip.as_deref(),
                1,
                10,
            );
            v.optional_length("billing.address.state", address.state.as_deref(), 2, 3);
            v.optional_length("billing.address.street", address.street.as_deref(), 1, 50);
            v.optional_length("billing.address.street2", address.street2.as_deref(), 1, 50);
        }
    }
}

/// `consumer.birthDay`, when sent: a day of the calendar written `ddMMyyyy`.
pub(crate) fn check_birth_day(birth_day: Option<&str>, v: &mut Violations) {
    if let Some(birth_day) = birth_day {
        v.date_ddmmyyyy("consumer.birthDay", birth_day);
    }
}

/// The optional `location`, `billing` and `order` of perform sale (and of perform validation, addendum V1).
pub(crate) fn check_extras(
    location: Option<&Location>,
    billing: Option<&Billing>,
    order: Option<&Order>,
    v: &mut Violations,
) {
    if let Some(location) = location {
        location.validate(v);
    }
    if let Some(billing) = billing {
        billing.validate(v);
    }
    if let Some(order) = order {
        v.optional_length("order.description", order.description.as_deref(), 1, 128);
        v.optional_length("order.siteUrl", order.site_url.as_deref(), 1, 128);
        v.optional_length("order.purpose", order.purpose.as_deref(), 1, 128);
    }
}

/// A PAN: digits only, 9–19 of them, Luhn-valid (spec 3.3); one violation at most.
pub(crate) fn check_card_number(path: &str, number: &CardNumber, v: &mut Violations) {
    let digits = number.expose();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        v.push(path, Rule::Digits);
    } else if !(9..=19).contains(&digits.len()) {
        v.push(path, Rule::Length { min: 9, max: 19 });
    } else if !number.is_luhn_valid() {
        v.push(path, Rule::Luhn);
    }
}

fn check_security_code(path: &str, code: &SecurityCode, v: &mut Violations) {
    let code = code.expose();
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        v.push(path, Rule::Digits);
    } else {
        v.length(path, code, 3, 4);
    }
}

/// Perform sale success response: `{"invoiceId", "session": {"token"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PerformSaleResponse {
    /// Echo of the path's invoice id.
    pub invoice_id: InvoiceId,
    /// `session.token`: the sale's gateway token, for status polls.
    pub session: TokenOnly,
}

impl Validate for PerformSaleResponse {
    fn validate(&self, v: &mut Violations) {
        v.length("session.token", self.session.token.as_str(), 16, 36);
    }
}
