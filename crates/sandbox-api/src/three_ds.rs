//! The simulated 3-D Secure page's form (spec 3.6 decision): the names the gateway's page uses and the app's
//! consumer fills in.

/// Name of the password field of the simulated 3-D Secure form.
pub const THREE_DS_PASSWORD_FIELD: &str = "password";
/// Name of the random-sum field, present when check sale asked for a random-sum check (spec A21): the amount
/// in minor units, e.g. `37` for 0.37.
pub const THREE_DS_RANDOM_SUM_FIELD: &str = "randomSum";
/// Name of the submit button field; its value says which button was pressed.
pub const THREE_DS_ACTION_FIELD: &str = "action";
/// Value of [`THREE_DS_ACTION_FIELD`] for "Submit".
pub const THREE_DS_SUBMIT: &str = "submit";
/// Value of [`THREE_DS_ACTION_FIELD`] for "Cancel".
pub const THREE_DS_CANCEL: &str = "cancel";
/// The `<meta name=...>` of the "close browser request" page.
pub const CLOSE_BROWSER_META: &str = "dapi-close";
