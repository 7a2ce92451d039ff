//! `agora`: the one binary. `agora serve --demo` runs the web app on an embedded SQLite database with
//! the Munich demo city; the other subcommands do the same work as the web UI from a shell, through
//! the same `app` use cases.

use std::io::{IsTerminal, Read};
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use app::{App, SessionPolicy};
use clap::{Args, Parser, Subcommand};
use domain::{OrganisationKind, Role};

mod assess;
mod bench_hvm;
mod crowd;
mod crowd_site;
mod hvm;
mod report;

/// The site of the actor's organisation with exactly this name, or an error that says how to
/// list the names.
pub(crate) async fn site_named(
    app: &App,
    actor: &app::Actor,
    name: &str,
) -> anyhow::Result<domain::Site> {
    app.site_named(actor, name)
        .await
        .map_err(|error| match error {
            app::AppError::NotFound(message) => anyhow::anyhow!(
                "{message} (see `agora site list --as {}`)",
                actor.user.username
            ),
            other => other.into(),
        })
}

/// The demo city's OpenStreetMap extract (© OpenStreetMap contributors, ODbL), compiled in so the
/// demo runs from the binary alone.
const DEMO_EXTRACT: &[u8] = include_bytes!("../../../data/demo/munich-altstadt-2020.osm.pbf");
/// Which of the extract's public spaces the demo loads as sites.
const DEMO_MANIFEST: &str = include_str!("../../../data/demo/sites.toml");

#[derive(Parser)]
#[command(
    name = "agora",
    version,
    about = "Agora: protect public spaces without turning them into bunkers"
)]
struct Cli {
    /// Database URL: sqlite://PATH (embedded, the default) or postgres://USER@HOST/DB.
    #[arg(
        long,
        global = true,
        env = "AGORA_DB",
        default_value = "sqlite://agora.db"
    )]
    db: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web application.
    Serve(ServeArgs),
    /// Import data from files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Work with sites.
    #[command(subcommand)]
    Site(SiteCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Hostile-vehicle analysis: every entry a vehicle can reach, its speed, energy and the
    /// barrier rating it calls for.
    Hvm(hvm::HvmArgs),
    /// Vulnerability assessment of a site from a file of answers (TOML or JSON), printing the
    /// risk per threat and where each score comes from; `--show` prints the latest one.
    Assess(assess::AssessArgs),
    /// A site's or the city's report, as PDF (written by Agora itself) and/or HTML.
    Report(report::ReportArgs),
    /// The Pareto-optimal protective-measure plans of a site: residual risk, cost, openness lost.
    Plans(report::PlansArgs),
    /// Crowd and evacuation simulation: run a scenario file, validate against RiMEA/NIST cases.
    #[command(subcommand)]
    Crowd(crowd::CrowdCommand),
    /// Measure the engines against their issue's targets and print the figures.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Crowd simulation throughput (agent-steps per second) on the JuPedSim benchmark scenario.
    Crowd(crowd::BenchArgs),
    /// Hostile-vehicle analysis of every candidate site of real extracts, against parse time.
    Hvm(bench_hvm::HvmBenchArgs),
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the address is printed).
    #[arg(long, env = "AGORA_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Load the Munich demo city (first start) and print a fresh demo login.
    #[arg(long)]
    demo: bool,
    /// The demo administrator's password instead of a random one (for scripted tests).
    #[arg(long, env = "AGORA_DEMO_PASSWORD", requires = "demo")]
    demo_password: Option<String>,
    /// Mark cookies Secure (set when users reach Agora over HTTPS, e.g. behind a TLS proxy).
    #[arg(long, env = "AGORA_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Optional raster tile URL drawn under Agora's own base map, e.g. https://tiles.example/{z}/{x}/{y}.png
    #[arg(long, env = "AGORA_TILE_URL")]
    tile_url: Option<String>,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// List the candidate public spaces in an OpenStreetMap file; add chosen ones as sites, or load
    /// the file's streets as the base map.
    Osm(ImportOsmArgs),
}

#[derive(Args)]
struct ImportOsmArgs {
    /// An .osm.pbf, .osm or .osm.gz file.
    file: PathBuf,
    /// Add this candidate as a site (repeatable), e.g. --add way/24061814.
    #[arg(long = "add", value_name = "OSM_REF")]
    add: Vec<String>,
    /// Add every candidate as a site.
    #[arg(long, conflicts_with = "add")]
    add_all: bool,
    /// Replace the base map with this file's streets, areas, buildings and barriers.
    #[arg(long)]
    basemap: bool,
    /// The user the sites are added for (their organisation owns them).
    #[arg(long = "as", value_name = "USERNAME")]
    as_user: Option<String>,
}

#[derive(Subcommand)]
enum SiteCommand {
    /// List the sites of a user's organisation.
    List(AsUser),
    /// Write the sites of a user's organisation as GeoJSON to standard output.
    Export(AsUser),
    /// Import a GeoJSON FeatureCollection of sites (all or nothing).
    Import {
        file: PathBuf,
        #[command(flatten)]
        user: AsUser,
    },
}

#[derive(Args)]
struct AsUser {
    /// Act as this user (their organisation's records, their name in the audit trail).
    #[arg(long = "as", value_name = "USERNAME", default_value = app::DEMO_USERNAME)]
    username: String,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user. The password is read from AGORA_PASSWORD or standard input.
    Add {
        /// The organisation's exact name.
        #[arg(long)]
        org: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: Option<String>,
        /// admin, assessor, planner or viewer.
        #[arg(long, default_value = "viewer")]
        role: String,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create an organisation.
    Add {
        name: String,
        /// city, police, operator, national_authority or other.
        #[arg(long, default_value = "city")]
        kind: String,
    },
}

fn main() -> std::process::ExitCode {
    exit_quietly_when_stdout_closes();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: starting the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `agora hvm ... | head` closes the pipe before the output ends. Rust ignores SIGPIPE, so the
/// next write fails and `println!` panics with a message that looks like a crash; stop quietly
/// instead, with the status of a program killed by SIGPIPE (128 + 13), as the shell's own tools do.
fn exit_quietly_when_stdout_closes() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default_hook(info);
    }));
}

async fn open(db: &str) -> anyhow::Result<App> {
    App::open(db, SessionPolicy::default())
        .await
        .with_context(|| format!("opening database {db}"))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(&cli.db, args).await,
        Command::Import(ImportCommand::Osm(args)) => import_osm(&cli.db, args).await,
        Command::Site(command) => site(&cli.db, command).await,
        Command::User(UserCommand::Add {
            org,
            username,
            display_name,
            role,
        }) => {
            let app = open(&cli.db).await?;
            let role: Role = role.parse()?;
            let organisation = app.organisation_by_name(&org).await?.with_context(|| {
                format!("organisation '{org}' not found (create it with `agora org add`)")
            })?;
            let password = read_password()?;
            let user = app
                .create_user(
                    organisation.id,
                    &username,
                    display_name.as_deref().unwrap_or(&username),
                    role,
                    &password,
                )
                .await?;
            println!(
                "created user {} ({}) in {}",
                user.username, user.role, organisation.name
            );
            Ok(())
        }
        Command::Hvm(args) => hvm::run(&cli.db, args).await,
        Command::Assess(args) => assess::run(&open(&cli.db).await?, args).await,
        Command::Report(args) => report::run_report(&cli.db, args).await,
        Command::Plans(args) => report::run_plans(&cli.db, args).await,
        Command::Crowd(crowd::CrowdCommand::Run(args)) if args.on_site.site.is_some() => {
            crowd_site::run(&cli.db, &args).await
        }
        Command::Crowd(command) => crowd::run(command),
        Command::Bench(BenchCommand::Crowd(args)) => crowd::bench(args),
        Command::Bench(BenchCommand::Hvm(args)) => bench_hvm::run(args).await,
        Command::Org(OrgCommand::Add { name, kind }) => {
            let app = open(&cli.db).await?;
            let kind: OrganisationKind = kind.parse()?;
            let organisation = app.create_organisation(&name, kind).await?;
            println!(
                "created organisation {} ({})",
                organisation.name, organisation.kind
            );
            Ok(())
        }
    }
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("AGORA_PASSWORD") {
        return Ok(password);
    }
    if std::io::stdin().is_terminal() {
        eprint!("password (input is shown; prefer AGORA_PASSWORD or a pipe): ");
    }
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        bail!("no password given: set AGORA_PASSWORD or pipe it on standard input");
    }
    Ok(password)
}

/// A random demo password: 16 characters from an alphabet without look-alikes (≈ 90 bits).
fn random_demo_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

async fn serve(db: &str, args: ServeArgs) -> anyhow::Result<()> {
    let app = open(db).await?;
    let demo_login = if args.demo {
        let password = args
            .demo_password
            .clone()
            .unwrap_or_else(random_demo_password);
        let login = app
            .load_demo(DEMO_EXTRACT.to_vec(), DEMO_MANIFEST, &password)
            .await
            .context("loading the demo city")?;
        Some(login)
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let address = listener.local_addr()?;
    let config = web::WebConfig {
        secure_cookies: args.secure_cookies,
        tile_url: args.tile_url,
        ..web::WebConfig::default()
    };
    let router = web::router(app.clone(), config);
    // Expired sessions are removed in the background; a failure is logged, never fatal.
    let cleaner = app.clone();
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            interval.tick().await;
            if let Err(error) = cleaner.remove_expired_sessions().await {
                tracing::warn!(%error, "removing expired sessions");
            }
        }
    });
    println!(
        "Agora listening on http://{address} (database: {})",
        app.store().backend_name()
    );
    if let Some(login) = demo_login {
        println!(
            "Demo city: Munich old town, {} sites{}.",
            login.site_count,
            if login.loaded_now {
                " (loaded now)"
            } else {
                ""
            }
        );
        println!(
            "Demo login: username {} password {}",
            login.username, login.password
        );
        println!("Map data © OpenStreetMap contributors, ODbL 1.0.");
    }
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving HTTP")?;
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

async fn import_osm(db: &str, args: ImportOsmArgs) -> anyhow::Result<()> {
    let progress = indicatif::ProgressBar::new_spinner();
    progress.set_message(format!("reading {}", args.file.display()));
    progress.enable_steady_tick(std::time::Duration::from_millis(120));
    let extract = app::read_osm_extract(&args.file).await;
    progress.finish_and_clear();
    let extract = extract?;
    for diagnostic in &extract.diagnostics {
        eprintln!("note: {diagnostic}");
    }
    let wants_sites = args.add_all || !args.add.is_empty();
    if !wants_sites && !args.basemap {
        println!("{:<20} {:<18} {:>10}  name", "osm_ref", "kind", "area_m2");
        for candidate in &extract.candidates {
            println!(
                "{:<20} {:<18} {:>10.0}  {}",
                candidate.osm_ref,
                candidate.kind.as_str(),
                candidate.area_m2,
                app::candidate_site_name(candidate)
            );
        }
        println!(
            "{} candidate public spaces. Add some with --add OSM_REF --as USERNAME, or all with --add-all.",
            extract.candidates.len()
        );
        return Ok(());
    }
    let app = open(db).await?;
    if args.basemap {
        let data = std::fs::read(&args.file)
            .with_context(|| format!("reading {}", args.file.display()))?;
        let name = args.file.file_name().map_or_else(
            || args.file.display().to_string(),
            |name| name.to_string_lossy().into(),
        );
        let source = app.import_basemap(&name, &data, &extract.basemap).await?;
        println!(
            "base map replaced: {} features; map source {} (sha256 {})",
            extract.basemap.len(),
            source.name,
            source.sha256
        );
    }
    if wants_sites {
        let username = args.as_user.context(
            "adding sites needs --as USERNAME (the sites belong to that user's organisation)",
        )?;
        let actor = app.command_line_actor(&username).await?;
        let refs: Vec<String> = if args.add_all {
            extract
                .candidates
                .iter()
                .map(|candidate| candidate.osm_ref.clone())
                .collect()
        } else {
            args.add
        };
        let sites = app.add_candidates_as_sites(&actor, &extract, &refs).await?;
        println!("added {} sites", sites.len());
    }
    Ok(())
}

async fn site(db: &str, command: SiteCommand) -> anyhow::Result<()> {
    let app = open(db).await?;
    match command {
        SiteCommand::List(user) => {
            let actor = app.command_line_actor(&user.username).await?;
            for site in app.list_sites(&actor).await? {
                println!(
                    "{}  {:<18} {:>10.0} m²  {}",
                    site.id,
                    site.draft.kind.as_str(),
                    site.draft.polygon.area_m2(),
                    site.draft.name
                );
            }
        }
        SiteCommand::Export(user) => {
            let actor = app.command_line_actor(&user.username).await?;
            let collection = app.export_sites_geojson(&actor).await?;
            println!("{}", serde_json::to_string_pretty(&collection)?);
        }
        SiteCommand::Import { file, user } => {
            let actor = app.command_line_actor(&user.username).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let sites = app
                .import_sites_geojson(&actor, &text)
                .await
                .with_context(|| format!("importing {}", file.display()))?;
            println!("imported {} sites", sites.len());
        }
    }
    Ok(())
}
