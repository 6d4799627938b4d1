//! The sandbox-only 3-D Secure pages (spec 3.6 decision): `GET /sim/3ds/{token}` (the form),
//! `POST /sim/3ds/{token}` (the "3DS status update", answered `303 See Other`) and `GET /sim/3ds/{token}/done`
//! (the "close browser request").

use crate::error::ThreeDsError;
use crate::pages::{ClosePage, ThreeDsForm};
use crate::sale::ThreeDsAnswer;
use crate::sale::three_ds::{answer as answer_page, page, page_url};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{Html, Redirect};
use axum::routing::get;
use dapi::SessionToken;
use sandbox_api::three_ds::{
    THREE_DS_ACTION_FIELD, THREE_DS_CANCEL, THREE_DS_PASSWORD_FIELD, THREE_DS_RANDOM_SUM_FIELD,
    THREE_DS_SUBMIT,
};
use schemars::JsonSchema;
use serde::Deserialize;
use server_kit::{BodyError, Failure, FormBody};
use std::collections::HashMap;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/sim/3ds/{token}", get(form).post(answer))
        .route("/sim/3ds/{token}/done", get(done))
}

type TokenPath = Result<Path<SessionToken>, PathRejection>;
type Fail = Failure<ThreeDsError>;

fn token(path: TokenPath) -> Result<SessionToken, ThreeDsError> {
    path.map(|Path(token)| token)
        .map_err(|_| ThreeDsError::UnknownToken)
}

async fn form(State(state): State<AppState>, path: TokenPath) -> Result<Html<String>, Fail> {
    let token = token(path)?;
    let shown = page(&state, &token)?;
    // The form posts back to the page itself (absolute, from `public_url`, like `redirectUrl`).
    let action = page_url(state.config(), &token);
    let form = ThreeDsForm::new(&shown, &action, &state.config().three_ds_password);
    Ok(Html(form.render().map_err(ThreeDsError::Page)?))
}

async fn answer(
    State(state): State<AppState>,
    path: TokenPath,
    form: Result<FormBody<HashMap<String, String>>, BodyError>,
) -> Result<Redirect, Fail> {
    let token = token(path)?;
    if !state.store().knows(&token) {
        return Err(ThreeDsError::UnknownToken.into());
    }
    let FormBody(fields) =
        form.map_err(|error| ThreeDsError::BadForm(error.violations().to_string()))?;
    let passed = answer_page(&state, &token, &parse_answer(&fields)?)?;
    state.store().journal().flushed().await;
    let result = if passed { "success" } else { "failure" };
    let url = page_url(state.config(), &token);
    Ok(Redirect::to(&format!("{url}/done?result={result}")))
}

/// `action=submit` with a `password` (and the random sum, when asked), or `action=cancel`.
fn parse_answer(fields: &HashMap<String, String>) -> Result<ThreeDsAnswer, ThreeDsError> {
    let action = fields.get(THREE_DS_ACTION_FIELD).map(String::as_str);
    let password = fields.get(THREE_DS_PASSWORD_FIELD);
    let random_sum = fields
        .get(THREE_DS_RANDOM_SUM_FIELD)
        .map(|typed| typed.trim().to_owned())
        .filter(|typed| !typed.is_empty());
    match (action, password) {
        (Some(THREE_DS_CANCEL), _) => Ok(ThreeDsAnswer::Cancel),
        (Some(THREE_DS_SUBMIT), Some(password)) => Ok(ThreeDsAnswer::Submit {
            password: password.clone(),
            random_sum,
        }),
        (Some(THREE_DS_SUBMIT), None) => Err(ThreeDsError::BadForm(format!(
            "{THREE_DS_PASSWORD_FIELD} is required"
        ))),
        _ => Err(ThreeDsError::BadForm(format!(
            "{THREE_DS_ACTION_FIELD} must be {THREE_DS_SUBMIT} or {THREE_DS_CANCEL}"
        ))),
    }
}

/// The query of the close page: `?result=success` or `?result=failure`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct DoneQuery {
    /// `success` or `failure`: what the page reports; anything else shows a neutral page.
    result: Option<String>,
}

async fn done(
    State(state): State<AppState>,
    path: TokenPath,
    uri: Uri,
) -> Result<Html<String>, Fail> {
    let token = token(path)?;
    if !state.store().knows(&token) {
        return Err(ThreeDsError::UnknownToken.into());
    }
    let success = server_kit::parse_query::<DoneQuery>(uri.query())
        .ok()
        .and_then(|query| query.result)
        .map(|result| result == "success");
    Ok(Html(
        ClosePage::new(success)
            .render()
            .map_err(ThreeDsError::Page)?,
    ))
}
