//! The messages of the sequence diagrams (spec 2.1; the repeat sale of spec 2.2 uses the same numbers for the
//! same messages; the card verification of the addendum, §1, numbers its messages like the sale): each one's
//! step number and name, so that every party, report and record names a message the same way. [`SALE`] and
//! [`VERIFICATION`] list each flow's messages by role, so code shared by the two flows names the right one.

/// A message of the sequence diagrams: its step number and name (spec 2.1; the repeat sale of spec 2.2 uses
/// the same numbers for the same messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Step {
    /// The step number in spec 2.1.
    pub number: u8,
    /// The message's name in the diagram.
    pub name: &'static str,
}

/// Step 2.
pub const ACCESS_TOKEN_REQUEST: Step = Step {
    number: 2,
    name: "Request access token",
};
/// Step 3.
pub const ACCESS_TOKEN_RESPONSE: Step = Step {
    number: 3,
    name: "Response access token",
};
/// Step 4.
pub const INITIATE_SALE_REQUEST: Step = Step {
    number: 4,
    name: "Initiate sale request",
};
/// Step 5.
pub const INITIATE_SALE_RESPONSE: Step = Step {
    number: 5,
    name: "Initiate sale response",
};
/// Spec 2.2 step 4: a repeat sale's app asks the Connecting Party server for its card reference (spec A24).
pub const CARD_REFERENCE_REQUEST: Step = Step {
    number: 4,
    name: "Card reference request",
};
/// Spec 2.2 step 4: the Connecting Party server hands the card reference over.
pub const CARD_REFERENCE_RESPONSE: Step = Step {
    number: 4,
    name: "Card reference response",
};
/// Step 6.
pub const PERFORM_SALE_REQUEST: Step = Step {
    number: 6,
    name: "Perform sale request",
};
/// Step 7.
pub const PERFORM_SALE_RESPONSE: Step = Step {
    number: 7,
    name: "Perform sale response",
};
/// Step 8.
pub const CHECK_SALE_REQUEST: Step = Step {
    number: 8,
    name: "Check sale request",
};
/// Step 9.
pub const CHECK_SALE_RESPONSE: Step = Step {
    number: 9,
    name: "Check sale response",
};
/// Step 11 (and 21).
pub const SALE_STATUS_REQUEST: Step = Step {
    number: 11,
    name: "Sale status request",
};
/// Step 12 (and 22).
pub const SALE_STATUS_RESPONSE: Step = Step {
    number: 12,
    name: "Sale status response",
};
/// Step 13: the app opens a browser on `redirectUrl`, which fetches the 3-D Secure page.
pub const OPEN_BROWSER: Step = Step {
    number: 13,
    name: "Open browser on redirectUrl",
};
/// Step 21: the sale status request whose answer is final.
pub const FINAL_STATUS_REQUEST: Step = Step {
    number: 21,
    name: "Sale status request",
};
/// Step 22: the final sale status response.
pub const FINAL_STATUS_RESPONSE: Step = Step {
    number: 22,
    name: "Sale status response",
};
/// Step 16.
pub const THREE_DS_STATUS_UPDATE: Step = Step {
    number: 16,
    name: "3DS status update",
};
/// Step 17.
pub const CLOSE_BROWSER_REQUEST: Step = Step {
    number: 17,
    name: "Close browser request",
};
/// Step 19.
pub const CARD_MAPPING_NOTIFICATION: Step = Step {
    number: 19,
    name: "Sale card mapping notification request",
};
/// Step 20.
pub const CARD_MAPPING_RESPONSE: Step = Step {
    number: 20,
    name: "Sale card mapping notification response",
};
/// Step 23.
pub const CALLBACK: Step = Step {
    number: 23,
    name: "Callback with final status",
};
/// Step 24.
pub const CALLBACK_RESPONSE: Step = Step {
    number: 24,
    name: "Callback response",
};

/// Verification step 4 (addendum §1).
pub const INITIATE_VERIFICATION_REQUEST: Step = Step {
    number: 4,
    name: "Initiate verification request",
};
/// Verification step 5.
pub const INITIATE_VERIFICATION_RESPONSE: Step = Step {
    number: 5,
    name: "Initiate verification response",
};
/// Verification step 6.
pub const PERFORM_VALIDATION_REQUEST: Step = Step {
    number: 6,
    name: "Perform validation request",
};
/// Verification step 7.
pub const PERFORM_VALIDATION_RESPONSE: Step = Step {
    number: 7,
    name: "Perform validation response",
};
/// Verification step 8.
pub const CHECK_VERIFICATION_REQUEST: Step = Step {
    number: 8,
    name: "Check verification request",
};
/// Verification step 9.
pub const CHECK_VERIFICATION_RESPONSE: Step = Step {
    number: 9,
    name: "Check verification response",
};
/// Verification step 11 (and 21).
pub const VERIFICATION_STATUS_REQUEST: Step = Step {
    number: 11,
    name: "Verification status request",
};
/// Verification step 12 (and 22).
pub const VERIFICATION_STATUS_RESPONSE: Step = Step {
    number: 12,
    name: "Verification status response",
};
/// Verification step 19.
pub const VERIFICATION_CARD_MAPPING_NOTIFICATION: Step = Step {
    number: 19,
    name: "Verification card mapping notification request",
};
/// Verification step 20.
pub const VERIFICATION_CARD_MAPPING_RESPONSE: Step = Step {
    number: 20,
    name: "Verification card mapping notification response",
};

/// One flow's messages by their role in the diagram: the sale's and the verification's are numbered alike,
/// and share the access token, the 3-D Secure page and the callback (addendum §1, steps 22–24 \[DECISION\]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Diagram {
    /// Step 2.
    pub access_token_request: Step,
    /// Step 3.
    pub access_token_response: Step,
    /// Step 4: initiate sale or verification.
    pub initiate_request: Step,
    /// Step 5.
    pub initiate_response: Step,
    /// Step 6: perform sale or validation.
    pub perform_request: Step,
    /// Step 7.
    pub perform_response: Step,
    /// Step 8: check sale or verification.
    pub check_request: Step,
    /// Step 9.
    pub check_response: Step,
    /// Step 11 (and 21): sale or verification status.
    pub status_request: Step,
    /// Step 12 (and 22).
    pub status_response: Step,
    /// Step 16.
    pub three_ds_status_update: Step,
    /// Step 17.
    pub close_browser_request: Step,
    /// Step 19: the card mapping notification.
    pub notification: Step,
    /// Step 20.
    pub notification_response: Step,
    /// Step 23.
    pub callback: Step,
    /// Step 24.
    pub callback_response: Step,
}

/// The sale's messages (spec 2.1).
pub const SALE: Diagram = Diagram {
    access_token_request: ACCESS_TOKEN_REQUEST,
    access_token_response: ACCESS_TOKEN_RESPONSE,
    initiate_request: INITIATE_SALE_REQUEST,
    initiate_response: INITIATE_SALE_RESPONSE,
    perform_request: PERFORM_SALE_REQUEST,
    perform_response: PERFORM_SALE_RESPONSE,
    check_request: CHECK_SALE_REQUEST,
    check_response: CHECK_SALE_RESPONSE,
    status_request: SALE_STATUS_REQUEST,
    status_response: SALE_STATUS_RESPONSE,
    three_ds_status_update: THREE_DS_STATUS_UPDATE,
    close_browser_request: CLOSE_BROWSER_REQUEST,
    notification: CARD_MAPPING_NOTIFICATION,
    notification_response: CARD_MAPPING_RESPONSE,
    callback: CALLBACK,
    callback_response: CALLBACK_RESPONSE,
};

/// The card verification's messages (addendum §1).
pub const VERIFICATION: Diagram = Diagram {
    initiate_request: INITIATE_VERIFICATION_REQUEST,
    initiate_response: INITIATE_VERIFICATION_RESPONSE,
    perform_request: PERFORM_VALIDATION_REQUEST,
    perform_response: PERFORM_VALIDATION_RESPONSE,
    check_request: CHECK_VERIFICATION_REQUEST,
    check_response: CHECK_VERIFICATION_RESPONSE,
    status_request: VERIFICATION_STATUS_REQUEST,
    status_response: VERIFICATION_STATUS_RESPONSE,
    notification: VERIFICATION_CARD_MAPPING_NOTIFICATION,
    notification_response: VERIFICATION_CARD_MAPPING_RESPONSE,
    ..SALE
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_flows_number_their_messages_alike() {
        let numbers = |d: &Diagram| {
            [
                d.initiate_request,
                d.perform_response,
                d.check_response,
                d.status_request,
                d.notification_response,
                d.callback,
            ]
            .map(|step| step.number)
        };
        assert_eq!(numbers(&SALE), numbers(&VERIFICATION));
        assert_eq!(numbers(&SALE), [4, 7, 9, 11, 20, 23]);
        assert_ne!(SALE.check_response.name, VERIFICATION.check_response.name);
        assert_eq!(SALE.callback, VERIFICATION.callback);
    }
}
