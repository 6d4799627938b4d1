//! The rules a check sale answer must pass (spec 3.4 decision), those a check verification answer adds (addendum
//! §2.4: its currency and e-mail are perform validation's), and the e-mail rule of a repeat sale (spec 2.2;
//! addendum §4 for a card mapped by a verification). Each broken rule is a [`Breach`]: the reason the
//! transaction is declined and the contract violation recorded.

use super::{CheckAnswer, CheckFailure, CheckJob};
use crate::sale::violations::{Echo, Echoes, bad_check_signature, echo_breaches, violation};
use crate::store::CardRecord;
use dapi::card::mask_card_numbers;
use dapi::signature::{CheckSaleSigned, verify};
use dapi::steps;
use dapi::{Email, Flow, ServerCardId};
use sandbox_api::ContractViolation;

/// One broken rule.
#[derive(Debug)]
pub(crate) struct Breach {
    /// Why the sale is declined, should this be the first breach.
    pub(crate) failure: CheckFailure,
    /// What is recorded.
    pub(crate) violation: ContractViolation,
}

fn breach(failure: CheckFailure, violation: ContractViolation) -> Breach {
    Breach { failure, violation }
}

/// The rule of spec 2.2 for `consumer.email`.
const SAME_EMAIL: &str = "must be the e-mail the card was mapped with (spec 2.2)";

/// E-mails are compared without regard to letter case (addendum §4 \[DECISION\]).
fn same_email(one: &Email, other: &Email) -> bool {
    one.as_str().eq_ignore_ascii_case(other.as_str())
}

impl From<Echo> for CheckFailure {
    fn from(echo: Echo) -> Self {
        match echo {
            Echo::InvoiceId => Self::InvoiceId,
            Echo::Nonce => Self::Nonce,
            Echo::Token => Self::Token,
        }
    }
}

impl CheckJob {
    /// Every rule of spec 3.4 the answer breaks, in the order that names the decline: echoes (`invoiceId`,
    /// `session.nonce`, `session.token`), `checkSignature`, `transaction.currency`, the `serverCardId` of a
    /// repeat sale, a verification's `consumer.email`.
    pub(crate) fn answer_breaches(&self, response: &CheckAnswer) -> Vec<Breach> {
        let step = self.flow.steps().check_response;
        let session = &response.session;
        let sent = Echoes::new(&self.invoice_id, &self.nonce, &self.token);
        let answered = Echoes::new(&response.invoice_id, &session.nonce, &session.token);
        let mut found: Vec<Breach> = echo_breaches(step, sent, answered)
            .into_iter()
            .map(|(echo, violation)| breach(CheckFailure::from(echo), violation))
            .collect();
        let server_card_id = response.server_card_id.as_ref();
        let signed = CheckSaleSigned {
            serial_number: self.serial_number.as_str(),
            nonce: self.nonce.as_str(),
            endpoint_id: self.endpoint_id.as_str(),
            invoice_id: self.invoice_id.as_str(),
            server_card_id: server_card_id.map(ServerCardId::as_str),
        };
        let received = session.check_signature.as_str();
        if verify(&self.key, &signed.string_to_sign(), received).is_err() {
            let formula = if server_card_id.is_some() {
                "HMAC-SHA1 of serialNumber + nonce + endpointId + invoiceId + serverCardId"
            } else {
                "HMAC-SHA1 of serialNumber + nonce + endpointId + invoiceId"
            };
            let signature = bad_check_signature(step, formula, received);
            found.push(breach(CheckFailure::Signature, signature));
        }
        found.extend(self.currency_breach(response.currency.as_deref()));
        if self.client_card_id.is_some() && server_card_id.is_none() {
            let missing = violation(
                step,
                "sourceOfFunds.reference.serverCardId",
                "is required when check sale carried a clientCardId (spec 2.2)",
            );
            found.push(breach(CheckFailure::MissingServerCardId, missing));
        }
        if self.flow == Flow::Verification {
            found.extend(self.verification_email_breach(response.email.as_ref()));
        }
        found
    }

    /// `transaction.currency` must be the perform's; a verification that named none learns it here, so the
    /// answer must then carry it (addendum V9).
    fn currency_breach(&self, answered: Option<&str>) -> Option<Breach> {
        let step = self.flow.steps().check_response;
        let path = "transaction.currency";
        match (self.currency.as_deref(), answered) {
            (Some(own), Some(answered)) if own != answered => {
                let rule = format!("must be the {}'s currency", self.flow);
                let other = violation(step, path, rule).values(own, mask_card_numbers(answered));
                Some(breach(CheckFailure::Currency, other))
            }
            (None, None) => {
                let rule = "is required when perform validation named no currency (addendum V9)";
                Some(breach(
                    CheckFailure::NoCurrency,
                    violation(step, path, rule),
                ))
            }
            _ => None,
        }
    }

    /// A check verification answer's `consumer.email`, when present, is perform validation's (addendum §2.4).
    fn verification_email_breach(&self, answered: Option<&Email>) -> Option<Breach> {
        let (answered, sent) = (answered?, self.email.as_ref()?);
        if same_email(answered, sent) {
            return None;
        }
        let step = steps::CHECK_VERIFICATION_RESPONSE;
        let rule = "must be the consumer.email of perform validation (addendum §2.4)";
        let other =
            violation(step, "consumer.email", rule).values(sent.as_str(), answered.as_str());
        Some(breach(CheckFailure::Email, other))
    }

    /// The answer's `serverCardId` is not one this gateway issued for this endpoint.
    pub(crate) fn unknown_card(&self, server_card_id: &ServerCardId) -> Breach {
        let mut unknown = violation(
            steps::CHECK_SALE_RESPONSE,
            "sourceOfFunds.reference.serverCardId",
            "not issued by the gateway for this endpoint",
        );
        unknown.actual = Some(mask_card_numbers(server_card_id.as_str()));
        breach(CheckFailure::UnknownServerCardId, unknown)
    }

    /// The e-mail rule of a repeat sale with `card` (spec 2.2): a card mapped with an e-mail — by a sale or by a
    /// verification (addendum §4) — needs the same e-mail (in any letter case) in the perform (step 6) and in the
    /// check answer (step 9), both halves: missing is as wrong as another one. E-mails may be shown.
    pub(crate) fn email_breaches(
        &self,
        card: &CardRecord,
        answered: Option<&Email>,
    ) -> Vec<Breach> {
        let Some(mapped) = card.email.as_ref() else {
            return Vec::new();
        };
        let mut found = Vec::new();
        if !self
            .email
            .as_ref()
            .is_some_and(|sent| same_email(sent, mapped))
        {
            let mut perform = violation(steps::PERFORM_SALE_REQUEST, "consumer.email", SAME_EMAIL);
            perform.expected = Some(mapped.to_string());
            perform.actual = self.email.as_ref().map(ToString::to_string);
            found.push(breach(CheckFailure::Email, perform));
        }
        if !answered.is_some_and(|answered| same_email(answered, mapped)) {
            let mut answer = violation(steps::CHECK_SALE_RESPONSE, "consumer.email", SAME_EMAIL);
            answer.expected = Some(mapped.to_string());
            answer.actual = answered.map(ToString::to_string);
            found.push(breach(CheckFailure::Email, answer));
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NONCE, TOKEN, answer, card_job, job_for};
    use super::*;
    use dapi::Nonce;
    use sandbox_api::Observer;
    use sandbox_api::text::short;
    use serde_json::json;

    /// Each breach's step and path.
    fn named(breaches: &[Breach]) -> Vec<(u8, &str)> {
        breaches
            .iter()
            .map(|breach| (breach.violation.step, breach.violation.path.as_str()))
            .collect()
    }

    #[test]
    fn a_correct_answer_passes_and_each_breach_is_named_and_recorded() {
        let job = card_job();
        assert!(job.answer_breaches(&answer(&job, None, true)).is_empty());
        let breaches = job.answer_breaches(&answer(&job, None, false));
        assert_eq!(
            breaches[0]
                .failure
                .ending(Flow::Sale)
                .error_message
                .as_deref(),
            Some("check sale failed: bad checkSignature")
        );
        let signature = &breaches[0].violation;
        assert_eq!(
            (signature.observer, signature.step, signature.path.as_str()),
            (Observer::Gateway, 9, "session.checkSignature")
        );
        assert_eq!(signature.rule, "does not verify");
        assert_eq!(signature.actual.as_ref().map(String::len), Some(40));

        let mut broken = answer(&job, None, true);
        broken.session.nonce = Nonce::from("x".repeat(32).as_str());
        let breaches = job.answer_breaches(&broken);
        assert!(matches!(breaches[0].failure, CheckFailure::Nonce));
        let nonce = &breaches[0].violation;
        assert_eq!(
            (nonce.expected.as_deref(), nonce.actual.as_deref()),
            (Some(&*short(NONCE)), Some("xxxxxxxx…"))
        );
        let mut broken = answer(&job, None, true);
        broken.invoice_id = "INV-OTHER".into();
        let breaches = job.answer_breaches(&broken);
        assert!(matches!(breaches[0].failure, CheckFailure::InvoiceId));
        assert_eq!(breaches[0].violation.actual.as_deref(), Some("INV-OTHER"));
        let mut broken = answer(&job, None, true);
        broken.session.token = "ffffffff-3c2d-4e1f-8a7b-6c5d4e3f2a1b".into();
        let breaches = job.answer_breaches(&broken);
        assert!(matches!(breaches[0].failure, CheckFailure::Token));
        assert_eq!(breaches[0].violation.expected, Some(short(TOKEN)));
        let mut broken = answer(&job, None, true);
        broken.currency = Some("USD".into());
        let breaches = job.answer_breaches(&broken);
        assert!(matches!(breaches[0].failure, CheckFailure::Currency));
        assert_eq!(named(&breaches), [(9, "transaction.currency")]);
    }

    #[test]
    fn every_breach_of_one_answer_is_recorded_and_the_first_names_the_decline() {
        let job = card_job();
        let mut broken = answer(&job, None, false);
        broken.invoice_id = "INV-OTHER".into();
        let breaches = job.answer_breaches(&broken);
        assert!(matches!(breaches[0].failure, CheckFailure::InvoiceId));
        assert_eq!(
            named(&breaches),
            [(9, "invoiceId"), (9, "session.checkSignature")]
        );
    }

    #[test]
    fn a_repeat_sale_needs_a_signed_server_card_id() {
        let job = job_for(
            json!({"reference":{"clientCardId":"cc-1","securityCode":"123"}}),
            Some("jane@example.com"),
        );
        let breaches = job.answer_breaches(&answer(&job, None, true));
        assert!(matches!(
            breaches[0].failure,
            CheckFailure::MissingServerCardId
        ));
        assert_eq!(
            named(&breaches),
            [(9, "sourceOfFunds.reference.serverCardId")]
        );
        assert!(
            job.answer_breaches(&answer(&job, Some("9876543"), true))
                .is_empty()
        );
        let mut unsigned = answer(&job, None, true);
        unsigned.server_card_id = answer(&job, Some("9876543"), true).server_card_id;
        let breaches = job.answer_breaches(&unsigned);
        assert!(matches!(breaches[0].failure, CheckFailure::Signature));
        let unknown = job.unknown_card(&"4111111111111111".into()).violation;
        assert_eq!(unknown.actual.as_deref(), Some("411111******1111"));
    }

    #[test]
    fn the_email_rule_applies_only_to_cards_mapped_with_an_email() {
        let with_email = job_for(
            json!({"reference":{"clientCardId":"cc-1","securityCode":"123"}}),
            Some("jane@example.com"),
        );
        let without = job_for(
            json!({"reference":{"clientCardId":"cc-1","securityCode":"123"}}),
            None,
        );
        let jane = Email::from("jane@example.com");
        let john = Email::from("john@example.com");
        let card = |email: Option<&Email>, origin| CardRecord {
            endpoint_id: "1234".into(),
            card: crate::sale::CardFacts::of(&"4111111111111111".into()),
            email: email.cloned(),
            confirmed: true,
            origin,
        };
        let sold = |email| card(email, Flow::Sale);
        assert!(with_email.email_breaches(&sold(None), None).is_empty());
        let omitted = with_email.email_breaches(&sold(Some(&jane)), None);
        assert_eq!(
            named(&omitted),
            [(9, "consumer.email")],
            "the answer must carry it too"
        );
        assert_eq!(omitted[0].violation.actual, None);
        assert!(matches!(omitted[0].failure, CheckFailure::Email));
        assert!(
            with_email
                .email_breaches(&sold(Some(&jane)), Some(&jane))
                .is_empty()
        );
        let shouted = Email::from("JANE@Example.com");
        assert!(
            with_email
                .email_breaches(&sold(Some(&jane)), Some(&shouted))
                .is_empty(),
            "letter case does not matter (addendum §4)"
        );
        let answered = with_email.email_breaches(&sold(Some(&jane)), Some(&john));
        assert!(matches!(answered[0].failure, CheckFailure::Email));
        assert_eq!(named(&answered), [(9, "consumer.email")]);
        assert_eq!(
            answered[0].violation.actual.as_deref(),
            Some("john@example.com")
        );
        let performed = without.email_breaches(&sold(Some(&jane)), Some(&jane));
        assert_eq!(named(&performed), [(6, "consumer.email")]);
        let perform = &performed[0].violation;
        assert_eq!(
            (perform.expected.as_deref(), perform.actual.as_deref()),
            (Some("jane@example.com"), None)
        );
        assert!(without.email_breaches(&sold(None), Some(&john)).is_empty());
        let verified = card(Some(&jane), Flow::Verification);
        let silent = with_email.email_breaches(&verified, None);
        assert_eq!(
            named(&silent),
            [(9, "consumer.email")],
            "a verified card's e-mail must come back in check sale"
        );
    }
}
