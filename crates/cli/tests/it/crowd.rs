//! `agora crowd run` on scenario files, end to end through the real binary.

use std::process::{Command, Output};

use crate::server::agora_binary;

fn agora(arguments: &[&str]) -> Output {
    Command::new(agora_binary())
        .args(arguments)
        .env("RUST_LOG", "warn")
        .output()
        .expect("agora runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A 10 m × 4 m corridor, eight people in two columns (x 1 and 2 m) of four rows 1 m apart
/// walking 1.25 m/s (fixed) to the east end, each row to its own exit straight ahead (agents
/// head for the centre of their exit), in the issue's scenario format.
const CORRIDOR: &str = r#"{
  "walkable": {"outer": [[0,0],[10,0],[10,4],[0,4]]},
  "exits": [{"name": "row 1", "polygon": [[9.5,0],[10,0],[10,1],[9.5,1]]},
            {"name": "row 2", "polygon": [[9.5,1],[10,1],[10,2],[9.5,2]]},
            {"name": "row 3", "polygon": [[9.5,2],[10,2],[10,3],[9.5,3]]},
            {"name": "row 4", "polygon": [[9.5,3],[10,3],[10,4],[9.5,4]]}],
  "populations": [
    {"positions": [[1,0.5],[2,0.5]], "exit": "row 1", "speed_mps": 1.25, "radius_m": 0.2, "premovement_s": 0},
    {"positions": [[1,1.5],[2,1.5]], "exit": "row 2", "speed_mps": 1.25, "radius_m": 0.2, "premovement_s": 0},
    {"positions": [[1,2.5],[2,2.5]], "exit": "row 3", "speed_mps": 1.25, "radius_m": 0.2, "premovement_s": 0},
    {"positions": [[1,3.5],[2,3.5]], "exit": "row 4", "speed_mps": 1.25, "radius_m": 0.2, "premovement_s": 0}],
  "model": {"kind": "cfsm"},
  "dt_s": 0.01, "max_time_s": 60, "seed": 42
}"#;

/// Hand physics (CFSM, crowd.md §1.3; rows 1 m apart repel by 8 e^-6, negligible): the front
/// column walks 7.5 m to the exits' edge at 1.25 m/s, 6.0 s. Each rear walker starts 1 m
/// behind one in front, gap s = 1 − 0.4 = 0.6 m, speed s/T with T = 1 s; the gap obeys
/// ds/dt = 1.25 − s, so the rear walker loses (1.25 − 0.6) T = 0.65 m on free walking and
/// needs (8.5 + 0.65) / 1.25 = 7.32 s.
#[test]
fn crowd_run_prints_the_figures_of_a_scenario_file() {
    let directory = tempfile::tempdir().unwrap();
    let scenario = directory.path().join("corridor.json");
    std::fs::write(&scenario, CORRIDOR).unwrap();
    let trajectories = directory.path().join("trajectories.csv");
    let output = agora(&[
        "crowd",
        "run",
        scenario.to_str().unwrap(),
        "--trajectories",
        trajectories.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let table = text(&output.stdout);
    println!("{table}");
    assert!(table.contains("agents_evacuated      8 of 8"), "{table}");
    let line = |name: &str| {
        table
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} in {table}"))
            .to_string()
    };
    let evacuation: f64 = line("evacuation_time_s")
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (evacuation - 7.32).abs() <= 0.05,
        "{evacuation} s vs 7.32 s by hand"
    );
    for row in 1..=4 {
        let exit_row = line(&format!("row {row}"));
        assert_eq!(exit_row.split_whitespace().nth(2), Some("2"), "{table}");
    }
    // Everyone starts alone in a 1 m² density cell (1 /m²), and no cell ever holds two people
    // (columns 1 m apart, rows 1 m apart).
    let peak: f64 = line("peak_density_per_m2")
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert!((peak - 1.0).abs() < 0.01, "{table}");
    let csv = std::fs::read_to_string(&trajectories).unwrap();
    assert!(
        csv.starts_with("time_s,agent,x_m,y_m\n0,0,1.0000,0.5000\n"),
        "{}",
        &csv[..80]
    );

    let json = agora(&[
        "crowd",
        "run",
        scenario.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(json.status.success(), "{}", text(&json.stderr));
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["agents_evacuated"], 8);
    assert_eq!(value["exits"][0]["name"], "row 1");
    assert_eq!(value["exits"][0]["count"], 2);
    assert_eq!(value["evacuation_time_s"].as_f64().unwrap(), evacuation);
    assert!((value["peak_density_per_m2"].as_f64().unwrap() - 1.0).abs() < 1e-9);
}

#[test]
fn crowd_run_names_the_bad_field() {
    let directory = tempfile::tempdir().unwrap();
    let bad = directory.path().join("bad.json");
    let check = |content: &str, expected: &str| {
        std::fs::write(&bad, content).unwrap();
        let output = agora(&["crowd", "run", bad.to_str().unwrap()]);
        assert!(!output.status.success());
        let message = text(&output.stderr);
        assert!(
            message.contains(expected),
            "expected {expected:?} in {message}"
        );
    };
    check(
        &CORRIDOR.replacen(r#""radius_m": 0.2"#, r#""radius_m": "wide""#, 1),
        r#"populations[0].radius_m: invalid type: string "wide", expected f64 (line 8"#,
    );
    check(
        &CORRIDOR.replace(r#""name": "row 1", "#, ""),
        "exits[0]: missing field `name` (line 3",
    );
    check(
        &CORRIDOR.replacen(r#""radius_m""#, r#""radius""#, 1),
        "unknown field `radius`",
    );
    check(
        &CORRIDOR.replace("\"seed\": 42", "\"seed\": 42,"),
        "bad.json: trailing comma (line 14, column 1)",
    );
    check(
        &CORRIDOR.replace(r#""dt_s": 0.01"#, r#""dt_s": 0.5"#),
        "dt_s: 0.5 s is too large",
    );
}

/// `crowd validate` prints the table of the cases it ran and fails when one fails: V1 (RiMEA 1)
/// passes; V7 (the 2-D fundamental diagram) is a known gap of the CFSM at T = 1 s and fails.
#[test]
fn crowd_validate_prints_the_table_of_the_cases_run() {
    let output = agora(&["crowd", "validate", "--case", "V1"]);
    let table = text(&output.stdout);
    assert!(output.status.success(), "{}{}", table, text(&output.stderr));
    let row = table
        .lines()
        .find(|l| l.starts_with("V1 "))
        .expect("a V1 row");
    assert!(
        row.contains("40 m in 30.07") && row.ends_with("pass"),
        "{row}"
    );
    assert!(table.contains("all 1 validation cases passed"), "{table}");

    let output = agora(&["crowd", "validate", "--case", "V99"]);
    assert!(text(&output.stderr).contains("no validation case \"V99\"; the cases are V1, V2"));
}
