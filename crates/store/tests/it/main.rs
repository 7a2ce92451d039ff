//! The storage story: one sequence of things Agora does with its store (organisations, users,
//! sessions, sites, the audit trail, the base map), told once in [`tell_story`] and run against
//! every backend. After the story the store is closed and opened again on the same file or schema,
//! and everything must still be there.
//!
//! - SQLite always runs, on a fresh file in a temporary directory.
//! - PostgreSQL runs when `AGORA_TEST_POSTGRES_URL` names a server (e.g.
//!   `postgres://postgres@127.0.0.1:5432/test`), in a schema of its own (`agora_test_<random>`)
//!   that is dropped afterwards, so parallel runs never meet. Without the variable the test says it
//!   skipped, unless `CI=true`: then it fails, as it does when the server cannot be reached.

mod assessments;

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use chrono::{DateTime, Duration, SubsecRound, TimeZone, Utc};

use domain::{
    AuditAction, AuditEvent, BasemapFeature, BasemapLayer, MapSource, NewOrganisation, NewStudy,
    NewUser, Organisation, OrganisationId, OrganisationKind, Role, Site, SiteDraft, SiteId,
    SiteKind, SitePolygon, Study, StudyId, StudyKind, User, UserId,
};
use store::{BoundingBox, PostgresStore, SessionRecord, Store, StoreError};

#[tokio::test]
async fn the_story_on_sqlite() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", directory.path().join("agora.db").display());

    let store = store::open(&url).await.expect("open the SQLite store");
    assert_eq!(store.backend_name(), "sqlite");
    let told = tell_story(store.clone()).await;
    store.close().await;
    drop(store);

    let reopened = store::open(&url).await.expect("reopen the SQLite store");
    check_still_there(&*reopened, &told).await;
    reopened.close().await;
}

#[tokio::test]
async fn the_story_on_postgres() {
    let Some(url) = postgres_url() else {
        return;
    };
    let schema = format!("agora_test_{}", uuid::Uuid::new_v4().simple());

    // The story runs in its own task so that a failed assertion still lets us drop the schema.
    let story = {
        let (url, schema) = (url.clone(), schema.clone());
        tokio::spawn(async move {
            let store: Arc<dyn Store> = Arc::new(
                PostgresStore::connect_in_schema(&url, &schema)
                    .await
                    .unwrap_or_else(|error| {
                        panic!("cannot reach PostgreSQL at AGORA_TEST_POSTGRES_URL: {error}")
                    }),
            );
            assert_eq!(store.backend_name(), "postgres");
            let told = tell_story(store.clone()).await;
            store.close().await;
            drop(store);

            let reopened = PostgresStore::connect_in_schema(&url, &schema)
                .await
                .expect("reconnect to the test schema");
            check_still_there(&reopened, &told).await;
            reopened.close().await;
        })
    };
    let outcome = story.await;
    let dropped = PostgresStore::drop_schema(&url, &schema).await;
    if let Err(join_error) = outcome {
        std::panic::resume_unwind(join_error.into_panic());
    }
    dropped.expect("drop the test schema");
}

/// The PostgreSQL URL, or `None` (with a note) when the suite may be skipped.
fn postgres_url() -> Option<String> {
    let in_ci = std::env::var("CI").is_ok_and(|value| value == "true");
    match std::env::var("AGORA_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if in_ci => panic!(
            "CI=true but AGORA_TEST_POSTGRES_URL is not set: the PostgreSQL storage story must run \
             in CI (e.g. AGORA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test)"
        ),
        _ => {
            // Written to stderr directly, not through eprintln!, which the test harness captures:
            // a skipped suite should be visible in an ordinary `cargo test` run.
            let _ = writeln!(
                std::io::stderr(),
                "skipped the PostgreSQL storage story: set AGORA_TEST_POSTGRES_URL \
                 (e.g. postgres://postgres@127.0.0.1:5432/test) to run it"
            );
            None
        }
    }
}

/// What the story left behind, to be found again after reopening.
struct Told {
    organisations: Vec<Organisation>,
    city: OrganisationId,
    police: OrganisationId,
    alice: User,
    alice_password_hash: String,
    city_sites: Vec<Site>,
    police_sites: Vec<Site>,
    city_audit: Vec<AuditEvent>,
    basemap: Vec<BasemapFeature>,
    basemap_extent: BoundingBox,
    live_session: SessionRecord,
    map_source: MapSource,
    studies: Vec<Study>,
}

async fn tell_story(handle: Arc<dyn Store>) -> Told {
    let store = &*handle;

    // --- Organisations ---------------------------------------------------------------------
    let police = store
        .create_organisation(&NewOrganisation {
            name: "Polizeipräsidium München".into(),
            kind: OrganisationKind::Police,
        })
        .await
        .unwrap();
    let city = store
        .create_organisation(&NewOrganisation {
            name: "Landeshauptstadt München".into(),
            kind: OrganisationKind::City,
        })
        .await
        .unwrap();
    let duplicate = store
        .create_organisation(&NewOrganisation {
            name: "Landeshauptstadt München".into(),
            kind: OrganisationKind::Other,
        })
        .await
        .unwrap_err();
    assert_eq!(
        duplicate.to_string(),
        "organisation 'Landeshauptstadt München' already exists"
    );
    assert_eq!(
        store.organisation(city.id).await.unwrap(),
        Some(city.clone())
    );
    assert_eq!(
        store
            .organisation_by_name("Polizeipräsidium München")
            .await
            .unwrap(),
        Some(police.clone())
    );
    assert_eq!(store.organisation_by_name("Nobody").await.unwrap(), None);
    assert_eq!(
        store
            .organisation(OrganisationId::new_random())
            .await
            .unwrap(),
        None
    );
    let organisations = store.list_organisations().await.unwrap();
    assert_eq!(
        organisations,
        vec![city.clone(), police.clone()],
        "ordered by name"
    );

    // --- Users -----------------------------------------------------------------------------
    let alice = store
        .create_user(&new_user(
            city.id,
            "alice",
            Role::Admin,
            "$argon2id$v=19$alice-1",
        ))
        .await
        .unwrap();
    let bob = store
        .create_user(&new_user(
            police.id,
            "bob",
            Role::Viewer,
            "$argon2id$v=19$bob",
        ))
        .await
        .unwrap();
    let aaron = store
        .create_user(&new_user(
            city.id,
            "aaron",
            Role::Planner,
            "$argon2id$v=19$aaron",
        ))
        .await
        .unwrap();
    assert_eq!(
        (alice.username.as_str(), alice.role),
        ("alice", Role::Admin)
    );
    let taken = store
        .create_user(&new_user(
            police.id,
            "alice",
            Role::Viewer,
            "$argon2id$v=19$other",
        ))
        .await
        .unwrap_err();
    assert!(matches!(taken, StoreError::Conflict(_)), "{taken:?}");
    assert_eq!(taken.to_string(), "username 'alice' is already taken");
    let orphan = store
        .create_user(&new_user(
            OrganisationId::new_random(),
            "carol",
            Role::Viewer,
            "x",
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(
            orphan,
            StoreError::NotFound {
                what: "organisation",
                ..
            }
        ),
        "{orphan:?}"
    );
    assert_eq!(store.user(alice.id).await.unwrap(), Some(alice.clone()));
    assert_eq!(store.user(UserId::new_random()).await.unwrap(), None);
    assert_eq!(
        store.list_users(city.id).await.unwrap(),
        vec![aaron.clone(), alice.clone()],
        "ordered by username"
    );
    assert_eq!(
        store.list_users(police.id).await.unwrap(),
        vec![bob.clone()]
    );

    // Credentials: the login check sees the hash, and a new hash replaces the old one.
    assert_eq!(
        store.user_credentials("alice").await.unwrap(),
        Some((alice.clone(), "$argon2id$v=19$alice-1".to_string()))
    );
    assert_eq!(
        store.user_credentials("Alice").await.unwrap(),
        None,
        "case-sensitive"
    );
    assert_eq!(store.user_credentials("nobody").await.unwrap(), None);
    store
        .set_password_hash(alice.id, "$argon2id$v=19$alice-2")
        .await
        .unwrap();
    let (_, alice_password_hash) = store.user_credentials("alice").await.unwrap().unwrap();
    assert_eq!(alice_password_hash, "$argon2id$v=19$alice-2");
    let missing = store
        .set_password_hash(UserId::new_random(), "x")
        .await
        .unwrap_err();
    assert!(
        matches!(missing, StoreError::NotFound { what: "user", .. }),
        "{missing:?}"
    );

    // --- Sessions --------------------------------------------------------------------------
    let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap() + Duration::microseconds(123_456);
    let live = session("live", alice.id, t0, t0 + Duration::hours(8));
    let expired = session(
        "expired",
        alice.id,
        t0 - Duration::hours(9),
        t0 - Duration::hours(1),
    );
    let other_user = session("bob", bob.id, t0, t0 + Duration::hours(8));
    for record in [&live, &expired, &other_user] {
        store.create_session(record).await.unwrap();
    }
    assert_eq!(store.session("live").await.unwrap(), Some(live.clone()));
    assert_eq!(store.session("unknown").await.unwrap(), None);
    let again = store.create_session(&live).await.unwrap_err();
    assert!(matches!(again, StoreError::Conflict(_)), "{again:?}");
    let ghost = store
        .create_session(&session("ghost", UserId::new_random(), t0, t0))
        .await
        .unwrap_err();
    assert!(
        matches!(ghost, StoreError::NotFound { what: "user", .. }),
        "{ghost:?}"
    );

    // Timestamps are kept to the microsecond: nanoseconds are cut, not rounded.
    let seen = t0 + Duration::minutes(5) + Duration::nanoseconds(999);
    store.touch_session("live", seen).await.unwrap();
    let touched = store.session("live").await.unwrap().unwrap();
    assert_eq!(touched.last_seen_at, seen.trunc_subsecs(6));
    assert_eq!(touched.expires_at, live.expires_at);
    store.touch_session("unknown", seen).await.unwrap();

    assert_eq!(store.delete_expired_sessions(t0).await.unwrap(), 1);
    assert_eq!(store.session("expired").await.unwrap(), None);
    assert!(store.session("live").await.unwrap().is_some());
    store.delete_session("bob").await.unwrap();
    assert_eq!(store.session("bob").await.unwrap(), None);
    store.delete_session("bob").await.unwrap();
    store
        .create_session(&session("second", alice.id, t0, t0 + Duration::hours(1)))
        .await
        .unwrap();
    assert_eq!(store.delete_user_sessions(alice.id).await.unwrap(), 2);
    assert_eq!(store.session("live").await.unwrap(), None);
    assert_eq!(store.delete_user_sessions(alice.id).await.unwrap(), 0);
    // One session stays, to be found after reopening.
    let live_session = SessionRecord {
        last_seen_at: seen.trunc_subsecs(6),
        ..live.clone()
    };
    store.create_session(&live_session).await.unwrap();

    // --- Audit: an event the caller records itself ----------------------------------------------
    let login = AuditEvent {
        at: Utc::now().trunc_subsecs(6),
        organisation_id: Some(city.id),
        user_id: Some(alice.id),
        action: AuditAction::LoginSucceeded,
        subject: format!("user:{}", alice.id),
        detail: "from 127.0.0.1".into(),
    };
    store.record_audit(&login).await.unwrap();

    // --- Sites -----------------------------------------------------------------------------
    let drafts = vec![
        SiteDraft {
            capacity: Some(3000),
            operators: vec!["Markthallen München".into()],
            opening_hours: Some("Mo-Sa 08:00-20:00".into()),
            tags: BTreeMap::from([("market".into(), "daily".into())]),
            source: Some("osm:way/24969585".into()),
            ..draft(
                "Viktualienmarkt",
                SiteKind::OpenAirMarket,
                square(11.5763, 48.1351, 0.001),
            )
        },
        draft(
            "Marienplatz",
            SiteKind::Square,
            square(11.5754, 48.1372, 0.0008),
        ),
        // Lower case on purpose: names are listed case-insensitively, so it comes before "V".
        draft(
            "odeonsplatz",
            SiteKind::Square,
            two_squares(11.5772, 48.1420),
        ),
    ];
    let created = store
        .create_sites(city.id, &drafts, Some(alice.id))
        .await
        .unwrap();
    assert_eq!(created.len(), 3);
    for (site, draft) in created.iter().zip(&drafts) {
        assert_eq!(&site.draft, draft);
        assert_eq!((site.organisation_id, site.version), (city.id, 1));
        assert_eq!(site.created_at, site.updated_at);
        assert_eq!(
            store.site(city.id, site.id).await.unwrap().as_ref(),
            Some(site)
        );
    }
    let [viktualienmarkt, marienplatz, odeonsplatz] =
        [created[0].clone(), created[1].clone(), created[2].clone()];
    let names = |sites: &[Site]| {
        sites
            .iter()
            .map(|s| s.draft.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&store.list_sites(city.id).await.unwrap()),
        ["Marienplatz", "odeonsplatz", "Viktualienmarkt"]
    );
    assert_eq!(
        store.site(city.id, SiteId::new_random()).await.unwrap(),
        None
    );

    // Update with the version read: accepted, version bumped.
    let mut changed = marienplatz.draft.clone();
    changed.capacity = Some(8000);
    changed.tags.insert("christmas_market".into(), "yes".into());
    let updated = store
        .update_site(city.id, marienplatz.id, 1, &changed, Some(alice.id))
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.draft, changed);
    assert_eq!(
        (updated.id, updated.created_at),
        (marienplatz.id, marienplatz.created_at)
    );
    assert!(updated.updated_at >= marienplatz.updated_at);
    assert_eq!(
        store.site(city.id, marienplatz.id).await.unwrap(),
        Some(updated.clone())
    );

    // Update with a stale version: refused, nothing changed.
    let stale = store
        .update_site(
            city.id,
            marienplatz.id,
            1,
            &marienplatz.draft,
            Some(alice.id),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            stale,
            StoreError::VersionConflict {
                expected: 1,
                actual: 2
            }
        ),
        "{stale:?}"
    );
    assert_eq!(
        store.site(city.id, marienplatz.id).await.unwrap(),
        Some(updated.clone())
    );
    let nowhere = store
        .update_site(city.id, SiteId::new_random(), 1, &changed, None)
        .await
        .unwrap_err();
    assert!(
        matches!(nowhere, StoreError::NotFound { what: "site", .. }),
        "{nowhere:?}"
    );

    // Two officers save the same version at once: exactly one wins.
    let racers: Vec<_> = (0..4)
        .map(|racer| {
            let store_for_task = handle.clone();
            let mut draft = viktualienmarkt.draft.clone();
            draft.capacity = Some(3000 + racer);
            let (organisation, id) = (city.id, viktualienmarkt.id);
            tokio::spawn(async move {
                store_for_task
                    .update_site(organisation, id, 1, &draft, None)
                    .await
            })
        })
        .collect();
    let mut winners = 0;
    for racer in racers {
        match racer.await.unwrap() {
            Ok(site) => {
                winners += 1;
                assert_eq!(site.version, 2);
            }
            Err(StoreError::VersionConflict {
                expected: 1,
                actual: 2,
            }) => {}
            Err(other) => panic!("unexpected error in a concurrent update: {other:?}"),
        }
    }
    assert_eq!(winners, 1);
    let viktualienmarkt = store
        .site(city.id, viktualienmarkt.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(viktualienmarkt.version, 2);

    // Scoping: the police cannot see, change or delete the city's sites.
    assert_eq!(store.site(police.id, marienplatz.id).await.unwrap(), None);
    assert_eq!(store.list_sites(police.id).await.unwrap(), vec![]);
    let foreign_update = store
        .update_site(police.id, marienplatz.id, 2, &changed, Some(bob.id))
        .await
        .unwrap_err();
    assert!(
        matches!(foreign_update, StoreError::NotFound { what: "site", .. }),
        "{foreign_update:?}"
    );
    let foreign_delete = store
        .delete_site(police.id, marienplatz.id, Some(bob.id))
        .await
        .unwrap_err();
    assert!(
        matches!(foreign_delete, StoreError::NotFound { what: "site", .. }),
        "{foreign_delete:?}"
    );
    assert_eq!(
        store.site(city.id, marienplatz.id).await.unwrap(),
        Some(updated.clone())
    );

    // The police add a site of their own: one draft is one SiteCreated event.
    let police_sites = store
        .create_sites(
            police.id,
            &[draft(
                "Max-Joseph-Platz",
                SiteKind::Square,
                square(11.5787, 48.1396, 0.0007),
            )],
            Some(bob.id),
        )
        .await
        .unwrap();
    assert_eq!(store.list_sites(police.id).await.unwrap(), police_sites);
    assert_eq!(store.site(city.id, police_sites[0].id).await.unwrap(), None);

    // Delete.
    store
        .delete_site(city.id, odeonsplatz.id, Some(alice.id))
        .await
        .unwrap();
    assert_eq!(store.site(city.id, odeonsplatz.id).await.unwrap(), None);
    let twice = store
        .delete_site(city.id, odeonsplatz.id, Some(alice.id))
        .await
        .unwrap_err();
    assert!(
        matches!(twice, StoreError::NotFound { what: "site", .. }),
        "{twice:?}"
    );
    let city_sites = store.list_sites(city.id).await.unwrap();
    assert_eq!(city_sites, vec![updated.clone(), viktualienmarkt.clone()]);

    // Creating sites for an organisation that does not exist fails and stores nothing.
    let unknown = OrganisationId::new_random();
    let refused = store
        .create_sites(unknown, &drafts, Some(alice.id))
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, StoreError::NotFound { what: "organisation", id } if *id == unknown.to_string()),
        "{refused:?}"
    );
    assert_eq!(store.list_sites(unknown).await.unwrap(), vec![]);
    assert_eq!(store.audit_events(unknown, 10).await.unwrap(), vec![]);
    assert_eq!(store.list_sites(city.id).await.unwrap(), city_sites);

    // A batch whose last draft the database refuses (an empty name slipped past validation):
    // the drafts before it are rolled back too, and no audit event is written.
    let audit_before = store.audit_events(city.id, 100).await.unwrap();
    let batch = [
        draft(
            "Karlsplatz (Stachus)",
            SiteKind::Square,
            square(11.5650, 48.1390, 0.001),
        ),
        draft(
            "Sendlinger Tor",
            SiteKind::Square,
            square(11.5670, 48.1340, 0.001),
        ),
        draft("", SiteKind::Square, square(11.5700, 48.1300, 0.001)),
    ];
    let half_done = store.create_sites(city.id, &batch, Some(alice.id)).await;
    assert!(
        matches!(half_done, Err(StoreError::Database(_))),
        "{half_done:?}"
    );
    assert_eq!(store.list_sites(city.id).await.unwrap(), city_sites);
    assert_eq!(
        store.audit_events(city.id, 100).await.unwrap(),
        audit_before
    );

    // --- Audit trail: every site write, newest first, per organisation -------------------------
    let city_audit = store.audit_events(city.id, 100).await.unwrap();
    let summary: Vec<(AuditAction, String, Option<UserId>)> = city_audit
        .iter()
        .map(|event| (event.action, event.subject.clone(), event.user_id))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                AuditAction::SiteDeleted,
                format!("site:{}", odeonsplatz.id),
                Some(alice.id)
            ),
            (
                AuditAction::SiteUpdated,
                format!("site:{}", viktualienmarkt.id),
                None
            ),
            (
                AuditAction::SiteUpdated,
                format!("site:{}", marienplatz.id),
                Some(alice.id)
            ),
            (AuditAction::SitesImported, String::new(), Some(alice.id)),
            (
                AuditAction::LoginSucceeded,
                format!("user:{}", alice.id),
                Some(alice.id)
            ),
        ]
    );
    assert!(
        city_audit.windows(2).all(|pair| pair[0].at >= pair[1].at),
        "newest first: {city_audit:#?}"
    );
    assert_eq!(city_audit[4], login);
    assert_eq!(city_audit[2].detail, "updated 'Marienplatz' to version 2");
    assert_eq!(
        city_audit[3].detail,
        "created 3 sites: Viktualienmarkt, Marienplatz, odeonsplatz"
    );
    assert_eq!(
        store.audit_events(city.id, 2).await.unwrap(),
        city_audit[..2].to_vec()
    );
    let police_audit = store.audit_events(police.id, 100).await.unwrap();
    assert_eq!(police_audit.len(), 1, "{police_audit:#?}");
    assert_eq!(police_audit[0].action, AuditAction::SiteCreated);
    assert_eq!(
        police_audit[0].subject,
        format!("site:{}", police_sites[0].id)
    );
    assert_eq!(police_audit[0].detail, "created 'Max-Joseph-Platz'");

    // --- Base map ----------------------------------------------------------------------------
    assert_eq!(store.basemap_extent().await.unwrap(), None);
    let everywhere = BoundingBox {
        min_lon: -180.0,
        min_lat: -90.0,
        max_lon: 180.0,
        max_lat: 90.0,
    };
    assert_eq!(
        store.basemap_features(everywhere, 100).await.unwrap(),
        vec![]
    );

    let first_import = vec![
        feature(
            BasemapLayer::Building,
            "way/1",
            None,
            polygon_geometry(11.600, 48.150, 0.01),
            (11.600, 48.150, 11.610, 48.160),
        ),
        feature(
            BasemapLayer::Road,
            "way/2",
            Some("Dienerstraße"),
            line_geometry(&[(11.570, 48.135), (11.580, 48.137)]),
            (11.570, 48.135, 11.580, 48.137),
        ),
        feature(
            BasemapLayer::Barrier,
            "node/3",
            None,
            point_geometry(11.5755, 48.1372),
            (11.5755, 48.1372, 11.5755, 48.1372),
        ),
        // Ends a hair (1e-9°: below the 32-bit precision of SQLite's R*Tree and the 1e-6 tolerance
        // of PostgreSQL's box operators) west of the viewport below, so it must not be returned.
        feature(
            BasemapLayer::Path,
            "way/4",
            None,
            line_geometry(&[(11.573, 48.137), (11.573_999_999, 48.137)]),
            (11.573, 48.137, 11.573_999_999, 48.137),
        ),
        // Touches the viewport's east edge: edges touching count as intersecting.
        feature(
            BasemapLayer::PedestrianArea,
            "way/5",
            Some("Marienplatz"),
            polygon_geometry(11.577, 48.137, 0.001),
            (11.577, 48.137, 11.578, 48.138),
        ),
    ];
    store
        .replace_basemap(&map_source("first", b"first"), b"first", &first_import)
        .await
        .unwrap();
    let viewport = BoundingBox {
        min_lon: 11.574,
        min_lat: 48.136,
        max_lon: 11.577,
        max_lat: 48.138,
    };
    assert_eq!(
        store.basemap_features(viewport, 100).await.unwrap(),
        vec![
            first_import[1].clone(),
            first_import[2].clone(),
            first_import[4].clone()
        ],
        "intersecting features in import order"
    );
    assert_eq!(
        store.basemap_features(viewport, 2).await.unwrap(),
        vec![first_import[1].clone(), first_import[2].clone()]
    );
    assert_eq!(
        store.basemap_features(everywhere, 100).await.unwrap(),
        first_import
    );
    let inverted = BoundingBox {
        min_lon: viewport.max_lon,
        max_lon: viewport.min_lon,
        ..viewport
    };
    assert_eq!(store.basemap_features(inverted, 100).await.unwrap(), vec![]);
    assert_eq!(
        store.basemap_extent().await.unwrap(),
        Some(BoundingBox {
            min_lon: 11.570,
            min_lat: 48.135,
            max_lon: 11.610,
            max_lat: 48.160,
        })
    );

    // A city-sized import (more rows than one PostgreSQL batch): every feature kept, in order, and
    // a viewport query agrees with filtering the input by hand.
    let grid: Vec<BasemapFeature> = (0..2500)
        .map(|index| {
            let lon = 11.50 + f64::from(index % 50) * 0.002;
            let lat = 48.10 + f64::from(index / 50) * 0.002;
            feature(
                BasemapLayer::Barrier,
                &format!("node/{}", 1000 + index),
                None,
                point_geometry(lon, lat),
                (lon, lat, lon, lat),
            )
        })
        .collect();
    store
        .replace_basemap(&map_source("grid", b"grid"), b"grid", &grid)
        .await
        .unwrap();
    assert_eq!(
        store.basemap_features(everywhere, 10_000).await.unwrap(),
        grid
    );
    let corner = BoundingBox {
        min_lon: 11.5395,
        min_lat: 48.1495,
        max_lon: 11.5595,
        max_lat: 48.1695,
    };
    let expected: Vec<BasemapFeature> = grid
        .iter()
        .filter(|feature| {
            let (min_lon, min_lat, max_lon, max_lat) = feature.bounding_box;
            max_lon >= corner.min_lon
                && min_lon <= corner.max_lon
                && max_lat >= corner.min_lat
                && min_lat <= corner.max_lat
        })
        .cloned()
        .collect();
    assert_eq!(expected.len(), 100, "a 10 x 10 block of the grid");
    assert_eq!(
        store.basemap_features(corner, 10_000).await.unwrap(),
        expected
    );

    // A new import replaces the old one entirely.
    let basemap = vec![
        feature(
            BasemapLayer::Road,
            "way/10",
            Some("Residenzstraße"),
            line_geometry(&[(11.5770, 48.1390), (11.5775, 48.1410)]),
            (11.5770, 48.1390, 11.5775, 48.1410),
        ),
        feature(
            BasemapLayer::Barrier,
            "node/11",
            None,
            point_geometry(11.5772, 48.1400),
            (11.5772, 48.1400, 11.5772, 48.1400),
        ),
    ];
    let old_source = map_source("munich.osm.pbf", b"the first extract");
    store
        .replace_basemap(&old_source, b"the first extract", &basemap)
        .await
        .unwrap();
    assert_eq!(store.basemap_features(viewport, 100).await.unwrap(), vec![]);
    assert_eq!(
        store.basemap_features(everywhere, 100).await.unwrap(),
        basemap
    );
    let basemap_extent = BoundingBox {
        min_lon: 11.5770,
        min_lat: 48.1390,
        max_lon: 11.5775,
        max_lat: 48.1410,
    };
    assert_eq!(store.basemap_extent().await.unwrap(), Some(basemap_extent));
    assert_eq!(
        store.current_map_source().await.unwrap(),
        Some(old_source.clone())
    );
    assert_eq!(
        store.map_source_data(&old_source.sha256).await.unwrap(),
        Some(b"the first extract".to_vec())
    );
    assert_eq!(store.map_source_data(&"0".repeat(64)).await.unwrap(), None);

    // --- Studies ----------------------------------------------------------------------------
    let studied = &city_sites[0];
    let new_study = |kind: StudyKind, map: Option<&str>, figure: u32| NewStudy {
        site_id: studied.id,
        kind,
        created_by: Some(alice.id),
        engine_version: "vehicle_approach 0.1.0".into(),
        map_sha256: map.map(str::to_string),
        inputs: serde_json::json!({"vehicles": ["N3C", "M1"]}),
        summary: serde_json::json!({"entries": figure}),
        result: serde_json::json!({"entries": [{"speed_kmh": 48.5, "path": [[1, 2], [3, 4]]}]}),
    };
    let hvm = store
        .create_study(
            city.id,
            &new_study(StudyKind::VehicleApproach, Some(&old_source.sha256), 7),
        )
        .await
        .unwrap();
    // Created a moment later: newest first in lists.
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    let crowd = store
        .create_study(city.id, &new_study(StudyKind::Crowd, None, 3))
        .await
        .unwrap();
    assert_eq!(
        store.study(city.id, hvm.id).await.unwrap(),
        Some(hvm.clone())
    );
    // Another organisation sees nothing and cannot study a site it does not own.
    assert_eq!(store.study(police.id, hvm.id).await.unwrap(), None);
    let foreign = store
        .create_study(police.id, &new_study(StudyKind::Crowd, None, 1))
        .await
        .unwrap_err();
    assert!(
        matches!(foreign, StoreError::NotFound { what: "site", .. }),
        "{foreign:?}"
    );
    let unknown_map = store
        .create_study(
            city.id,
            &new_study(StudyKind::Crowd, Some(&"f".repeat(64)), 1),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            unknown_map,
            StoreError::NotFound {
                what: "map source",
                ..
            }
        ),
        "{unknown_map:?}"
    );
    let without_result = |study: &Study| Study {
        study: NewStudy {
            result: serde_json::Value::Null,
            ..study.study.clone()
        },
        ..study.clone()
    };
    assert_eq!(
        store.list_studies(city.id, studied.id, None).await.unwrap(),
        vec![without_result(&crowd), without_result(&hvm)]
    );
    assert_eq!(
        store
            .list_studies(city.id, studied.id, Some(StudyKind::VehicleApproach))
            .await
            .unwrap(),
        vec![without_result(&hvm)]
    );
    assert_eq!(
        store
            .list_studies(police.id, studied.id, None)
            .await
            .unwrap(),
        vec![]
    );
    assert_eq!(
        store.study(city.id, StudyId::new_random()).await.unwrap(),
        None
    );
    let audit = store.audit_events(city.id, 2).await.unwrap();
    assert_eq!(audit[0].action, AuditAction::StudyRun);
    assert_eq!(audit[0].subject, format!("study:{}", crowd.id));
    assert_eq!(audit[0].user_id, Some(alice.id));
    let city_audit = store.audit_events(city.id, 100).await.unwrap();
    let studies = vec![crowd, hvm];

    Told {
        organisations,
        city: city.id,
        police: police.id,
        alice,
        alice_password_hash,
        city_sites,
        police_sites,
        city_audit,
        basemap,
        basemap_extent,
        live_session,
        map_source: old_source,
        studies,
    }
}

/// After closing and reopening: everything the story wrote is still there, unchanged.
async fn check_still_there(store: &dyn Store, told: &Told) {
    assert_eq!(
        store.list_organisations().await.unwrap(),
        told.organisations
    );
    assert_eq!(
        store.user_credentials("alice").await.unwrap(),
        Some((told.alice.clone(), told.alice_password_hash.clone()))
    );
    assert_eq!(store.list_sites(told.city).await.unwrap(), told.city_sites);
    assert_eq!(
        store.list_sites(told.police).await.unwrap(),
        told.police_sites
    );
    assert_eq!(
        store.audit_events(told.city, 100).await.unwrap(),
        told.city_audit
    );
    assert_eq!(
        store.session(&told.live_session.token_hash).await.unwrap(),
        Some(told.live_session.clone())
    );
    let everywhere = BoundingBox {
        min_lon: -180.0,
        min_lat: -90.0,
        max_lon: 180.0,
        max_lat: 90.0,
    };
    assert_eq!(
        store.basemap_features(everywhere, 100).await.unwrap(),
        told.basemap
    );
    assert_eq!(
        store.basemap_extent().await.unwrap(),
        Some(told.basemap_extent)
    );

    assert_eq!(
        store.current_map_source().await.unwrap(),
        Some(told.map_source.clone())
    );
    for study in &told.studies {
        assert_eq!(
            store.study(told.city, study.id).await.unwrap().as_ref(),
            Some(study)
        );
    }

    // The reopened store still enforces its rules.
    let site = &told.city_sites[0];
    let stale = store
        .update_site(told.city, site.id, site.version - 1, &site.draft, None)
        .await
        .unwrap_err();
    assert!(
        matches!(stale, StoreError::VersionConflict { .. }),
        "{stale:?}"
    );
}

fn map_source(name: &str, data: &[u8]) -> MapSource {
    use sha2::Digest;
    MapSource {
        sha256: sha2::Sha256::digest(data)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect(),
        name: name.into(),
        size_bytes: data.len() as u64,
        imported_at: Utc::now().trunc_subsecs(6),
    }
}

fn new_user(organisation_id: OrganisationId, username: &str, role: Role, hash: &str) -> NewUser {
    NewUser {
        organisation_id,
        username: username.into(),
        display_name: format!("{username} (test)"),
        role,
        password_hash: hash.into(),
    }
}

fn session(
    token_hash: &str,
    user_id: UserId,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> SessionRecord {
    SessionRecord {
        token_hash: token_hash.into(),
        user_id,
        csrf_token: format!("csrf-{token_hash}"),
        created_at,
        last_seen_at: created_at,
        expires_at,
    }
}

fn draft(name: &str, kind: SiteKind, polygon: SitePolygon) -> SiteDraft {
    SiteDraft {
        name: name.into(),
        kind,
        polygon,
        capacity: None,
        operators: vec![],
        opening_hours: None,
        tags: BTreeMap::new(),
        source: None,
    }
}

fn square_ring(west: f64, south: f64, size: f64) -> serde_json::Value {
    serde_json::json!([[
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south]
    ]])
}

fn square(west: f64, south: f64, size: f64) -> SitePolygon {
    let geometry: geojson::Geometry = serde_json::from_value(
        serde_json::json!({"type": "Polygon", "coordinates": square_ring(west, south, size)}),
    )
    .unwrap();
    SitePolygon::from_geojson(&geometry).unwrap()
}

/// A MultiPolygon of two disjoint squares, to check that both parts survive storage.
fn two_squares(west: f64, south: f64) -> SitePolygon {
    let geometry: geojson::Geometry = serde_json::from_value(serde_json::json!({
        "type": "MultiPolygon",
        "coordinates": [square_ring(west, south, 0.0005), square_ring(west + 0.001, south, 0.0005)]
    }))
    .unwrap();
    SitePolygon::from_geojson(&geometry).unwrap()
}

fn feature(
    layer: BasemapLayer,
    osm_ref: &str,
    name: Option<&str>,
    geometry: geojson::Geometry,
    bounding_box: (f64, f64, f64, f64),
) -> BasemapFeature {
    let mut tags = BTreeMap::from([("source".to_string(), "test".to_string())]);
    if layer == BasemapLayer::Barrier {
        tags.insert("barrier".into(), "bollard".into());
    }
    BasemapFeature {
        layer,
        osm_ref: osm_ref.into(),
        name: name.map(str::to_string),
        tags,
        geometry,
        bounding_box,
    }
}

fn point_geometry(lon: f64, lat: f64) -> geojson::Geometry {
    serde_json::from_value(serde_json::json!({"type": "Point", "coordinates": [lon, lat]})).unwrap()
}

fn line_geometry(points: &[(f64, f64)]) -> geojson::Geometry {
    let coordinates: Vec<[f64; 2]> = points.iter().map(|&(lon, lat)| [lon, lat]).collect();
    serde_json::from_value(serde_json::json!({"type": "LineString", "coordinates": coordinates}))
        .unwrap()
}

fn polygon_geometry(west: f64, south: f64, size: f64) -> geojson::Geometry {
    serde_json::from_value(
        serde_json::json!({"type": "Polygon", "coordinates": square_ring(west, south, size)}),
    )
    .unwrap()
}
