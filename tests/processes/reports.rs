//! What a CI gets from `mobile-client run`: JUnit XML, the JSON report, Mermaid diagrams and the one-line
//! summary of a failing scenario, from the real binary.

use crate::mobile_client;
use e2e::{TempDir, scenarios_dir};

const WRONG_EXPECTATION: &str = r#"
description = "an approved sale expected as declined: must fail, with its diagram"
[consumer]
serial_number = "SN-REPORTS-1"
printed_name = "JANE DOE"
[[sale]]
amount_centis = 700
currency = "EUR"
card = { number = "4111111111111111", security_code = "123", expiry_month = 12, expiry_year = 2030 }
[sale.expect]
state = "DECLINED"
"#;

#[tokio::test]
async fn junit_json_and_diagrams_describe_a_failing_and_a_passing_scenario() {
    let dir = TempDir::new("reports");
    let failing = dir.0.join("wrong-expectation.toml");
    std::fs::write(&failing, WRONG_EXPECTATION).unwrap();
    let passing = scenarios_dir().join("03-3ds-approved.toml");
    let (junit, json, diagrams) = (
        dir.0.join("report.xml"),
        dir.0.join("report.json"),
        dir.0.join("diagrams"),
    );
    let args = [
        "run",
        passing.to_str().unwrap(),
        failing.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "--diagrams",
        diagrams.to_str().unwrap(),
    ];
    let (code, stdout) = mobile_client(&args).await;
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|line| line.trim() == "1 passed, 1 failed"),
        "{stdout}"
    );
    let diagram = diagrams.join("wrong-expectation.mmd");
    assert!(
        stdout.contains(&format!("diagram: {}", diagram.display())),
        "{stdout}"
    );

    let xml = std::fs::read_to_string(&junit).unwrap();
    let document = roxmltree::Document::parse(&xml).expect("valid XML");
    let cases: Vec<_> = document
        .descendants()
        .filter(|node| node.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 2, "{xml}");
    let failed: Vec<_> = cases
        .iter()
        .filter(|case| case.children().any(|child| child.has_tag_name("failure")))
        .collect();
    assert_eq!(failed.len(), 1, "{xml}");
    assert!(
        failed[0]
            .attribute("classname")
            .unwrap_or_default()
            .contains("wrong-expectation"),
        "{xml}"
    );
    assert!(
        !xml.contains("4111111111111111"),
        "a full card number in the JUnit report"
    );

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["summary"]["passed"], 1);
    assert_eq!(report["summary"]["failed"], 1);
    let scenarios = report["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 2);
    let steps = scenarios[0]["steps"].as_array().unwrap();
    assert!(
        steps.iter().any(|step| step["step"] == 16),
        "the 3-D Secure status update is in the JSON steps"
    );

    let mermaid = std::fs::read_to_string(&diagram).unwrap();
    assert!(mermaid.starts_with("sequenceDiagram"), "{mermaid}");
    assert!(mermaid.contains("6 Perform sale request"), "{mermaid}");
    assert_eq!(std::fs::read_dir(&diagrams).unwrap().count(), 2);
}
