//! The messages of the sequence diagrams (spec 2.1; the repeat sale of spec 2.2 uses the same numbers for the
//! same messages): each one's step number and name, so that every party, report and record names a message the
//! same way.

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
