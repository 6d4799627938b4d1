//! `mobile-client validate`, `mobile-client list` and `mobile-client schema`: scenario files read, never run, and
//! their JSON Schema.

use crate::client::{EXIT_BAD_INPUT, EXIT_PASSED};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Checks the scenario files and prints `file:line: message` for each problem, or one `ok` line per file.
pub fn validate(paths: &[PathBuf], out: &mut impl Write) -> std::io::Result<ExitCode> {
    let loaded = scenario::load_paths(paths);
    for scenario in &loaded.scenarios {
        writeln!(out, "ok     {}", scenario.file.display())?;
    }
    for error in &loaded.errors {
        writeln!(out, "error  {error}")?;
    }
    writeln!(
        out,
        "{} valid, {} invalid",
        loaded.scenarios.len(),
        loaded.errors.len()
    )?;
    let fine = loaded.errors.is_empty() && !loaded.scenarios.is_empty();
    Ok(ExitCode::from(if fine {
        EXIT_PASSED
    } else {
        EXIT_BAD_INPUT
    }))
}

/// Prints the scenario files' JSON Schema, as committed in `scenarios/scenario.schema.json`.
pub fn schema(out: &mut impl Write) -> std::io::Result<ExitCode> {
    let text = scenario::schema::json_schema_text().map_err(std::io::Error::other)?;
    out.write_all(text.as_bytes())?;
    Ok(ExitCode::from(EXIT_PASSED))
}

/// Prints one line per scenario: file, name, number of verifications and sales, and the description.
pub fn list(paths: &[PathBuf], out: &mut impl Write) -> std::io::Result<ExitCode> {
    let loaded = scenario::load_paths(paths);
    let width = loaded
        .scenarios
        .iter()
        .map(|scenario| file_name(scenario).len())
        .max()
        .unwrap_or_default();
    let counts: Vec<String> = loaded.scenarios.iter().map(counted).collect();
    let counts_width = counts.iter().map(String::len).max().unwrap_or_default();
    for (scenario, counts) in loaded.scenarios.iter().zip(&counts) {
        let description = scenario.description.as_deref().unwrap_or_default();
        writeln!(
            out,
            "{:width$}  {counts:counts_width$}  {}: {description}",
            file_name(scenario),
            scenario.name
        )?;
    }
    for error in &loaded.errors {
        writeln!(out, "error  {error}")?;
    }
    Ok(ExitCode::from(if loaded.errors.is_empty() {
        EXIT_PASSED
    } else {
        EXIT_BAD_INPUT
    }))
}

/// `2 sales`, `1 verification`, `1 verification, 1 sale`.
fn counted(scenario: &scenario::Scenario) -> String {
    let count = |flow| {
        scenario
            .sales
            .iter()
            .filter(|sale| sale.flow == flow)
            .count()
    };
    let (verifications, sales) = (count(dapi::Flow::Verification), count(dapi::Flow::Sale));
    let named = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    match (verifications, sales) {
        (0, sales) => named(sales, "sale", "sales"),
        (verifications, 0) => named(verifications, "verification", "verifications"),
        (verifications, sales) => format!(
            "{}, {}",
            named(verifications, "verification", "verifications"),
            named(sales, "sale", "sales")
        ),
    }
}

fn file_name(scenario: &scenario::Scenario) -> String {
    scenario.file.file_name().map_or_else(
        || scenario.file.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenarios() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
    }

    #[test]
    fn the_repository_scenarios_validate_and_list() {
        let mut out = Vec::new();
        assert_eq!(
            validate(&[scenarios()], &mut out).unwrap(),
            ExitCode::from(EXIT_PASSED)
        );
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.lines().last().unwrap().ends_with("valid, 0 invalid"),
            "{text}"
        );
        let mut out = Vec::new();
        list(&[scenarios()], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.lines().any(|line| line.starts_with("03-3ds-approved.toml") && line.contains("3-D Secure")), "{text}");
        let verified = text
            .lines()
            .find(|line| line.starts_with("40-verification-then-sale-by-reference.toml"));
        assert!(
            verified.is_some_and(|line| line.contains("  1 verification, 1 sale  ")),
            "{text}"
        );
    }

    #[test]
    fn schema_prints_the_committed_scenario_schema() {
        let mut out = Vec::new();
        assert_eq!(schema(&mut out).unwrap(), ExitCode::from(EXIT_PASSED));
        let committed = std::fs::read(scenarios().join("scenario.schema.json")).unwrap();
        assert!(
            out == committed,
            "regenerate scenarios/scenario.schema.json"
        );
    }

    #[test]
    fn a_broken_file_is_reported_with_its_line() {
        let dir = std::env::temp_dir().join(format!("connpay-validate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("broken.toml");
        std::fs::write(&file, "name = \"x\"\n[consumer]\nserial_numbr = \"SN\"\n").unwrap();
        let mut out = Vec::new();
        assert_eq!(
            validate(std::slice::from_ref(&file), &mut out).unwrap(),
            ExitCode::from(EXIT_BAD_INPUT)
        );
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("broken.toml:3:"), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
