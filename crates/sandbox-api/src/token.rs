//! [`SandboxToken`]: the shared secret that protects a server's sandbox control plane (`--sandbox-token`). A
//! `/sim` write and the delivery list then need `Authorization: Bearer TOKEN`; the mobile client sends it on
//! every `/sim` call. The token is compared in constant time and never shown: its `Debug` is redacted and no
//! error repeats it.

use std::fmt;
use subtle::ConstantTimeEq;

/// The shortest token accepted: a guessable one protects nothing.
pub const MIN_TOKEN_CHARS: usize = 8;
/// The longest token accepted (it travels in a header).
pub const MAX_TOKEN_CHARS: usize = 256;

/// A sandbox control plane token: 8–256 visible ASCII characters, no spaces.
#[derive(Clone, PartialEq, Eq)]
pub struct SandboxToken(Box<str>);

/// Why a text is no sandbox token; never contains the text itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Shorter than [`MIN_TOKEN_CHARS`] or longer than [`MAX_TOKEN_CHARS`].
    #[error("must be {MIN_TOKEN_CHARS} to {MAX_TOKEN_CHARS} characters long")]
    Length,
    /// Holds a space, a control character or a non-ASCII character.
    #[error("must be visible ASCII characters only (no spaces)")]
    Characters,
}

impl SandboxToken {
    /// Reads a token.
    ///
    /// # Errors
    /// [`TokenError`], which never repeats the text.
    pub fn parse(text: &str) -> Result<Self, TokenError> {
        if !(MIN_TOKEN_CHARS..=MAX_TOKEN_CHARS).contains(&text.chars().count()) {
            return Err(TokenError::Length);
        }
        if !text.chars().all(|c| c.is_ascii_graphic()) {
            return Err(TokenError::Characters);
        }
        Ok(Self(text.into()))
    }

    /// Whether an `Authorization` header value is `Bearer {this token}`; the token part is compared in constant
    /// time (its length may show, its content does not).
    pub fn admits(&self, authorization: Option<&[u8]>) -> bool {
        let Some(credentials) = authorization.and_then(|value| value.strip_prefix(b"Bearer "))
        else {
            return false;
        };
        credentials.ct_eq(self.0.as_bytes()).into()
    }

    /// The `Authorization` header value that carries this token.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl fmt::Debug for SandboxToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SandboxToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_bearer_header_with_the_same_token_is_admitted() {
        let token = SandboxToken::parse("team-secret-1").unwrap();
        assert!(token.admits(Some(b"Bearer team-secret-1")));
        for refused in [
            &b"Bearer team-secret-2"[..],
            b"Bearer team-secret-",
            b"Bearer team-secret-11",
            b"bearer team-secret-1",
            b"Basic team-secret-1",
            b"team-secret-1",
            b"",
        ] {
            assert!(!token.admits(Some(refused)), "{refused:?}");
        }
        assert!(!token.admits(None));
        assert_eq!(token.bearer(), "Bearer team-secret-1");
    }

    #[test]
    fn bad_tokens_are_refused_without_repeating_them_and_debug_hides_them() {
        for (text, error) in [
            ("short", TokenError::Length),
            ("with a space", TokenError::Characters),
            ("tab\tinside!", TokenError::Characters),
            ("ünicode-token", TokenError::Characters),
        ] {
            let refused = SandboxToken::parse(text).unwrap_err();
            assert_eq!(refused, error, "{text}");
            assert!(!refused.to_string().contains(text));
        }
        assert!(SandboxToken::parse(&"x".repeat(MAX_TOKEN_CHARS + 1)).is_err());
        let token = SandboxToken::parse("team-secret-1").unwrap();
        assert_eq!(format!("{token:?}"), "SandboxToken(<redacted>)");
    }
}
