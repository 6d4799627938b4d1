//! The sandbox's own vocabulary, shared by the three parties of connpay-sandbox and not part of the ConnPay
//! API: contract violations (who saw which rule of the protocol broken), misbehaviour and faults on purpose,
//! each server's record of a sale, the gateway's delivery log, the message journal's records, the simulated
//! 3-D Secure form, the `/sim/` paths, the control plane's token, and how card data and secrets are shown in all
//! of them. The protocol itself is `dapi`; nothing here is needed to speak it.
//!
//! # Layout
//! - [`contract`]: [`ContractViolation`] and its [`Observer`].
//! - [`attacks`]: what the gateway sends a Connecting Party server on purpose that it must refuse, and its answer.
//! - [`misbehaviour`]: what a reference server does wrong on purpose in one sale, and the faults it injects.
//! - [`records`]: each server's record of one sale.
//! - [`deliveries`]: the gateway's delivery log.
//! - [`journal`]: the message journal's records, the same on both servers.
//! - [`three_ds`]: the 3-D Secure form's field names.
//! - [`paths`]: the `/sim/` paths.
//! - [`text`]: short ids, excerpts and masking of free text, one rule each.
//! - [`token`]: [`SandboxToken`], the secret that protects a server's control plane.

pub mod attacks;
pub mod contract;
pub mod deliveries;
pub mod journal;
pub mod misbehaviour;
pub mod paths;
pub mod records;
pub mod text;
pub mod three_ds;
pub mod token;

pub use attacks::{Attack, AttackAnswer};
pub use contract::{ContractViolation, Observer};
pub use deliveries::{DeliveryAttempt, DeliveryKind, DeliveryList, DeliveryRecord, DeliveryState};
pub use journal::{JournalEntry, JournalMessage, JournalPage, JournalStats, Participant, SaleRef};
pub use misbehaviour::{
    CallbackAnswerMisbehaviour, CallbackMisbehaviour, CheckMisbehaviour, GatewayMisbehaviour,
    NotificationMisbehaviour, PartyMisbehaviour,
};
pub use records::{CallbackRecord, CardMappingRecord, GatewaySaleRecord, PartySaleRecord};
pub use token::SandboxToken;
