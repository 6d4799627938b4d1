//! The sandbox's CVV triggers (spec 6): the CVV picks what happens to a sale once check sale passed. Only the
//! [`Trigger`] is kept; the CVV itself is dropped with the perform request.

use super::Ending;
use dapi::{AuthStatus, SecurityCode};
use serde::{Deserialize, Serialize};

/// What a sale's CVV (or a repeat sale's `reference.securityCode`) asks for; kept with the sale (never the CVV).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Trigger {
    /// `123`, `1234`: approved (frictionless 3-D Secure on a 3DS endpoint).
    Approve,
    /// `321`: the 3-D Secure page on a 3DS endpoint, else like `123`.
    ThreeDs,
    /// `111`: a card without 3-D Secure, approved with `UNSUPPORTED`.
    NoThreeDs,
    /// `217`: the acquirer never answers; `PROCESSING` until the unknown timeout, then callback `error`.
    Unknown,
    /// Anything else: declined with this code.
    Decline(Decline),
}

/// A documented decline (spec 5.5): ISO 8583 action code and its text. Kept as its code alone: the text is the
/// table's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Decline {
    /// `errorCode`.
    pub(crate) code: u32,
    /// `errorMessage`.
    pub(crate) message: &'static str,
}

/// The generic decline, `100` "Do not honour".
const DO_NOT_HONOUR: Decline = Decline {
    code: 100,
    message: "Do not honour",
};

/// The documented declines other than [`DO_NOT_HONOUR`] (spec 6).
const DECLINES: [Decline; 4] = [
    Decline {
        code: 101,
        message: "Expired card",
    },
    Decline {
        code: 116,
        message: "Not sufficient funds",
    },
    Decline {
        code: 119,
        message: "Transaction not permitted to cardholder",
    },
    Decline {
        code: 209,
        message: "Pick-up, stolen card",
    },
];

impl From<u32> for Decline {
    /// The decline of this code; an unknown one is "Do not honour".
    fn from(code: u32) -> Self {
        DECLINES
            .into_iter()
            .find(|decline| decline.code == code)
            .unwrap_or(DO_NOT_HONOUR)
    }
}

impl Serialize for Decline {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(self.code)
    }
}

impl<'de> Deserialize<'de> for Decline {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        u32::deserialize(deserializer).map(Self::from)
    }
}

impl Trigger {
    /// Reads the trigger from a security code (spec 6 decision table).
    pub(crate) fn from_security_code(code: &SecurityCode) -> Self {
        match code.expose() {
            "123" | "1234" => Self::Approve,
            "321" => Self::ThreeDs,
            "111" => Self::NoThreeDs,
            "217" => Self::Unknown,
            "101" | "116" | "119" | "209" => {
                Self::Decline(Decline::from(code.expose().parse::<u32>().unwrap_or(100)))
            }
            _ => Self::Decline(DO_NOT_HONOUR),
        }
    }

    /// What processing does with this trigger on an endpoint with or without 3-D Secure.
    pub(crate) fn decide(self, three_ds_endpoint: bool) -> Decision {
        match self {
            Self::ThreeDs if three_ds_endpoint => Decision::Redirect,
            Self::Approve if three_ds_endpoint => {
                Decision::Approve(Some(AuthStatus::Authenticated))
            }
            Self::Approve | Self::ThreeDs => Decision::Approve(None),
            Self::NoThreeDs => Decision::Approve(Some(AuthStatus::Unsupported)),
            Self::Unknown => Decision::AwaitUnknown,
            Self::Decline(decline) => Decision::Finish(Ending::declined(decline)),
        }
    }
}

/// The next step once check sale passed (spec 3.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Authorise (after the card mapping notification for a card sale), with this `secure3DAuthStatus`.
    Approve(Option<AuthStatus>),
    /// Show the 3-D Secure page: `REDIRECT_REQUEST`.
    Redirect,
    /// Stay `PROCESSING` until the unknown timeout.
    AwaitUnknown,
    /// End the sale now.
    Finish(Ending),
}

#[cfg(test)]
mod tests {
    use super::*;
    use dapi::CallbackStatus;

    fn decide(cvv: &str, three_ds: bool) -> Decision {
        Trigger::from_security_code(&SecurityCode::from(cvv)).decide(three_ds)
    }

    #[test]
    fn approving_cvvs_follow_the_spec_table() {
        let authenticated = Decision::Approve(Some(AuthStatus::Authenticated));
        assert_eq!(decide("123", true), authenticated);
        assert_eq!(decide("1234", true), authenticated);
        assert_eq!(decide("123", false), Decision::Approve(None));
        assert_eq!(decide("321", true), Decision::Redirect);
        assert_eq!(decide("321", false), Decision::Approve(None));
        for three_ds in [true, false] {
            assert_eq!(
                decide("111", three_ds),
                Decision::Approve(Some(AuthStatus::Unsupported))
            );
            assert_eq!(decide("217", three_ds), Decision::AwaitUnknown);
        }
    }

    #[test]
    fn a_trigger_is_kept_by_its_decline_code_alone() {
        for cvv in ["101", "209", "999", "123", "321", "111", "217"] {
            let trigger = Trigger::from_security_code(&SecurityCode::from(cvv));
            let kept = serde_json::to_string(&trigger).unwrap();
            let declined = matches!(trigger, Trigger::Decline(_));
            assert!(
                declined || !kept.contains(cvv),
                "the CVV itself is never kept: {kept}"
            );
            assert_eq!(
                serde_json::from_str::<Trigger>(&kept).unwrap(),
                trigger,
                "{cvv}"
            );
        }
    }

    #[test]
    fn declining_cvvs_carry_their_iso_code_and_text() {
        let cases = [
            ("101", 101, "Expired card"),
            ("116", 116, "Not sufficient funds"),
            ("119", 119, "Transaction not permitted to cardholder"),
            ("209", 209, "Pick-up, stolen card"),
            ("999", 100, "Do not honour"),
            ("12", 100, "Do not honour"),
        ];
        for (cvv, code, message) in cases {
            let Decision::Finish(ending) = decide(cvv, true) else {
                unreachable!("{cvv} must decline")
            };
            assert_eq!(ending.status, CallbackStatus::Declined);
            assert_eq!(ending.error_code, Some(code), "{cvv}");
            assert_eq!(ending.error_message.as_deref(), Some(message));
            assert_eq!(ending.secure_3d, None);
        }
    }
}
