//! The app's deliberate mistakes (`mistake = "…"`, [`scenario::Mistake`]): the correct message, as
//! `messages` builds it, bent here on purpose, so that the refusal the scenario expects is played, not assumed.
//! Nothing else in the app sends anything wrong.

use dapi::EndpointId;
use dapi::SerialNumber;
use dapi::messages::initiate::NonceSignature;
use dapi::messages::perform::PerformSaleRequest;
use scenario::Mistake;

/// The endpoint id a perform sale goes to: the one of initiate sale, or for `unknown-endpoint` one the gateway
/// does not have.
pub(crate) fn endpoint(mistake: Option<Mistake>, from_initiate: &EndpointId) -> EndpointId {
    match mistake {
        Some(Mistake::UnknownEndpoint) => EndpointId::from("UNKNOWN-ENDPOINT"),
        _ => from_initiate.clone(),
    }
}

/// Another device's serial number than `own`, 1–50 characters like any.
pub(crate) fn other_device(own: &str) -> SerialNumber {
    let other: String = format!("OTHER-{own}").chars().take(50).collect();
    if other == own {
        // Fifty characters of `OTHER-OTHER-…`: any other device will do.
        return SerialNumber::from("SN-OTHER-DEVICE");
    }
    SerialNumber::from(other.as_str())
}

/// Bends a correct perform sale `request` as `mistake` says; `previous` is the session (nonce and signature) of
/// the scenario's previous sale, for `reuse-session`.
pub(crate) fn bend_perform(
    mistake: Option<Mistake>,
    request: &mut PerformSaleRequest,
    previous: Option<&NonceSignature>,
) {
    match mistake {
        Some(Mistake::TamperAmount) => {
            let amount = &mut request.transaction.amount_centis;
            *amount = amount.saturating_add(1);
        }
        Some(Mistake::TamperCurrency) => {
            let other = if request.transaction.currency == "EUR" {
                "USD"
            } else {
                "EUR"
            };
            other.clone_into(&mut request.transaction.currency);
        }
        Some(Mistake::ReuseSession) => {
            if let Some(previous) = previous {
                request.session.nonce = previous.nonce.clone();
                request.session.signature = previous.signature.clone();
            }
        }
        Some(Mistake::OtherDeviceSerial) => {
            let own = request.consumer.device.serial_number.as_str().to_owned();
            request.consumer.device.serial_number = other_device(&own);
        }
        Some(Mistake::OtherDeviceToken | Mistake::PerformTwice | Mistake::UnknownEndpoint)
        | None => {}
    }
}

/// What a mistake does, for the step log.
pub(crate) fn describe(mistake: Mistake) -> &'static str {
    match mistake {
        Mistake::TamperAmount => "amountCentis one more than initiate sale signed",
        Mistake::TamperCurrency => "another currency than initiate sale signed",
        Mistake::ReuseSession => "the previous sale's nonce and signature",
        Mistake::OtherDeviceToken => "an access token of another device",
        Mistake::OtherDeviceSerial => "another device's serial number",
        Mistake::PerformTwice => "the same invoice performed twice",
        Mistake::UnknownEndpoint => "an endpoint id the gateway does not have",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_device_is_never_the_own_one() {
        assert_eq!(other_device("SN-1").as_str(), "OTHER-SN-1");
        let long = "x".repeat(50);
        let other = other_device(&long);
        assert_ne!(other.as_str(), long);
        assert!(other.as_str().chars().count() <= 50);
    }
}
