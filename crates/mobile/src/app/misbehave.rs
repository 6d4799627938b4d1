//! Sandbox misbehaviour on purpose (`[sale.misbehave]`): once initiate sale has named the sale (its
//! `endpointId` and `invoiceId`) and before perform sale sets it going, the client POSTs the party's
//! [`PartyMisbehaviour`](sandbox_api::PartyMisbehaviour) to `{party}/sim/sales/{invoiceId}/misbehave` and the
//! gateway's [`GatewayMisbehaviour`](sandbox_api::GatewayMisbehaviour) to
//! `{gateway}/sim/sales/{endpointId}/{invoiceId}/misbehave`, each only when not empty; for a verification, to
//! their twins under `/sim/verifications/`.
//!
//! A server without the sandbox's `/sim/` paths (a plain 404: the user's own Connecting Party server) skips
//! the scenario, which cannot be played there; any other refusal fails the sale before perform. Either way a
//! negative path that cannot be set up never passes as a positive one.

use dapi::messages::initiate::InitiateSaleResponse;
use sandbox_api::paths::{gateway_misbehave_path_of, party_misbehave_path_of};
use serde::Serialize;
use url::Url;

use crate::app::SaleRun;
use crate::app::client::Client;
use crate::report::{ScenarioReport, steps};

impl Client {
    /// Sets the sale's misbehaviour on the servers; `None` (with a failure) when one refused.
    pub(crate) async fn misbehave(
        &self,
        run: &SaleRun<'_>,
        initiated: &InitiateSaleResponse,
        report: &mut ScenarioReport,
    ) -> Option<()> {
        let misbehave = &run.sale.misbehave;
        let InitiateSaleResponse {
            endpoint_id,
            invoice_id,
            ..
        } = initiated;
        let flow = run.sale.flow;
        if !misbehave.party_is_empty() {
            let path = party_misbehave_path_of(flow, invoice_id);
            let party = &self.targets().party;
            self.set(run, "party", party, &path, &misbehave.party, report)
                .await?;
        }
        if !misbehave.gateway_is_empty() {
            let path = gateway_misbehave_path_of(flow, endpoint_id, invoice_id);
            let gateway = &self.targets().gateway;
            self.set(run, "gateway", gateway, &path, &misbehave.gateway, report)
                .await?;
        }
        Some(())
    }

    async fn set(
        &self,
        run: &SaleRun<'_>,
        server: &str,
        base: &Url,
        path: &str,
        misbehaviour: &impl Serialize,
        report: &mut ScenarioReport,
    ) -> Option<()> {
        let sale = Some(run.number);
        let what = describe(misbehaviour);
        report.step(
            sale,
            steps::MISBEHAVE,
            format!("{server}: {what} (POST {path})"),
        );
        let posted = match Self::sim_url(base, path) {
            Ok(url) => self.post_sim(&url, misbehaviour).await,
            Err(error) => Err(error),
        };
        match posted {
            Ok(()) => Some(()),
            Err(error) if error.is_missing_path() => {
                report.skip(format!(
                    "the {server} at {base} has no sandbox misbehaviour control (POST {path}: {error})"
                ));
                None
            }
            Err(error) => {
                report.fail(
                    sale,
                    format!("cannot make the {server} misbehave: POST {path}: {error}"),
                );
                None
            }
        }
    }
}

/// `check=wrong-check-signature, delayMs=3000`: the JSON fields sent, for the step log and the diagram.
pub(crate) fn describe(misbehaviour: &impl Serialize) -> String {
    match serde_json::to_value(misbehaviour) {
        Ok(serde_json::Value::Object(fields)) => fields
            .iter()
            .map(|(name, value)| match value {
                serde_json::Value::String(text) => format!("{name}={text}"),
                other => format!("{name}={other}"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Ok(other) => other.to_string(),
        Err(error) => format!("(cannot describe: {error})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sandbox_api::CheckMisbehaviour;
    use sandbox_api::PartyMisbehaviour;

    #[test]
    fn a_misbehaviour_reads_as_its_fields() {
        let party = PartyMisbehaviour {
            check: Some(CheckMisbehaviour::Slow),
            delay_ms: Some(3000),
            ..PartyMisbehaviour::default()
        };
        assert_eq!(describe(&party), "check=slow, delayMs=3000");
    }
}
