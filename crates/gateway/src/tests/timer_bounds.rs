//! Timers die with their sale: 10,000 open 3-D Secure pages arm 10,000 timers; answering them cancels every one,
//! and past `max_sales` the timers alive never outnumber the retained sales. Counted through the gateway's
//! state ([`AppState::live_timers`], [`AppState::live_timer_tasks`]), never by sleeping.

use super::support::gateway;
use crate::AppState;
use crate::sale::check::Checked;
use crate::sale::tests::perform;
use crate::sale::{Sale, ThreeDsAnswer, processing, three_ds};
use dapi::{SaleState, SessionToken};
use std::time::Duration;

const SALES: usize = 10_000;

/// Opens `count` card sales with CVV 321 and starts processing them: each shows the 3-D Secure page.
fn open_three_ds_pages(state: &AppState, first: usize, count: usize) -> Vec<SessionToken> {
    let request = perform("321");
    (first..first + count)
        .map(|n| {
            let token = SessionToken::from(format!("00000000-0000-4000-8000-{n:012}"));
            let invoice = format!("INV-T{n}");
            let sale = Sale::open(
                token.clone(),
                "1234".into(),
                invoice.into(),
                request.clone(),
            );
            state.store().open_sale(sale).unwrap();
            processing::start(state, &token, Checked::default());
            token
        })
        .collect()
}

fn answer_all(state: &AppState, tokens: &[SessionToken]) {
    for (n, token) in tokens.iter().enumerate() {
        let answer = if n % 2 == 0 {
            ThreeDsAnswer::Cancel
        } else {
            ThreeDsAnswer::Submit {
                password: "wrong".into(),
                random_sum: None,
            }
        };
        assert!(matches!(three_ds::answer(state, token, &answer), Ok(false)));
    }
}

/// Waits (yielding, bounded) until the runtime dropped every aborted timer task.
async fn until_no_timer_task(state: &AppState) {
    let reaped = async {
        while state.live_timer_tasks() > 0 {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), reaped)
        .await
        .expect("every cancelled timer task ends");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_answered_or_forgotten_three_ds_sales_leave_no_timer_behind() {
    let state = gateway("http://127.0.0.1:9", |config| {
        config.max_sales = SALES;
        config.endpoints[0].callback_url = None;
        // Long enough that no timer fires during the test: every one that goes is cancelled.
        config.timings.three_ds_timeout = Duration::from_secs(600);
    });
    let first = open_three_ds_pages(&state, 0, SALES);
    let shown = state.store().with_sale(&first[0], Sale::state);
    assert_eq!(shown, Some(SaleState::RedirectRequest));
    assert_eq!(state.live_timers(), SALES, "one timer per open page");
    answer_all(&state, &first);
    assert_eq!(state.live_timers(), 0, "an answered sale keeps no timer");
    until_no_timer_task(&state).await;

    // 10,000 more pages: each forgets one settled sale; the timers alive stay those of the retained sales.
    let second = open_three_ds_pages(&state, SALES, SALES);
    assert_eq!(state.store().sale_count(), SALES);
    assert_eq!(state.live_timers(), SALES);
    assert!(
        state.live_timer_tasks() <= SALES,
        "tasks bounded by retained sales"
    );
    answer_all(&state, &second);
    assert_eq!(state.live_timers(), 0);
    until_no_timer_task(&state).await;
}
