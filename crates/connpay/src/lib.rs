//! connpay
