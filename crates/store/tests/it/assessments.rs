//! The assessment story on both backends: start, save (with optimistic locking), attach evidence,
//! finalise, supersede, and the refusals that make a final assessment a record: through the
//! store, and through plain SQL written straight to the database, where triggers refuse it.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;

use domain::{
    AssessmentDraft, AssessmentId, AssessmentStatus, AuditAction, NewAssessment, NewEvidence,
    NewOrganisation, OrganisationKind, Role, SiteKind, Tlp,
};
use sqlx::Connection;
use store::{PostgresStore, Store, StoreError};

use super::{draft, new_user, postgres_url, square};

#[tokio::test]
async fn assessments_on_sqlite() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", directory.path().join("agora.db").display());
    let store = store::open(&url).await.expect("open the SQLite store");
    let told = tell_assessment_story(&*store).await;
    store.close().await;

    let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let final_id = told.final_id.to_string();
    let draft_id = told.draft_id.to_string();
    let refusals = [
        sqlx::query("UPDATE assessments SET marking = 'clear' WHERE id = ?")
            .bind(&final_id)
            .execute(&mut connection)
            .await,
        sqlx::query("DELETE FROM assessments WHERE id = ?")
            .bind(&final_id)
            .execute(&mut connection)
            .await,
        sqlx::query("UPDATE evidence SET file_name = 'other.txt' WHERE assessment_id = ?")
            .bind(&final_id)
            .execute(&mut connection)
            .await,
        sqlx::query("DELETE FROM evidence WHERE assessment_id = ?")
            .bind(&final_id)
            .execute(&mut connection)
            .await,
        sqlx::query(
            "INSERT INTO evidence (id, assessment_id, file_name, content_type, size_bytes, sha256,
                                   data, uploaded_at)
             SELECT 'e2', assessment_id, 'late.txt', content_type, size_bytes, sha256, data,
                    uploaded_at
             FROM evidence WHERE assessment_id = ?",
        )
        .bind(&final_id)
        .execute(&mut connection)
        .await,
    ];
    check_refusals(refusals);
    // The triggers leave drafts alone.
    let changed = sqlx::query("UPDATE assessments SET marking = 'red' WHERE id = ?")
        .bind(&draft_id)
        .execute(&mut connection)
        .await
        .unwrap();
    assert_eq!(changed.rows_affected(), 1);
    connection.close().await.unwrap();
}

#[tokio::test]
async fn assessments_on_postgres() {
    let Some(url) = postgres_url() else {
        return;
    };
    let schema = format!("agora_test_{}", uuid::Uuid::new_v4().simple());
    let story = {
        let (url, schema) = (url.clone(), schema.clone());
        tokio::spawn(async move {
            let store: Arc<dyn Store> = Arc::new(
                PostgresStore::connect_in_schema(&url, &schema)
                    .await
                    .expect("reach PostgreSQL at AGORA_TEST_POSTGRES_URL"),
            );
            let told = tell_assessment_story(&*store).await;
            store.close().await;

            let options = sqlx::postgres::PgConnectOptions::from_str(&url)
                .unwrap()
                .options([("search_path", schema.as_str())]);
            let mut connection = sqlx::PgConnection::connect_with(&options).await.unwrap();
            let (final_id, draft_id) = (told.final_id.0, told.draft_id.0);
            let mut refusals = Vec::new();
            for statement in [
                "UPDATE assessments SET marking = 'clear' WHERE id = $1",
                "DELETE FROM assessments WHERE id = $1",
                "UPDATE evidence SET file_name = 'other.txt' WHERE assessment_id = $1",
                "DELETE FROM evidence WHERE assessment_id = $1",
                "INSERT INTO evidence (id, assessment_id, file_name, content_type, size_bytes,
                                       sha256, data, uploaded_at)
                 SELECT gen_random_uuid(), assessment_id, 'late.txt', content_type, size_bytes,
                        sha256, data, uploaded_at
                 FROM evidence WHERE assessment_id = $1",
            ] {
                refusals.push(
                    sqlx::query(statement)
                        .bind(final_id)
                        .execute(&mut connection)
                        .await
                        .map(|_| ()),
                );
            }
            check_refusals(refusals);
            let changed = sqlx::query("UPDATE assessments SET marking = 'red' WHERE id = $1")
                .bind(draft_id)
                .execute(&mut connection)
                .await
                .unwrap();
            assert_eq!(changed.rows_affected(), 1);
            connection.close().await.unwrap();
        })
    };
    let outcome = story.await;
    let dropped = PostgresStore::drop_schema(&url, &schema).await;
    if let Err(join_error) = outcome {
        std::panic::resume_unwind(join_error.into_panic());
    }
    dropped.expect("drop the test schema");
}

/// Every statement failed, each with the trigger's message.
fn check_refusals<T: std::fmt::Debug>(refusals: impl IntoIterator<Item = Result<T, sqlx::Error>>) {
    for (index, outcome) in refusals.into_iter().enumerate() {
        let error = outcome.expect_err(&format!("statement {index} should be refused"));
        assert!(
            error.to_string().contains("is final"),
            "statement {index}: {error}"
        );
    }
}

struct Told {
    final_id: AssessmentId,
    draft_id: AssessmentId,
}

async fn tell_assessment_story(store: &dyn Store) -> Told {
    let city = store
        .create_organisation(&NewOrganisation {
            name: "Ville de Lyon".into(),
            kind: OrganisationKind::City,
        })
        .await
        .unwrap();
    let police = store
        .create_organisation(&NewOrganisation {
            name: "Police nationale".into(),
            kind: OrganisationKind::Police,
        })
        .await
        .unwrap();
    let assessor = store
        .create_user(&new_user(city.id, "assessor", Role::Assessor, "hash"))
        .await
        .unwrap();
    let site = store
        .create_sites(
            city.id,
            &[draft(
                "Place Bellecour",
                SiteKind::Square,
                square(4.83, 45.757, 0.002),
            )],
            Some(assessor.id),
        )
        .await
        .unwrap()
        .remove(0);
    let input = serde_json::json!({"questionnaire_id": "public-space", "questionnaire_version": "1",
                                   "answers": {"vr.entry_barriers": 2}});
    let new = NewAssessment {
        site_id: site.id,
        questionnaire_id: "public-space".into(),
        questionnaire_version: "1".into(),
        input: input.clone(),
        notes: BTreeMap::new(),
        marking: Tlp::Amber,
        created_by: Some(assessor.id),
        supersedes: None,
    };

    // Start: a draft at version 1, scoped to the organisation.
    let first = store.create_assessment(city.id, &new).await.unwrap();
    assert_eq!(
        (first.status, first.version, first.marking),
        (AssessmentStatus::Draft, 1, Tlp::Amber)
    );
    assert_eq!(first.input, input);
    assert_eq!(
        store.assessment(city.id, first.id).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(store.assessment(police.id, first.id).await.unwrap(), None);
    let elsewhere = store.create_assessment(police.id, &new).await.unwrap_err();
    assert!(
        matches!(elsewhere, StoreError::NotFound { what: "site", .. }),
        "{elsewhere}"
    );
    let premature = store
        .create_assessment(
            city.id,
            &NewAssessment {
                supersedes: Some(first.id),
                ..new.clone()
            },
        )
        .await
        .unwrap_err();
    assert!(
        premature.to_string().contains("is still a draft"),
        "{premature}"
    );

    // Save: the version moves on; a stale version is refused and changes nothing.
    let mut answers = input.clone();
    answers["answers"]["vr.entry_barriers"] = 4.into();
    let saved_draft = AssessmentDraft {
        input: answers.clone(),
        notes: BTreeMap::from([("vr.entry_barriers".into(), "bollards on two sides".into())]),
        marking: Tlp::AmberStrict,
    };
    let saved = store
        .save_assessment_draft(city.id, first.id, 1, &saved_draft, Some(assessor.id))
        .await
        .unwrap();
    assert_eq!((saved.version, saved.marking), (2, Tlp::AmberStrict));
    assert_eq!(saved.notes["vr.entry_barriers"], "bollards on two sides");
    let stale = store
        .save_assessment_draft(city.id, first.id, 1, &saved_draft, Some(assessor.id))
        .await
        .unwrap_err();
    assert!(
        stale
            .to_string()
            .contains("you edited version 1, it is now at version 2"),
        "{stale}"
    );
    let missing = store
        .save_assessment_draft(police.id, first.id, 2, &saved_draft, None)
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound { .. }), "{missing}");

    // Evidence: stored with its hash, listed without its bytes, read back whole.
    let photo = NewEvidence {
        assessment_id: first.id,
        question_id: Some("vr.entry_barriers".into()),
        file_name: "bollards.txt".into(),
        content_type: "text/plain".into(),
        sha256: "a".repeat(64),
        data: b"two rows of bollards".to_vec(),
        uploaded_by: Some(assessor.id),
    };
    let evidence = store.add_evidence(city.id, &photo).await.unwrap();
    assert_eq!(evidence.size_bytes, 20);
    assert_eq!(
        store.list_evidence(city.id, first.id).await.unwrap(),
        vec![evidence.clone()]
    );
    assert!(
        store
            .list_evidence(police.id, first.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.evidence_data(city.id, evidence.id).await.unwrap(),
        Some((evidence.clone(), photo.data.clone()))
    );
    assert_eq!(
        store.evidence_data(police.id, evidence.id).await.unwrap(),
        None
    );

    // Finalise: the result is stored and from then on nothing changes.
    let result = serde_json::json!({"threats": []});
    let finalised = store
        .finalise_assessment(
            city.id,
            first.id,
            2,
            &saved_draft,
            &result,
            Some(assessor.id),
        )
        .await
        .unwrap();
    assert_eq!(finalised.status, AssessmentStatus::Final);
    assert_eq!(finalised.version, 3);
    assert_eq!(finalised.result, Some(result.clone()));
    assert_eq!(finalised.finalised_by, Some(assessor.id));
    assert!(finalised.finalised_at.is_some());
    let refused = [
        store
            .save_assessment_draft(city.id, first.id, 3, &saved_draft, None)
            .await
            .unwrap_err(),
        store
            .finalise_assessment(city.id, first.id, 3, &saved_draft, &result, None)
            .await
            .unwrap_err(),
        store.add_evidence(city.id, &photo).await.unwrap_err(),
        store.delete_site(city.id, site.id, None).await.unwrap_err(),
    ];
    for error in &refused[..3] {
        assert!(matches!(error, StoreError::Conflict(_)), "{error}");
        assert!(
            error
                .to_string()
                .contains("is final and cannot be changed; start a new assessment"),
            "{error}"
        );
    }
    assert!(
        refused[3].to_string().contains("1 final assessment(s)"),
        "{}",
        refused[3]
    );
    assert_eq!(
        store.assessment(city.id, first.id).await.unwrap(),
        Some(finalised.clone())
    );
    assert_eq!(
        store.list_evidence(city.id, first.id).await.unwrap().len(),
        1
    );

    // Supersede: a new draft naming the final one.
    let second = store
        .create_assessment(
            city.id,
            &NewAssessment {
                supersedes: Some(first.id),
                input: answers.clone(),
                ..new.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(second.supersedes, Some(first.id));
    let listed: Vec<AssessmentId> = store
        .list_assessments(city.id, Some(site.id))
        .await
        .unwrap()
        .iter()
        .map(|record| record.id)
        .collect();
    assert_eq!(listed, [second.id, first.id]);
    assert_eq!(
        store.list_assessments(city.id, None).await.unwrap().len(),
        2
    );
    assert!(
        store
            .list_assessments(police.id, None)
            .await
            .unwrap()
            .is_empty()
    );

    // The audit trail has every write, with its subject.
    let audit = store.audit_events(city.id, 50).await.unwrap();
    let actions: Vec<AuditAction> = audit
        .iter()
        .filter(|event| event.subject.starts_with("assessment:"))
        .map(|event| event.action)
        .collect();
    assert_eq!(
        actions,
        [
            AuditAction::AssessmentStarted,
            AuditAction::AssessmentFinalised,
            AuditAction::EvidenceAdded,
            AuditAction::AssessmentSaved,
            AuditAction::AssessmentStarted,
        ]
    );
    Told {
        final_id: first.id,
        draft_id: second.id,
    }
}
