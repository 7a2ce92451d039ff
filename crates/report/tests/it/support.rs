//! Sample documents and the poppler-utils helpers (pdftotext, pdfinfo, pdffonts).

use std::io::Write;
use std::process::Command;

use chrono::{TimeZone, Utc};
use report::*;

/// A fixed generation time: 2025-06-01 14:03 UTC.
pub fn generated_at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 14, 3, 0).unwrap()
}

/// FEMA 452's worked example (risk = threat x vulnerability x asset value, asset value 8):
/// T = 2, 6, 5, 8 and V = 9, 8, 4, 2 give 144, 384, 160, 128 (mission-anchors.md §5.1).
/// This crate only writes the numbers it is given; the products are checked by hand here so
/// the sample table is a true one.
pub fn fema_risk_table() -> Table {
    let threats = [
        ("Improvised explosive device", 2.0, 9.0),
        ("Vehicle ramming", 6.0, 8.0),
        ("Armed attack", 5.0, 4.0),
        ("Arson", 8.0, 2.0),
    ];
    let rows = threats
        .iter()
        .map(|&(name, t, v)| {
            let risk: f64 = t * v * 8.0;
            let row = vec![name.into(), t.into(), v.into(), 8.0.into(), risk.into()];
            if risk > 300.0 {
                Row::highlighted(row)
            } else {
                Row::new(row)
            }
        })
        .collect();
    Table {
        caption: Some("Risk per threat".to_string()),
        columns: vec![
            Column::text("Threat"),
            Column::number("Threat (1-10)", 0),
            Column::number("Vulnerability (1-10)", 0),
            Column::number("Consequence (1-10)", 0),
            Column::number("Risk (1-1000)", 0),
        ],
        rows,
    }
}

/// A site report with one block of every kind.
pub fn site_report(marking: Marking) -> Document {
    let mut document = Document::new("Site report: Marienplatz", marking, generated_at());
    document.subtitle = Some("Munich, pedestrian square - assessment 3 (final)".to_string());
    let outline = vec![[0.0, 0.0], [120.0, 0.0], [120.0, 80.0], [0.0, 80.0]];
    document.blocks = vec![
        Block::Heading {
            level: 1,
            text: "Summary".to_string(),
        },
        Block::Paragraph(Paragraph::from_markup(
            "The square is open to vehicles from three streets. **Vehicle ramming** carries the \
             highest risk; the *proposed plan* closes two approaches with rated bollards.",
        )),
        Block::KeyValues(vec![
            KeyValue::new("Site", "Marienplatz"),
            KeyValue::new("Capacity", "8000 persons (enhanced tier)"),
        ]),
        Block::Table(fema_risk_table()),
        Block::Map(Map {
            caption: Some("Site outline, approach paths and entry points".to_string()),
            coordinates: Coordinates::ProjectedMetres,
            features: vec![
                MapFeature {
                    geometry: Geometry::Polygon {
                        exterior: outline,
                        holes: vec![],
                    },
                    style: Style::area(Rgb::new(220, 230, 245), Rgb::new(40, 70, 120)),
                    label: Some("Marienplatz".to_string()),
                },
                MapFeature {
                    geometry: Geometry::Polyline(vec![[-80.0, 40.0], [0.0, 40.0]]),
                    style: Style::line(Rgb::ramp_green_red(0.9), 2.5),
                    label: Some("48 km/h".to_string()),
                },
                MapFeature {
                    geometry: Geometry::Point([0.0, 40.0]),
                    style: Style::point(Rgb::new(215, 25, 28), MarkerShape::Triangle),
                    label: Some("E1".to_string()),
                },
            ],
            height_pt: 220.0,
        }),
        Block::Legend(Legend {
            title: Some("Approach speed".to_string()),
            items: vec![
                LegendItem {
                    label: "< 20 km/h".to_string(),
                    symbol: LegendSymbol::Line(Rgb::ramp_green_red(0.1)),
                },
                LegendItem {
                    label: "> 40 km/h".to_string(),
                    symbol: LegendSymbol::Line(Rgb::ramp_green_red(0.9)),
                },
            ],
        }),
        Block::Chart(Chart {
            caption: Some("Risk per threat".to_string()),
            height_pt: 170.0,
            kind: ChartKind::Bar(BarChart {
                categories: vec![
                    "IED".into(),
                    "Vehicle ramming".into(),
                    "Armed attack".into(),
                    "Arson".into(),
                ],
                values: vec![144.0, 384.0, 160.0, 128.0],
                colours: vec![],
                value_axis_title: Some("Risk".to_string()),
                value_labels: Some(0),
            }),
        }),
        Block::PageBreak,
        Block::Heading {
            level: 1,
            text: "Measure plans".to_string(),
        },
        Block::Chart(Chart {
            caption: Some("Plans: cost against residual risk".to_string()),
            height_pt: 200.0,
            kind: ChartKind::Scatter(ScatterChart {
                x_axis_title: Some("Cost (kEUR)".to_string()),
                y_axis_title: Some("Residual risk".to_string()),
                points: vec![
                    ScatterPoint {
                        x: 0.0,
                        y: 384.0,
                        label: Some("None".into()),
                        on_front: true,
                    },
                    ScatterPoint {
                        x: 40.0,
                        y: 250.0,
                        label: None,
                        on_front: false,
                    },
                    ScatterPoint {
                        x: 60.0,
                        y: 120.0,
                        label: Some("B".into()),
                        on_front: true,
                    },
                    ScatterPoint {
                        x: 150.0,
                        y: 60.0,
                        label: Some("C".into()),
                        on_front: true,
                    },
                ],
                front_name: Some("Pareto front".to_string()),
            }),
        }),
        Block::Chart(Chart {
            caption: Some("Cost by plan".to_string()),
            height_pt: 120.0,
            kind: ChartKind::StackedBars(StackedBarChart {
                categories: vec!["Plan B".into(), "Plan C".into()],
                series: vec![
                    Series {
                        name: "Capital".into(),
                        colour: Rgb::new(49, 104, 155),
                        values: vec![50.0, 120.0],
                    },
                    Series {
                        name: "Running (5 years)".into(),
                        colour: Rgb::new(150, 190, 220),
                        values: vec![10.0, 30.0],
                    },
                ],
                value_axis_title: Some("kEUR".to_string()),
            }),
        }),
        Block::Chart(Chart {
            caption: Some("Evacuation curve N(t)".to_string()),
            height_pt: 150.0,
            kind: ChartKind::Line(LineChart {
                x_axis_title: Some("Time (s)".to_string()),
                y_axis_title: Some("Persons inside".to_string()),
                series: vec![LineSeries {
                    name: "Evacuation".into(),
                    colour: Rgb::new(49, 104, 155),
                    points: vec![[0.0, 8000.0], [60.0, 5200.0], [120.0, 1900.0], [180.0, 0.0]],
                }],
            }),
        }),
        Block::Chart(Chart {
            caption: Some("Risk matrix".to_string()),
            height_pt: 200.0,
            kind: ChartKind::RiskMatrix(risk_matrix()),
        }),
    ];
    document
}

pub fn risk_matrix() -> RiskMatrix {
    let labels: Vec<String> = (1..=5).map(|i| i.to_string()).collect();
    let mut matrix = RiskMatrix::product_bands(
        labels.clone(),
        labels,
        &[
            RiskBand {
                max_product: 4,
                colour: Rgb::new(26, 150, 65),
            },
            RiskBand {
                max_product: 12,
                colour: Rgb::new(255, 192, 0),
            },
            RiskBand {
                max_product: 25,
                colour: Rgb::new(215, 25, 28),
            },
        ],
    );
    matrix.row_axis_title = Some("Likelihood".to_string());
    matrix.column_axis_title = Some("Consequence".to_string());
    matrix.markers = vec![
        MatrixMarker {
            row: 3,
            column: 4,
            label: "VR".into(),
        },
        MatrixMarker {
            row: 3,
            column: 4,
            label: "AA".into(),
        },
        MatrixMarker {
            row: 0,
            column: 2,
            label: "AR".into(),
        },
    ];
    matrix
}

/// Whether poppler-utils can be used. Missing tools skip the test with a message, except
/// under `CI` (set by CI), where they must be there (`scripts/test` installs them).
pub fn poppler_available(test: &str) -> bool {
    let found = Command::new("pdftotext").arg("-v").output().is_ok();
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!(
                "{test}: pdftotext (Debian poppler-utils) is missing and CI is set; scripts/test installs it"
            );
        }
        eprintln!("{test}: skipped, pdftotext (Debian poppler-utils) is not installed");
    }
    found
}

/// A PDF written to a temporary file for the poppler tools.
pub struct PdfFile {
    file: tempfile::NamedTempFile,
}

impl PdfFile {
    pub fn new(bytes: &[u8]) -> Self {
        let mut file = tempfile::Builder::new().suffix(".pdf").tempfile().unwrap();
        file.write_all(bytes).unwrap();
        file.flush().unwrap();
        PdfFile { file }
    }

    fn run(&self, program: &str, args: &[&str]) -> String {
        let output = Command::new(program)
            .args(args)
            .arg(self.file.path())
            .args(if program == "pdftotext" {
                &["-"][..]
            } else {
                &[][..]
            })
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{program} failed: {stderr}");
        // poppler reports damaged files (bad xref, bad streams) on stderr even when it recovers.
        assert!(stderr.trim().is_empty(), "{program} complained: {stderr}");
        String::from_utf8(output.stdout).unwrap()
    }

    /// The text of pages `first..=last`, in reading order.
    pub fn text(&self, first: usize, last: usize) -> String {
        self.run(
            "pdftotext",
            &["-f", &first.to_string(), "-l", &last.to_string()],
        )
    }

    /// The text of pages `first..=last`, laid out as on the page (rows stay on one line).
    pub fn layout_text(&self, first: usize, last: usize) -> String {
        self.run(
            "pdftotext",
            &["-layout", "-f", &first.to_string(), "-l", &last.to_string()],
        )
    }

    /// `pdftotext -bbox`: every word with its box, as (word, x_min, y_min, x_max, y_max).
    pub fn words(&self, page: usize) -> Vec<(String, f64, f64, f64, f64)> {
        let html = self.run(
            "pdftotext",
            &["-bbox", "-f", &page.to_string(), "-l", &page.to_string()],
        );
        html.lines()
            .filter(|line| line.trim_start().starts_with("<word "))
            .map(|line| {
                let attr = |name: &str| -> f64 {
                    let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                    line[start..].split('"').next().unwrap().parse().unwrap()
                };
                let word = line
                    .split('>')
                    .nth(1)
                    .unwrap()
                    .split('<')
                    .next()
                    .unwrap()
                    .to_string();
                (word, attr("xMin"), attr("yMin"), attr("xMax"), attr("yMax"))
            })
            .collect()
    }

    /// `pdfinfo`'s value for `key` ("Pages", "Title", "Page size", "PDF version").
    pub fn info(&self, key: &str) -> String {
        let info = self.run("pdfinfo", &[]);
        info.lines()
            .find_map(|line| line.strip_prefix(&format!("{key}:")))
            .unwrap_or_else(|| panic!("pdfinfo has no {key}: {info}"))
            .trim()
            .to_string()
    }

    /// `pdffonts`' table.
    pub fn fonts(&self) -> String {
        self.run("pdffonts", &[])
    }
}
