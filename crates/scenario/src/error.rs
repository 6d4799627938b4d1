//! [`ScenarioError`]: what went wrong, in which file, on which line.

use std::path::{Path, PathBuf};

/// A scenario file that could not be read, parsed or accepted.
///
/// Displays as `file:line: message`, or `file: message` when no line applies (an unreadable
/// file, a scenario without sales).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}", file.display(), line.map(|line| format!(":{line}")).unwrap_or_default())]
pub struct ScenarioError {
    /// The scenario file (or directory) concerned.
    pub file: PathBuf,
    /// 1-based line of the offending key, table or sale, when known.
    pub line: Option<usize>,
    /// What is wrong, on one line.
    pub message: String,
}

impl ScenarioError {
    /// An error at `line` of `file`.
    pub(crate) fn at(file: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    /// A TOML syntax, type or unknown-key error, located by its span.
    pub(crate) fn from_toml(file: &Path, text: &str, error: &toml::de::Error) -> Self {
        let line = error.span().map(|span| line_of(text, span.start));
        // `message()` is the bare reason; `Display` would add a multi-line source excerpt.
        let message = error.message().trim().replace('\n', " ");
        Self::at(file, line, message)
    }
}

/// The 1-based line holding byte `offset` of `text` (an offset past the end counts as the last line).
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let newlines = text
        .bytes()
        .take(offset)
        .filter(|byte| *byte == b'\n')
        .count();
    newlines + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_file_colon_line_colon_message() {
        let error = ScenarioError::at(Path::new("scenarios/01.toml"), Some(7), "amount is zero");
        assert_eq!(error.to_string(), "scenarios/01.toml:7: amount is zero");
    }

    #[test]
    fn display_leaves_the_line_out_when_unknown() {
        let error = ScenarioError::at(Path::new("x.toml"), None, "cannot read");
        assert_eq!(error.to_string(), "x.toml: cannot read");
    }

    #[test]
    fn offsets_map_to_one_based_lines() {
        let text = "a = 1\nb = 2\n\nc = 3";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 5), 1);
        assert_eq!(line_of(text, 6), 2);
        assert_eq!(line_of(text, 13), 4);
        assert_eq!(line_of(text, 999), 4);
    }
}
