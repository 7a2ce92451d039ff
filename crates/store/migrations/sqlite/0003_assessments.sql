-- Vulnerability assessments and their evidence files, SQLite flavour.
--
-- An assessment is a draft until finalised; then it is a record that nothing may change or
-- delete: the triggers below refuse it here, whatever program writes to the file, and the store
-- refuses it before that with a clearer message. input, notes and result are JSON text whose
-- shape the app's assessment use cases own (risk::AssessmentInput, notes by question id,
-- risk::Assessment).
CREATE TABLE assessments (
    id                    TEXT PRIMARY KEY NOT NULL,
    organisation_id       TEXT NOT NULL REFERENCES organisations (id),
    site_id               TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    questionnaire_id      TEXT NOT NULL,
    questionnaire_version TEXT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('draft', 'final')),
    input                 TEXT NOT NULL,
    notes                 TEXT NOT NULL,
    result                TEXT,
    marking               TEXT NOT NULL,
    created_by            TEXT,
    created_at            TEXT NOT NULL,
    updated_by            TEXT,
    updated_at            TEXT NOT NULL,
    finalised_by          TEXT,
    finalised_at          TEXT,
    supersedes            TEXT REFERENCES assessments (id),
    version               INTEGER NOT NULL,
    CHECK (status = 'draft' OR (result IS NOT NULL AND finalised_at IS NOT NULL))
) STRICT;

CREATE INDEX assessments_by_site ON assessments (organisation_id, site_id, created_at);

CREATE TABLE evidence (
    id            TEXT PRIMARY KEY NOT NULL,
    assessment_id TEXT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    question_id   TEXT,
    file_name     TEXT NOT NULL CHECK (file_name <> ''),
    content_type  TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
    data          BLOB NOT NULL,
    uploaded_by   TEXT,
    uploaded_at   TEXT NOT NULL
) STRICT;

CREATE INDEX evidence_by_assessment ON evidence (assessment_id, uploaded_at);

CREATE TRIGGER final_assessments_are_not_updated
BEFORE UPDATE ON assessments WHEN OLD.status = 'final'
BEGIN
    SELECT RAISE(ABORT, 'assessment is final and cannot be changed');
END;

CREATE TRIGGER final_assessments_are_not_deleted
BEFORE DELETE ON assessments WHEN OLD.status = 'final'
BEGIN
    SELECT RAISE(ABORT, 'assessment is final and cannot be deleted');
END;

CREATE TRIGGER evidence_of_final_assessments_is_not_added
BEFORE INSERT ON evidence
WHEN (SELECT status FROM assessments WHERE id = NEW.assessment_id) = 'final'
BEGIN
    SELECT RAISE(ABORT, 'assessment is final: its evidence cannot be changed');
END;

CREATE TRIGGER evidence_of_final_assessments_is_not_updated
BEFORE UPDATE ON evidence
WHEN (SELECT status FROM assessments WHERE id = OLD.assessment_id) = 'final'
  OR (SELECT status FROM assessments WHERE id = NEW.assessment_id) = 'final'
BEGIN
    SELECT RAISE(ABORT, 'assessment is final: its evidence cannot be changed');
END;

CREATE TRIGGER evidence_of_final_assessments_is_not_deleted
BEFORE DELETE ON evidence
WHEN (SELECT status FROM assessments WHERE id = OLD.assessment_id) = 'final'
BEGIN
    SELECT RAISE(ABORT, 'assessment is final: its evidence cannot be changed');
END;
