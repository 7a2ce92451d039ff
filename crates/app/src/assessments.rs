//! Vulnerability assessments: start one on a site (or a new one superseding the last final one),
//! answer it in drafts, attach evidence, finalise it, compare two, and rank every site of the
//! city by risk on a dashboard.
//!
//! Every write is scored by `risk::assess` before it is stored, so an answer to a question the
//! questionnaire version does not have, a grade or score out of range or an override without a
//! justification is refused with the engine's message (which names the field) and nothing is
//! saved. The site's latest studies are read at every save and at finalisation: the HVM study's
//! fastest and most energetic open approach and, when the site has one, the crowd study's peak
//! density and evacuation time raise V and C as `risk` defines. A final assessment keeps the
//! scored result it was finalised with; it is never changed (the store and the database refuse
//! it too), and a new assessment supersedes it.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use anyhow::Context;
use domain::{
    AssessmentDraft, AssessmentId, AssessmentRecord, AssessmentStatus, Evidence, EvidenceId,
    NewAssessment, NewEvidence, Site, SiteId, SiteKind, StudyKind, Tlp, UserId,
};
use risk::{
    AssessmentInput, Comparison, CrowdFindings, DutyTier, Grade, HvmFindings, PremisesFacts,
    QuestionId, Questionnaire, RiskScore, ScoreOverride, StudyFindings, Threat,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Actor, App, AppError, HvmSummary};

/// The largest evidence file accepted, bytes (10 MiB: a few photos' worth; a whole survey
/// belongs in a document store, linked from a note).
pub const MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;

/// The longest note accepted per question, characters.
pub const MAX_NOTE_CHARS: usize = 10_000;

/// The marking a new assessment gets: a site's vulnerabilities are for the organisation and
/// its partners on a need-to-know basis.
pub const DEFAULT_MARKING: Tlp = Tlp::Amber;

static QUESTIONNAIRE: LazyLock<Arc<Questionnaire>> =
    LazyLock::new(|| Arc::new(risk::shipped_questionnaire()));

/// The questionnaire new assessments are answered against.
pub fn current_questionnaire() -> Arc<Questionnaire> {
    QUESTIONNAIRE.clone()
}

/// The questionnaire of a stored assessment, if this build of Agora has that version.
pub fn questionnaire_version(id: &str, version: &str) -> Result<Arc<Questionnaire>, AppError> {
    let current = current_questionnaire();
    if current.id == id && current.version == version {
        Ok(current)
    } else {
        Err(AppError::Invalid(format!(
            "questionnaire {id} v{version} is not available in this version of Agora (it has {})",
            current.label()
        )))
    }
}

/// What an assessor enters in a draft: graded answers, threat likelihoods, overrides with their
/// justification, notes per question and the marking. The API's body and the CLI's file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentAnswers {
    /// Grade (1-5) per question id.
    #[serde(default)]
    pub answers: BTreeMap<QuestionId, Grade>,
    /// T (1-10) per threat.
    #[serde(default)]
    pub threat_likelihoods: BTreeMap<Threat, f64>,
    /// Manual T, V or C values, each with its justification.
    #[serde(default)]
    pub overrides: Vec<ScoreOverride>,
    /// Free-text notes per question id.
    #[serde(default)]
    pub notes: BTreeMap<QuestionId, String>,
    /// The TLP marking; unchanged when absent.
    #[serde(default)]
    pub marking: Option<Tlp>,
}

/// An assessment as the edges and the reports read it: the record, the answers, and the scored
/// result (the stored one once final; for a draft, scored now from its answers).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredAssessment {
    /// Its id.
    pub id: AssessmentId,
    /// The site assessed.
    pub site_id: SiteId,
    /// Draft or final.
    pub status: AssessmentStatus,
    /// Who may see it.
    pub marking: Tlp,
    /// Bumped by every save: send it back with the next save.
    pub version: i64,
    /// Who started it, and when.
    pub created_by: Option<UserId>,
    /// When it was started.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Who saved it last.
    pub updated_by: Option<UserId>,
    /// When it was saved last.
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// The assessor who finalised it.
    pub finalised_by: Option<UserId>,
    /// When it was finalised.
    pub finalised_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The final assessment it supersedes.
    pub supersedes: Option<AssessmentId>,
    /// Answers, likelihoods, overrides and the study findings used.
    pub input: AssessmentInput,
    /// Notes per question.
    pub notes: BTreeMap<QuestionId, String>,
    /// T, V, C and risk per threat, each explained.
    pub scored: risk::Assessment,
    /// The evidence files (without their bytes).
    pub evidence: Vec<Evidence>,
}

impl StoredAssessment {
    /// Whether it is final (and so can no longer change).
    pub fn is_final(&self) -> bool {
        self.status == AssessmentStatus::Final
    }

    /// What an assessor had entered, to start a new draft from.
    pub fn answers(&self) -> AssessmentAnswers {
        AssessmentAnswers {
            answers: self.input.answers.clone(),
            threat_likelihoods: self.input.threat_likelihoods.clone(),
            overrides: self.input.overrides.clone(),
            notes: self.notes.clone(),
            marking: Some(self.marking),
        }
    }
}

/// Two assessments of one site side by side, and what changed between them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentComparison {
    /// The earlier one.
    pub before: StoredAssessment,
    /// The later one.
    pub after: StoredAssessment,
    /// Answers and scores that differ.
    pub changes: Comparison,
}

/// One site on the city dashboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DashboardSite {
    /// The site.
    pub site_id: SiteId,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: SiteKind,
    /// Its capacity, if recorded.
    pub capacity: Option<u32>,
    /// The UK Protection of Premises duty tier, beside risk and never part of it; `None` when the
    /// capacity is not recorded.
    pub duty_tier: Option<DutyTier>,
    /// Whether a draft assessment is being worked on.
    pub draft_in_progress: bool,
    /// The latest final assessment's headline, if the site has one.
    pub latest: Option<DashboardAssessment>,
}

/// The headline of a site's latest final assessment and what changed since the previous one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DashboardAssessment {
    /// The assessment.
    pub id: AssessmentId,
    /// When it was finalised.
    pub finalised_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Its marking.
    pub marking: Tlp,
    /// The threat with the highest risk, and that risk.
    pub highest: Option<(Threat, RiskScore)>,
    /// Risk per threat (those scored), in questionnaire order.
    pub risks: Vec<(Threat, RiskScore)>,
    /// The previous final assessment, if any.
    pub previous: Option<AssessmentId>,
    /// What changed since the previous final assessment.
    pub changes: Option<Comparison>,
}

/// Every site of the organisation: those assessed ranked by their highest risk, then those never
/// assessed (no final assessment), by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CityDashboard {
    /// Sites with a final assessment, highest risk first.
    pub ranked: Vec<DashboardSite>,
    /// Sites without one.
    pub never_assessed: Vec<DashboardSite>,
}

/// Whether a kind of site is premises "wholly or mainly used" for a use in Schedule 1 of the
/// Terrorism (Protection of Premises) Act 2025 (retail, entertainment, sports grounds, places of
/// worship, visitor attractions, transport hubs...; mission-anchors.md §2.3). Open squares,
/// streets, promenades, markets and event spaces are not premises in the Act's sense: they fall
/// under it only through a qualifying public event, which is an event's tier, not the site's.
pub fn schedule_1_use(kind: SiteKind) -> bool {
    match kind {
        SiteKind::TransportHub
        | SiteKind::ShoppingCentre
        | SiteKind::PlaceOfWorship
        | SiteKind::ConcertHall
        | SiteKind::Stadium
        | SiteKind::TouristSite => true,
        SiteKind::Square
        | SiteKind::PedestrianStreet
        | SiteKind::Promenade
        | SiteKind::OpenAirMarket
        | SiteKind::EventSpace => false,
    }
}

/// A site's duty tier from its kind and capacity (`None` without a capacity).
pub fn site_duty_tier(site: &Site) -> Option<DutyTier> {
    site.draft.capacity.map(|capacity| {
        risk::premises_tier(&PremisesFacts {
            schedule_1_use: schedule_1_use(site.draft.kind),
            people_reasonably_expected: capacity,
        })
    })
}

/// The HVM finding of a vehicle-approach study's summary: its fastest and most energetic open
/// approach (`None` when no entry is open).
pub fn hvm_findings(summary: &HvmSummary) -> Option<HvmFindings> {
    let fastest = summary.fastest.as_ref()?;
    let most_energetic = summary.most_energetic.as_ref().unwrap_or(fastest);
    let open_entry = if fastest.entry == most_energetic.entry {
        format!("{} ({})", fastest.entry, fastest.vehicle)
    } else {
        format!(
            "{} ({}, fastest), {} ({}, most energetic)",
            fastest.entry, fastest.vehicle, most_energetic.entry, most_energetic.vehicle
        )
    };
    Some(HvmFindings {
        open_entry,
        max_impact_speed_kmh: fastest.speed_kmh,
        max_impact_energy_kj: most_energetic.energy_kj,
    })
}

/// The crowd finding of a crowd study's summary (`peak_density_per_m2` and
/// `evacuation_time_s`), or `None` when it lacks either.
pub fn crowd_findings(summary: &serde_json::Value) -> Option<CrowdFindings> {
    Some(CrowdFindings {
        peak_density_persons_per_m2: summary.get("peak_density_per_m2")?.as_f64()?,
        evacuation_time_s: summary.get("evacuation_time_s")?.as_f64()?,
    })
}

/// The refusal of any change to a final assessment, naming the way forward.
fn final_refusal(id: AssessmentId) -> AppError {
    AppError::Conflict(format!(
        "assessment {id} is final and cannot be changed; start a new assessment of the site that \
         supersedes it"
    ))
}

fn require_assessor(actor: &Actor) -> Result<(), AppError> {
    if actor.user.role.can_assess() {
        Ok(())
    } else {
        Err(AppError::Forbidden("assess sites".into()))
    }
}

/// The media type of an evidence file, recognised from its first bytes (not from its name):
/// PNG, JPEG, PDF or plain UTF-8 text.
pub fn sniff_evidence_type(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if data.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if std::str::from_utf8(data).is_ok_and(|text| {
        !text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    }) {
        Some("text/plain")
    } else {
        None
    }
}

/// The media type a file name's extension claims, for the extensions evidence may have.
fn type_of_extension(file_name: &str) -> Option<&'static str> {
    let extension = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    match extension.as_str() {
        "png" => Some("image/png"),
        "jpg" | "jpeg" => Some("image/jpeg"),
        "pdf" => Some("application/pdf"),
        "txt" | "text" | "md" | "csv" => Some("text/plain"),
        _ => None,
    }
}

/// Checks an uploaded file and returns its cleaned name and media type.
pub fn check_evidence_file(file_name: &str, data: &[u8]) -> Result<(String, String), AppError> {
    // Browsers and scripts may send a path: keep the last component only.
    let name = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim();
    if name.is_empty() {
        return Err(AppError::Invalid("file: the file has no name".into()));
    }
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(AppError::Invalid(format!(
            "file: the name '{}' is too long or has control characters",
            name.chars()
                .filter(|c| !c.is_control())
                .take(60)
                .collect::<String>()
        )));
    }
    if data.is_empty() {
        return Err(AppError::Invalid(format!("file {name}: the file is empty")));
    }
    if data.len() > MAX_EVIDENCE_BYTES {
        return Err(AppError::Invalid(format!(
            "file {name}: {:.1} MiB is over the limit of {} MiB",
            data.len() as f64 / 1024.0 / 1024.0,
            MAX_EVIDENCE_BYTES / 1024 / 1024
        )));
    }
    let Some(content_type) = sniff_evidence_type(data) else {
        return Err(AppError::Invalid(format!(
            "file {name}: its content is not a PNG or JPEG image, a PDF or plain text (the types \
             evidence may have)"
        )));
    };
    match type_of_extension(name) {
        Some(claimed) if claimed != content_type => Err(AppError::Invalid(format!(
            "file {name}: the name says {claimed} but the content is {content_type}"
        ))),
        None => Err(AppError::Invalid(format!(
            "file {name}: the name should end in .png, .jpg, .jpeg, .pdf or .txt (the content is \
             {content_type})"
        ))),
        Some(_) => Ok((name.to_string(), content_type.to_string())),
    }
}

/// Refuses notes on questions the questionnaire does not have, and notes that are too long.
fn check_notes(
    questionnaire: &Questionnaire,
    notes: &BTreeMap<QuestionId, String>,
) -> Result<(), AppError> {
    for (question, note) in notes {
        if questionnaire.question(question).is_none() {
            return Err(AppError::Invalid(format!(
                "notes.{question}: no such question in questionnaire {}",
                questionnaire.label()
            )));
        }
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(AppError::Invalid(format!(
                "notes.{question}: {} characters, at most {MAX_NOTE_CHARS} are kept",
                note.chars().count()
            )));
        }
    }
    Ok(())
}

fn notes_to_store(notes: &BTreeMap<QuestionId, String>) -> BTreeMap<String, String> {
    notes
        .iter()
        .filter(|(_, note)| !note.trim().is_empty())
        .map(|(question, note)| (question.to_string(), note.clone()))
        .collect()
}

fn encode<T: Serialize>(what: &str, value: &T) -> Result<serde_json::Value, AppError> {
    Ok(serde_json::to_value(value).with_context(|| format!("encoding {what}"))?)
}

/// Scores `input`, turning the engine's refusal into an `Invalid` naming the field.
fn score(
    questionnaire: &Questionnaire,
    input: AssessmentInput,
) -> Result<risk::Assessment, AppError> {
    risk::assess(questionnaire, input).map_err(|error| AppError::Invalid(error.to_string()))
}

impl App {
    /// The findings of the site's latest studies that bear on risk.
    pub async fn study_findings(
        &self,
        actor: &Actor,
        site_id: SiteId,
    ) -> Result<StudyFindings, AppError> {
        let hvm = self
            .site_studies(actor, site_id, Some(StudyKind::VehicleApproach))
            .await?
            .first()
            .map(|study| {
                serde_json::from_value::<HvmSummary>(study.study.summary.clone())
                    .with_context(|| format!("study {}: stored summary does not decode", study.id))
            })
            .transpose()?
            .and_then(|summary| hvm_findings(&summary));
        let crowd = self
            .site_studies(actor, site_id, Some(StudyKind::Crowd))
            .await?
            .first()
            .and_then(|study| crowd_findings(&study.study.summary));
        Ok(StudyFindings { hvm, crowd })
    }

    /// Starts an assessment of a site against the current questionnaire. With `supersede`, the
    /// new draft replaces the site's latest final assessment and starts from its answers,
    /// likelihoods, overrides, notes and marking.
    pub async fn start_assessment(
        &self,
        actor: &Actor,
        site_id: SiteId,
        supersede: bool,
    ) -> Result<StoredAssessment, AppError> {
        self.start_assessment_with(actor, site_id, supersede, None)
            .await
    }

    /// Starts an assessment already answered with `entered` (checked as a save is, before
    /// anything is stored): one write, so a refused file leaves no empty draft behind.
    pub async fn start_assessment_with(
        &self,
        actor: &Actor,
        site_id: SiteId,
        supersede: bool,
        entered: Option<AssessmentAnswers>,
    ) -> Result<StoredAssessment, AppError> {
        require_assessor(actor)?;
        let site = self.site(actor, site_id).await?;
        let questionnaire = current_questionnaire();
        let previous = if supersede {
            Some(
                self.latest_final_assessment(actor, site_id)
                    .await?
                    .ok_or_else(|| {
                        AppError::Invalid(format!(
                            "site '{}' has no final assessment to supersede: start a new one",
                            site.draft.name
                        ))
                    })?,
            )
        } else {
            None
        };
        let given = entered.is_some();
        let mut entered = entered
            .or_else(|| previous.as_ref().map(StoredAssessment::answers))
            .unwrap_or_default();
        // Answers carried over from another questionnaire version keep only the questions this
        // version still has (an id is never reused for another meaning).
        if given {
            check_notes(&questionnaire, &entered.notes)?;
        } else {
            entered
                .answers
                .retain(|question, _| questionnaire.question(question).is_some());
            entered
                .notes
                .retain(|question, _| questionnaire.question(question).is_some());
        }
        let input = AssessmentInput {
            questionnaire_id: questionnaire.id.clone(),
            questionnaire_version: questionnaire.version.clone(),
            answers: entered.answers,
            threat_likelihoods: entered.threat_likelihoods,
            studies: self.study_findings(actor, site_id).await?,
            overrides: entered.overrides,
        };
        score(&questionnaire, input.clone())?;
        let record = self
            .store
            .create_assessment(
                actor.organisation_id(),
                &NewAssessment {
                    site_id,
                    questionnaire_id: questionnaire.id.clone(),
                    questionnaire_version: questionnaire.version.clone(),
                    input: encode("assessment input", &input)?,
                    notes: notes_to_store(&entered.notes),
                    marking: entered.marking.unwrap_or(DEFAULT_MARKING),
                    created_by: Some(actor.user.id),
                    supersedes: previous.map(|previous| previous.id),
                },
            )
            .await?;
        self.decode_assessment(actor, record).await
    }

    /// Saves a draft if nobody saved it since `expected_version`. Everything is checked first
    /// (questions of this questionnaire version, grades 1-5, T/V/C 1-10, overrides justified,
    /// notes on known questions): a refusal names the field and saves nothing.
    pub async fn save_assessment(
        &self,
        actor: &Actor,
        id: AssessmentId,
        expected_version: i64,
        entered: AssessmentAnswers,
    ) -> Result<StoredAssessment, AppError> {
        require_assessor(actor)?;
        let record = self.assessment_record(actor, id).await?;
        let (draft, _) = self.checked_draft(actor, &record, entered).await?;
        let saved = self
            .store
            .save_assessment_draft(
                actor.organisation_id(),
                id,
                expected_version,
                &draft,
                Some(actor.user.id),
            )
            .await?;
        self.decode_assessment(actor, saved).await
    }

    /// Finalises an assessment with its answers as they are (and the site's studies as they are
    /// now): stores the scored result; from then on every change is refused. Refused while no
    /// threat has a risk (likelihood, and answers for V and C).
    pub async fn finalise_assessment(
        &self,
        actor: &Actor,
        id: AssessmentId,
        expected_version: i64,
    ) -> Result<StoredAssessment, AppError> {
        require_assessor(actor)?;
        let record = self.assessment_record(actor, id).await?;
        let current = self.decode_assessment(actor, record.clone()).await?;
        let (draft, scored) = self
            .checked_draft(actor, &record, current.answers())
            .await?;
        if scored.highest_risk().is_none() {
            return Err(AppError::Invalid(
                "no threat has a risk yet: give at least one threat likelihood and answer the \
                 questions that score its vulnerability and consequence before finalising"
                    .into(),
            ));
        }
        let finalised = self
            .store
            .finalise_assessment(
                actor.organisation_id(),
                id,
                expected_version,
                &draft,
                &encode("scored assessment", &scored)?,
                Some(actor.user.id),
            )
            .await?;
        self.decode_assessment(actor, finalised).await
    }

    /// Checks what was entered against the assessment's questionnaire and scores it with the
    /// site's current study findings; refuses a final assessment.
    async fn checked_draft(
        &self,
        actor: &Actor,
        record: &AssessmentRecord,
        entered: AssessmentAnswers,
    ) -> Result<(AssessmentDraft, risk::Assessment), AppError> {
        if record.status == AssessmentStatus::Final {
            return Err(final_refusal(record.id));
        }
        let questionnaire =
            questionnaire_version(&record.questionnaire_id, &record.questionnaire_version)?;
        check_notes(&questionnaire, &entered.notes)?;
        let input = AssessmentInput {
            questionnaire_id: record.questionnaire_id.clone(),
            questionnaire_version: record.questionnaire_version.clone(),
            answers: entered.answers,
            threat_likelihoods: entered.threat_likelihoods,
            studies: self.study_findings(actor, record.site_id).await?,
            overrides: entered.overrides,
        };
        let scored = score(&questionnaire, input.clone())?;
        Ok((
            AssessmentDraft {
                input: encode("assessment input", &input)?,
                notes: notes_to_store(&entered.notes),
                marking: entered.marking.unwrap_or(record.marking),
            },
            scored,
        ))
    }

    /// Attaches an evidence file to a draft assessment, optionally to one question. The file's
    /// type is recognised from its bytes (PNG, JPEG, PDF, plain text) and must agree with its
    /// name; at most [`MAX_EVIDENCE_BYTES`].
    pub async fn add_evidence(
        &self,
        actor: &Actor,
        assessment_id: AssessmentId,
        question: Option<QuestionId>,
        file_name: &str,
        data: Vec<u8>,
    ) -> Result<Evidence, AppError> {
        require_assessor(actor)?;
        let record = self.assessment_record(actor, assessment_id).await?;
        if record.status == AssessmentStatus::Final {
            return Err(final_refusal(assessment_id));
        }
        if let Some(question) = &question {
            let questionnaire =
                questionnaire_version(&record.questionnaire_id, &record.questionnaire_version)?;
            if questionnaire.question(question).is_none() {
                return Err(AppError::Invalid(format!(
                    "question: {question} is not a question of questionnaire {}",
                    questionnaire.label()
                )));
            }
        }
        let (file_name, content_type) = check_evidence_file(file_name, &data)?;
        let sha256 = Sha256::digest(&data)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Ok(self
            .store
            .add_evidence(
                actor.organisation_id(),
                &NewEvidence {
                    assessment_id,
                    question_id: question.map(|question| question.to_string()),
                    file_name,
                    content_type,
                    sha256,
                    data,
                    uploaded_by: Some(actor.user.id),
                },
            )
            .await?)
    }

    /// One evidence file with its bytes.
    pub async fn evidence_file(
        &self,
        actor: &Actor,
        id: EvidenceId,
    ) -> Result<(Evidence, Vec<u8>), AppError> {
        self.store
            .evidence_data(actor.organisation_id(), id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("evidence {id} not found")))
    }

    async fn assessment_record(
        &self,
        actor: &Actor,
        id: AssessmentId,
    ) -> Result<AssessmentRecord, AppError> {
        self.store
            .assessment(actor.organisation_id(), id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("assessment {id} not found")))
    }

    async fn decode_assessment(
        &self,
        actor: &Actor,
        record: AssessmentRecord,
    ) -> Result<StoredAssessment, AppError> {
        let input: AssessmentInput = serde_json::from_value(record.input.clone())
            .with_context(|| format!("assessment {}: stored input does not decode", record.id))?;
        let scored = match &record.result {
            Some(result) => serde_json::from_value(result.clone()).with_context(|| {
                format!("assessment {}: stored result does not decode", record.id)
            })?,
            None => {
                let questionnaire =
                    questionnaire_version(&record.questionnaire_id, &record.questionnaire_version)?;
                risk::assess(&questionnaire, input.clone()).with_context(|| {
                    format!("assessment {}: stored input does not score", record.id)
                })?
            }
        };
        let evidence = self
            .store
            .list_evidence(actor.organisation_id(), record.id)
            .await?;
        Ok(StoredAssessment {
            id: record.id,
            site_id: record.site_id,
            status: record.status,
            marking: record.marking,
            version: record.version,
            created_by: record.created_by,
            created_at: record.created_at,
            updated_by: record.updated_by,
            updated_at: record.updated_at,
            finalised_by: record.finalised_by,
            finalised_at: record.finalised_at,
            supersedes: record.supersedes,
            input,
            notes: record
                .notes
                .into_iter()
                .map(|(question, note)| (QuestionId::from(question.as_str()), note))
                .collect(),
            scored,
            evidence,
        })
    }

    /// One assessment, scored and with its evidence list.
    pub async fn assessment(
        &self,
        actor: &Actor,
        id: AssessmentId,
    ) -> Result<StoredAssessment, AppError> {
        let record = self.assessment_record(actor, id).await?;
        self.decode_assessment(actor, record).await
    }

    /// The assessments of a site, newest first.
    pub async fn site_assessments(
        &self,
        actor: &Actor,
        site_id: SiteId,
    ) -> Result<Vec<StoredAssessment>, AppError> {
        self.site(actor, site_id).await?;
        let records = self
            .store
            .list_assessments(actor.organisation_id(), Some(site_id))
            .await?;
        let mut assessments = Vec::with_capacity(records.len());
        for record in records {
            assessments.push(self.decode_assessment(actor, record).await?);
        }
        Ok(assessments)
    }

    /// The newest assessment of a site, draft or final (what a report or a plan starts from).
    pub async fn latest_assessment(
        &self,
        actor: &Actor,
        site_id: SiteId,
    ) -> Result<Option<StoredAssessment>, AppError> {
        Ok(self
            .site_assessments(actor, site_id)
            .await?
            .into_iter()
            .next())
    }

    /// The newest final assessment of a site.
    pub async fn latest_final_assessment(
        &self,
        actor: &Actor,
        site_id: SiteId,
    ) -> Result<Option<StoredAssessment>, AppError> {
        Ok(self
            .site_assessments(actor, site_id)
            .await?
            .into_iter()
            .find(StoredAssessment::is_final))
    }

    /// Two assessments of the same site side by side (`before` the earlier one).
    pub async fn compare_assessments(
        &self,
        actor: &Actor,
        before: AssessmentId,
        after: AssessmentId,
    ) -> Result<AssessmentComparison, AppError> {
        let before = self.assessment(actor, before).await?;
        let after = self.assessment(actor, after).await?;
        if before.site_id != after.site_id {
            return Err(AppError::Invalid(format!(
                "assessments {} and {} are of different sites; compare assessments of one site",
                before.id, after.id
            )));
        }
        let changes = risk::compare(&before.scored, &after.scored);
        Ok(AssessmentComparison {
            before,
            after,
            changes,
        })
    }

    /// Every site of the organisation ranked by the highest risk of its latest final assessment,
    /// with what changed since the previous final one; then the sites never assessed.
    pub async fn city_dashboard(&self, actor: &Actor) -> Result<CityDashboard, AppError> {
        let sites = self.list_sites(actor).await?;
        let records = self
            .store
            .list_assessments(actor.organisation_id(), None)
            .await?;
        let mut ranked = Vec::new();
        let mut never_assessed = Vec::new();
        for site in sites {
            let of_site: Vec<&AssessmentRecord> = records
                .iter()
                .filter(|record| record.site_id == site.id)
                .collect();
            let mut finals: Vec<&AssessmentRecord> = of_site
                .iter()
                .copied()
                .filter(|record| record.status == AssessmentStatus::Final)
                .collect();
            finals.sort_by_key(|record| std::cmp::Reverse((record.finalised_at, record.version)));
            let mut entry = DashboardSite {
                site_id: site.id,
                name: site.draft.name.clone(),
                kind: site.draft.kind,
                capacity: site.draft.capacity,
                duty_tier: site_duty_tier(&site),
                draft_in_progress: of_site
                    .iter()
                    .any(|record| record.status == AssessmentStatus::Draft),
                latest: None,
            };
            let Some(latest) = finals.first() else {
                never_assessed.push(entry);
                continue;
            };
            let latest = self.decode_assessment(actor, (*latest).clone()).await?;
            let previous = match finals.get(1) {
                Some(previous) => Some(self.decode_assessment(actor, (*previous).clone()).await?),
                None => None,
            };
            entry.latest = Some(DashboardAssessment {
                id: latest.id,
                finalised_at: latest.finalised_at,
                marking: latest.marking,
                highest: latest.scored.highest_risk(),
                risks: latest
                    .scored
                    .threats
                    .iter()
                    .filter_map(|row| row.risk.map(|risk| (row.threat, risk)))
                    .collect(),
                previous: previous.as_ref().map(|previous| previous.id),
                changes: previous
                    .as_ref()
                    .map(|previous| risk::compare(&previous.scored, &latest.scored)),
            });
            ranked.push(entry);
        }
        let highest = |entry: &DashboardSite| {
            entry
                .latest
                .as_ref()
                .and_then(|latest| latest.highest)
                .map_or(0.0, |(_, risk)| risk.value)
        };
        ranked.sort_by(|a, b| {
            highest(b)
                .total_cmp(&highest(a))
                .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
        });
        Ok(CityDashboard {
            ranked,
            never_assessed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_types_come_from_the_bytes_and_must_agree_with_the_name() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        assert_eq!(
            check_evidence_file("C:\\photos\\gate.png", &png).unwrap(),
            ("gate.png".to_string(), "image/png".to_string())
        );
        assert_eq!(
            check_evidence_file("scan.pdf", b"%PDF-1.7\n...").unwrap().1,
            "application/pdf"
        );
        assert_eq!(
            check_evidence_file("walk.JPG", &[0xFF, 0xD8, 0xFF, 0xE0])
                .unwrap()
                .1,
            "image/jpeg"
        );
        assert_eq!(
            check_evidence_file("notes.txt", "Bollards: 3, été".as_bytes())
                .unwrap()
                .1,
            "text/plain"
        );
        let refusals = [
            (
                check_evidence_file("gate.png", b"MZ\x90\0 not a picture"),
                "file gate.png: its content is not a PNG or JPEG image, a PDF or plain text",
            ),
            (
                check_evidence_file("gate.png", b"just some text"),
                "file gate.png: the name says image/png but the content is text/plain",
            ),
            (
                check_evidence_file("tool.exe", b"plain text"),
                "file tool.exe: the name should end in .png, .jpg, .jpeg, .pdf or .txt",
            ),
            (
                check_evidence_file("empty.txt", b""),
                "file empty.txt: the file is empty",
            ),
            (
                check_evidence_file("big.txt", &vec![b'a'; MAX_EVIDENCE_BYTES + 1]),
                "file big.txt: 10.0 MiB is over the limit of 10 MiB",
            ),
            (check_evidence_file("/", b"x"), "file: the file has no name"),
        ];
        for (outcome, expected) in refusals {
            let message = outcome.unwrap_err().to_string();
            assert!(message.starts_with(expected), "{message}");
        }
    }

    #[test]
    fn duty_tiers_follow_kind_and_capacity() {
        let site = |kind, capacity| {
            let polygon: geojson::Geometry = serde_json::from_value(serde_json::json!({
                "type": "Polygon",
                "coordinates": [[[11.0, 48.0], [11.001, 48.0], [11.001, 48.001], [11.0, 48.0]]]
            }))
            .unwrap();
            Site {
                id: SiteId::new_random(),
                organisation_id: domain::OrganisationId::new_random(),
                draft: domain::SiteDraft {
                    name: "x".into(),
                    kind,
                    polygon: domain::SitePolygon::from_geojson(&polygon).unwrap(),
                    capacity,
                    operators: vec![],
                    opening_hours: None,
                    tags: BTreeMap::new(),
                    source: None,
                },
                version: 1,
                created_at: chrono::Utc::now(),
                updated_at: chrono::Utc::now(),
            }
        };
        // Terrorism (Protection of Premises) Act 2025 ss. 2-3: 200-799 standard, 800+ enhanced,
        // for Schedule 1 premises; an open square is not premises in the Act's sense.
        assert_eq!(
            site_duty_tier(&site(SiteKind::ConcertHall, Some(799))),
            Some(DutyTier::Standard)
        );
        assert_eq!(
            site_duty_tier(&site(SiteKind::Stadium, Some(800))),
            Some(DutyTier::Enhanced)
        );
        assert_eq!(
            site_duty_tier(&site(SiteKind::PlaceOfWorship, Some(199))),
            Some(DutyTier::OutOfScope)
        );
        assert_eq!(
            site_duty_tier(&site(SiteKind::Square, Some(20_000))),
            Some(DutyTier::OutOfScope)
        );
        assert_eq!(site_duty_tier(&site(SiteKind::Stadium, None)), None);
    }

    #[test]
    fn study_summaries_become_findings() {
        let summary: HvmSummary = serde_json::from_value(serde_json::json!({
            "entries": 4, "open_entries": 2,
            "fastest": {"entry": "E2", "vehicle": "M1", "speed_kmh": 71.5, "energy_kj": 355.0,
                        "required_rating": "V/1500[M1]/80"},
            "most_energetic": {"entry": "E3", "vehicle": "N3C", "speed_kmh": 48.2,
                               "energy_kj": 1610.0, "required_rating": "V/7200[N3C]/48"}
        }))
        .unwrap();
        assert_eq!(
            hvm_findings(&summary),
            Some(HvmFindings {
                open_entry: "E2 (M1, fastest), E3 (N3C, most energetic)".into(),
                max_impact_speed_kmh: 71.5,
                max_impact_energy_kj: 1610.0,
            })
        );
        let closed: HvmSummary = serde_json::from_value(serde_json::json!({
            "entries": 4, "open_entries": 0, "fastest": null, "most_energetic": null
        }))
        .unwrap();
        assert_eq!(hvm_findings(&closed), None);
        assert_eq!(
            crowd_findings(
                &serde_json::json!({"peak_density_per_m2": 2.5, "evacuation_time_s": 410.0})
            ),
            Some(CrowdFindings {
                peak_density_persons_per_m2: 2.5,
                evacuation_time_s: 410.0
            })
        );
        assert_eq!(
            crowd_findings(&serde_json::json!({"agents": 500})),
            None,
            "a crowd study without those figures is skipped"
        );
    }
}
