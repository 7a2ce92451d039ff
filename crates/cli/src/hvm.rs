//! `agora hvm`: hostile-vehicle analysis from a shell, on an OSM file and a GeoJSON area, or on a
//! stored site (the study is then stored like one run from the web UI).

use std::path::PathBuf;

use anyhow::{Context, bail};
use app::{EntryReport, HvmRequest, HvmResult, HvmSummary};
use clap::{Args, ValueEnum};

/// Arguments of `agora hvm`.
#[derive(Args)]
pub struct HvmArgs {
    /// An OpenStreetMap extract (.osm.pbf, .osm, .osm.gz) to analyse the --area on (nothing is
    /// stored).
    #[arg(long, requires = "area", conflicts_with = "site")]
    map: Option<PathBuf>,
    /// The protected area: a GeoJSON Polygon or MultiPolygon, or a Feature / FeatureCollection
    /// holding one (WGS84).
    #[arg(long, requires = "map")]
    area: Option<PathBuf>,
    /// A stored site, by its exact name: analysed on the database's current map, and stored as a
    /// study of that site.
    #[arg(long)]
    site: Option<String>,
    /// The user the study is run for (with --site).
    #[arg(long = "as", value_name = "USERNAME", default_value = app::DEMO_USERNAME)]
    as_user: String,
    /// Vehicle classes, comma-separated (default: all): M1, N1G, N1, N2A, N3C, N3D, ...
    #[arg(long, value_delimiter = ',')]
    vehicle: Vec<String>,
    /// worst-case (ignore one-way and access rules: the default) or compliant.
    #[arg(long, default_value = "worst-case")]
    rules: String,
    /// A JSON file of temporary barriers and openings to add:
    /// {"added_barriers": [{"kind": "block", "rating": "V/7200[N2A]/48/90:8.3/0.0", "line": [[lon, lat], ...]}],
    ///  "openings": [{"at": [lon, lat], "width_m": 4.0}]}
    #[arg(long)]
    changes: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// How `agora hvm` prints its findings.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// One line per entry and vehicle.
    Table,
    /// Summary, every entry with every vehicle's figures, paths and bends, and the diagnostics.
    Json,
    /// A FeatureCollection: entry points and approach paths (WGS84).
    Geojson,
}

/// Runs `agora hvm`.
pub async fn run(db: &str, args: HvmArgs) -> anyhow::Result<()> {
    let mut request = HvmRequest {
        vehicles: args.vehicle.clone(),
        rules: args.rules.parse()?,
        ..HvmRequest::default()
    };
    // Fail on a bad vehicle list before any slow work.
    app::requested_vehicles(&request.vehicles)?;
    if let Some(path) = &args.changes {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let changes: app::HvmChanges = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a valid changes file", path.display()))?;
        request.added_barriers = changes.added_barriers;
        request.openings = changes.openings;
    }
    let progress = indicatif::ProgressBar::new_spinner();
    progress.enable_steady_tick(std::time::Duration::from_millis(120));
    let outcome = analyse(db, &args, request, &progress).await;
    progress.finish_and_clear();
    let (title, map, result) = outcome?;
    match args.format {
        Format::Table => print_table(&title, &map, &result),
        Format::Json => {
            let report = serde_json::json!({
                "area": title,
                "map": map,
                "engine": app::hvm_engine_version(),
                "summary": result.summary(),
                "vehicles": result.vehicles.iter().map(|v| serde_json::json!({
                    "code": v.code,
                    "description": v.description,
                    "mass_kg": v.mass_kg,
                    "verified": v.verified,
                })).collect::<Vec<_>>(),
                "entries": result.entry_reports(),
                "diagnostics": result.analysis.diagnostics,
            });
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        Format::Geojson => {
            println!("{}", serde_json::to_string_pretty(&result.to_geojson())?);
        }
    }
    Ok(())
}

/// Runs the analysis; returns what was analysed, the map it read, and the result.
async fn analyse(
    db: &str,
    args: &HvmArgs,
    request: HvmRequest,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<(String, String, HvmResult)> {
    match (&args.map, &args.area, &args.site) {
        (Some(map_path), Some(area_path), None) => {
            let area_text = std::fs::read_to_string(area_path)
                .with_context(|| format!("reading {}", area_path.display()))?;
            let area = app::parse_area_geojson(&area_text, &area_path.display().to_string())?;
            progress.set_message(format!("reading {}", map_path.display()));
            let extract = app::read_osm_extract(map_path).await?;
            progress.set_message("analysing every approach");
            let map_name = map_path.display().to_string();
            let result = tokio::task::spawn_blocking(move || {
                let map = app::LoadedMap::new(String::new(), extract);
                app::analyse_outline(&map, &area, &request)
            })
            .await
            .context("analysis task failed")??;
            Ok((area_path.display().to_string(), map_name, result))
        }
        (None, None, Some(site_name)) => {
            let app = crate::open(db).await?;
            let actor = app.command_line_actor(&args.as_user).await?;
            let site = crate::site_named(&app, &actor, site_name).await?;
            progress.set_message(format!("analysing every approach to {site_name}"));
            let (study, result) = app.run_hvm_study(&actor, site.id, request).await?;
            let map = study.study.map_sha256.clone().unwrap_or_default();
            eprintln!("stored as study {}", study.id);
            Ok((
                site_name.clone(),
                format!("map source sha256 {map}"),
                result,
            ))
        }
        _ => bail!("give either --site NAME, or --map FILE.osm.pbf with --area AREA.geojson"),
    }
}

fn print_table(title: &str, map: &str, result: &HvmResult) {
    let HvmSummary {
        entries,
        open_entries,
        fastest,
        most_energetic,
    } = result.summary();
    println!("Vehicle-approach analysis of {title}");
    println!("map: {map}; engine: {}", app::hvm_engine_version());
    println!(
        "{entries} entry points; {open_entries} open to at least one vehicle class. Speeds are the \
         highest physically possible at the perimeter (hvm.md §6.2)."
    );
    if let Some(fastest) = fastest {
        println!(
            "fastest: {} at {} — {:.1} km/h; most energetic: {}",
            fastest.vehicle,
            fastest.entry,
            fastest.speed_kmh,
            most_energetic
                .map(|impact| format!(
                    "{} at {} — {:.0} kJ",
                    impact.vehicle, impact.entry, impact.energy_kj
                ))
                .unwrap_or_default()
        );
    }
    println!();
    println!(
        "{:<5} {:<34} {:>7}  {:<7} {:<19} {:>10} {:>10} {:>6} {:>9}  required rating",
        "entry",
        "way",
        "width",
        "vehicle",
        "status",
        "speed km/h",
        "energy kJ",
        "angle",
        "run-up m"
    );
    for entry in result.entry_reports() {
        print_entry(&entry);
    }
    println!("* width not mapped: the default for the way's kind");
    let notes = result.analysis.diagnostics.len();
    if notes > 0 {
        println!();
        println!("{notes} notes on the map data (defaults used, ways left out): see --format json");
    }
}

fn print_entry(entry: &EntryReport) {
    let way = match &entry.way_name {
        Some(name) => format!("{name} ({})", entry.way),
        None => entry.way.clone(),
    };
    let width = format!(
        "{:.1} m{}",
        entry.width_m,
        match entry.width_source {
            app::vehicle_approach::WidthSource::Mapped => "",
            app::vehicle_approach::WidthSource::DefaultForKind => "*",
        }
    );
    for (index, vehicle) in entry.vehicles.iter().enumerate() {
        let (entry_label, way, width) = if index == 0 {
            (entry.entry.as_str(), truncate(&way, 34), width.as_str())
        } else {
            ("", String::new(), "")
        };
        match &vehicle.approach {
            Some(approach) => println!(
                "{:<5} {:<34} {:>7}  {:<7} {:<19} {:>10.1} {:>10.0} {:>6.0} {:>9.1}  {}",
                entry_label,
                way,
                width,
                vehicle.vehicle,
                vehicle.status,
                approach.speed_kmh,
                approach.energy_kj,
                approach.angle_deg,
                approach.run_up_m,
                approach.required_rating
            ),
            None => {
                let faced = vehicle
                    .unprotected_approach
                    .as_ref()
                    .map(|approach| {
                        format!(
                            "barriers face {:.1} km/h, need {}",
                            approach.speed_kmh, approach.required_rating
                        )
                    })
                    .unwrap_or_default();
                println!(
                    "{:<5} {:<34} {:>7}  {:<7} {:<19} {:>10} {:>10} {:>6} {:>9}  {}",
                    entry_label,
                    way,
                    width,
                    vehicle.vehicle,
                    vehicle.status,
                    "-",
                    "-",
                    "-",
                    "-",
                    faced
                );
            }
        }
    }
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}
