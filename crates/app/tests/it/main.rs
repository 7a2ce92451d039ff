//! The use cases over a real SQLite store: login and sessions, roles, scoping, imports, the demo.

use std::time::Duration;

use app::{App, AppError, SessionPolicy};
use domain::{OrganisationKind, Role, SiteDraft};

const DEMO_EXTRACT: &[u8] = include_bytes!("../../../../data/demo/munich-altstadt-2020.osm.pbf");
const DEMO_MANIFEST: &str = include_str!("../../../../data/demo/sites.toml");
const PASSWORD: &str = "correct horse battery staple";

async fn app_with(policy: SessionPolicy) -> (App, tempfile::TempDir) {
    let directory = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", directory.path().join("agora.db").display());
    (App::open(&url, policy).await.unwrap(), directory)
}

fn square(name: &str) -> SiteDraft {
    let text = format!(
        r#"{{"name":"{name}","kind":"square","polygon":{{"type":"Polygon","coordinates":[[[11.575,48.137],[11.576,48.137],[11.576,48.138],[11.575,48.137]]]}}}}"#
    );
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn login_sessions_and_logout() {
    let (app, _directory) = app_with(SessionPolicy::default()).await;
    let city = app
        .create_organisation("Stadt München", OrganisationKind::City)
        .await
        .unwrap();
    app.create_user(city.id, "officer", "Officer", Role::Assessor, PASSWORD)
        .await
        .unwrap();

    assert!(matches!(
        app.login("officer", "wrong password!").await,
        Err(AppError::BadCredentials)
    ));
    assert!(matches!(
        app.login("nobody", PASSWORD).await,
        Err(AppError::BadCredentials)
    ));
    let first = app.login("officer", PASSWORD).await.unwrap();
    let second = app.login("officer", PASSWORD).await.unwrap();
    assert_ne!(
        first.session_token, second.session_token,
        "a fresh token on every login"
    );
    assert_ne!(first.actor.csrf_token, second.actor.csrf_token);
    let actor = app.authenticate(&first.session_token).await.unwrap();
    assert_eq!(actor.user.username, "officer");

    app.logout(&first.session_token).await.unwrap();
    assert!(matches!(
        app.authenticate(&first.session_token).await,
        Err(AppError::Unauthenticated)
    ));
    assert!(
        app.authenticate(&second.session_token).await.is_ok(),
        "other sessions live on"
    );
    assert!(matches!(
        app.authenticate("forged-token").await,
        Err(AppError::Unauthenticated)
    ));

    // Failed and successful logins are in the audit trail, newest first.
    let admin_org = app
        .create_organisation("Admins", OrganisationKind::Other)
        .await
        .unwrap();
    app.create_user(admin_org.id, "root", "Root", Role::Admin, PASSWORD)
        .await
        .unwrap();
    let trail = app.audit_trail(&actor, 10).await;
    assert!(
        matches!(trail, Err(AppError::Forbidden(_))),
        "assessors cannot read the audit trail"
    );
    let admin = app.login("root", PASSWORD).await.unwrap().actor;
    let trail = app.audit_trail(&admin, 50).await.unwrap();
    assert!(
        trail
            .iter()
            .any(|event| event.action == domain::AuditAction::LoginSucceeded)
    );
}

#[tokio::test]
async fn idle_and_absolute_timeouts_end_sessions() {
    let idle = SessionPolicy {
        idle_timeout: Duration::from_millis(300),
        absolute_timeout: Duration::from_secs(3600),
    };
    let (app, _directory) = app_with(idle).await;
    let city = app
        .create_organisation("City", OrganisationKind::City)
        .await
        .unwrap();
    app.create_user(city.id, "officer", "Officer", Role::Viewer, PASSWORD)
        .await
        .unwrap();
    let login = app.login("officer", PASSWORD).await.unwrap();
    assert!(app.authenticate(&login.session_token).await.is_ok());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(matches!(
        app.authenticate(&login.session_token).await,
        Err(AppError::Unauthenticated)
    ));

    let absolute = SessionPolicy {
        idle_timeout: Duration::from_secs(3600),
        absolute_timeout: Duration::from_millis(300),
    };
    let (app, _directory) = app_with(absolute).await;
    let city = app
        .create_organisation("City", OrganisationKind::City)
        .await
        .unwrap();
    app.create_user(city.id, "officer", "Officer", Role::Viewer, PASSWORD)
        .await
        .unwrap();
    let login = app.login("officer", PASSWORD).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(matches!(
        app.authenticate(&login.session_token).await,
        Err(AppError::Unauthenticated)
    ));
}

#[tokio::test]
async fn roles_and_organisations_bound_what_a_user_can_touch() {
    let (app, _directory) = app_with(SessionPolicy::default()).await;
    let city = app
        .create_organisation("City", OrganisationKind::City)
        .await
        .unwrap();
    let police = app
        .create_organisation("Police", OrganisationKind::Police)
        .await
        .unwrap();
    app.create_user(city.id, "planner", "Planner", Role::Planner, PASSWORD)
        .await
        .unwrap();
    app.create_user(city.id, "reader", "Reader", Role::Viewer, PASSWORD)
        .await
        .unwrap();
    app.create_user(police.id, "officer", "Officer", Role::Assessor, PASSWORD)
        .await
        .unwrap();
    let planner = app.login("planner", PASSWORD).await.unwrap().actor;
    let reader = app.login("reader", PASSWORD).await.unwrap().actor;
    let officer = app.login("officer", PASSWORD).await.unwrap().actor;

    let site = app
        .create_site(&planner, square("Marienplatz"))
        .await
        .unwrap();
    assert!(matches!(
        app.create_site(&reader, square("No")).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.delete_site(&reader, site.id).await,
        Err(AppError::Forbidden(_))
    ));
    assert_eq!(
        app.list_sites(&reader).await.unwrap().len(),
        1,
        "viewers read"
    );
    // Another organisation cannot see, change or delete the site: it does not exist for them.
    assert!(matches!(
        app.site(&officer, site.id).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.update_site(&officer, site.id, 1, square("Taken")).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.delete_site(&officer, site.id).await,
        Err(AppError::NotFound(_))
    ));
    assert!(app.list_sites(&officer).await.unwrap().is_empty());

    assert!(matches!(
        app.create_user(city.id, "planner", "Again", Role::Viewer, PASSWORD)
            .await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        app.create_user(city.id, "short", "Short", Role::Viewer, "short")
            .await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        app.create_user_as(&planner, "helper", "Helper", Role::Viewer, PASSWORD)
            .await,
        Err(AppError::Forbidden(_))
    ));
}

#[tokio::test]
async fn geojson_imports_are_all_or_nothing_and_round_trip() {
    let (app, _directory) = app_with(SessionPolicy::default()).await;
    let city = app
        .create_organisation("City", OrganisationKind::City)
        .await
        .unwrap();
    app.create_user(city.id, "planner", "Planner", Role::Planner, PASSWORD)
        .await
        .unwrap();
    let planner = app.login("planner", PASSWORD).await.unwrap().actor;
    app.create_site(&planner, square("Marienplatz"))
        .await
        .unwrap();
    app.create_site(&planner, square("Odeonsplatz"))
        .await
        .unwrap();

    let exported = app
        .export_sites_geojson(&planner)
        .await
        .unwrap()
        .to_string();
    let mut broken: serde_json::Value = serde_json::from_str(&exported).unwrap();
    broken["features"][1]["properties"]["kind"] = "fairground".into();
    let error = app
        .import_sites_geojson(&planner, &broken.to_string())
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("feature 1: properties.kind: unknown site kind 'fairground'"),
        "{error}"
    );
    assert_eq!(
        app.list_sites(&planner).await.unwrap().len(),
        2,
        "nothing of the bad import stored"
    );

    let imported = app.import_sites_geojson(&planner, &exported).await.unwrap();
    assert_eq!(imported.len(), 2);
    let sites = app.list_sites(&planner).await.unwrap();
    assert_eq!(sites.len(), 4);
    assert_eq!(
        sites[0].draft.polygon, sites[1].draft.polygon,
        "the outline survived the round trip"
    );
}

#[tokio::test]
async fn the_demo_loads_once_and_its_password_is_renewed_at_each_start() {
    let (app, _directory) = app_with(SessionPolicy::default()).await;
    let first = app
        .load_demo(DEMO_EXTRACT.to_vec(), DEMO_MANIFEST, "first demo password")
        .await
        .unwrap();
    assert!(first.loaded_now);
    assert_eq!(first.site_count, 6);
    let demo = app
        .login("demo", "first demo password")
        .await
        .unwrap()
        .actor;
    let names: Vec<String> = app
        .list_sites(&demo)
        .await
        .unwrap()
        .into_iter()
        .map(|site| site.draft.name)
        .collect();
    assert_eq!(
        names,
        [
            "Karlsplatz (Stachus)",
            "Kaufingerstraße / Neuhauser Straße",
            "Marienplatz",
            "Max-Joseph-Platz",
            "Odeonsplatz",
            "Viktualienmarkt"
        ]
    );
    let extent = app.basemap_extent().await.unwrap().expect("a base map");
    let around_marienplatz = app::BoundingBox {
        min_lon: 11.574,
        min_lat: 48.136,
        max_lon: 11.578,
        max_lat: 48.138,
    };
    assert!(extent.min_lon < 11.574 && extent.max_lon > 11.578);
    let features = app
        .basemap(around_marienplatz, 20_000)
        .await
        .unwrap()
        .features;
    assert!(
        features.len() > 50,
        "{} base-map features around Marienplatz",
        features.len()
    );

    let second = app
        .load_demo(DEMO_EXTRACT.to_vec(), DEMO_MANIFEST, "second demo password")
        .await
        .unwrap();
    assert!(!second.loaded_now);
    assert_eq!(second.site_count, 6);
    assert!(matches!(
        app.login("demo", "first demo password").await,
        Err(AppError::BadCredentials)
    ));
    assert!(app.login("demo", "second demo password").await.is_ok());
}

#[tokio::test]
async fn repeated_failed_logins_make_the_account_wait() {
    let (app, _directory) = app_with(SessionPolicy::default()).await;
    let city = app
        .create_organisation("City", OrganisationKind::City)
        .await
        .unwrap();
    app.create_user(city.id, "officer", "Officer", Role::Viewer, PASSWORD)
        .await
        .unwrap();
    app.create_user(city.id, "planner", "Planner", Role::Planner, PASSWORD)
        .await
        .unwrap();
    for _ in 0..5 {
        assert!(matches!(
            app.login("officer", "a wrong guess!").await,
            Err(AppError::BadCredentials)
        ));
    }
    // The sixth attempt comes within the 1 s back-off: refused before the password is even checked,
    // so the right password does not get through either.
    assert!(matches!(
        app.login("officer", PASSWORD).await,
        Err(AppError::TooManyAttempts { .. })
    ));
    assert!(
        app.login("planner", PASSWORD).await.is_ok(),
        "other accounts are not affected"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(
        app.login("officer", PASSWORD).await.is_ok(),
        "after the wait the right password works"
    );
    // Success clears the record.
    assert!(matches!(
        app.login("officer", "a wrong guess!").await,
        Err(AppError::BadCredentials)
    ));
}

#[tokio::test]
async fn chosen_features_of_a_collection_are_imported_and_unknown_choices_named() {
    let (app, _directory) = app_with(SessionPolicy::default()).await;
    let city = app
        .create_organisation("City", OrganisationKind::City)
        .await
        .unwrap();
    app.create_user(city.id, "planner", "Planner", Role::Planner, PASSWORD)
        .await
        .unwrap();
    let planner = app.login("planner", PASSWORD).await.unwrap().actor;
    for name in ["Marienplatz", "Odeonsplatz", "Karlsplatz"] {
        app.create_site(&planner, square(name)).await.unwrap();
    }
    let collection = app
        .export_sites_geojson(&planner)
        .await
        .unwrap()
        .to_string();
    let error = app
        .import_chosen_sites_geojson(&planner, &collection, &[0, 3])
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "feature 3 was chosen, but the collection has 3 features"
    );
    assert_eq!(
        app.list_sites(&planner).await.unwrap().len(),
        3,
        "nothing stored"
    );
    let imported = app
        .import_chosen_sites_geojson(&planner, &collection, &[2])
        .await
        .unwrap();
    let names: Vec<&str> = imported
        .iter()
        .map(|site| site.draft.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["Odeonsplatz"],
        "sites export by name: Karlsplatz, Marienplatz, Odeonsplatz"
    );
}
