-- Vulnerability assessments and their evidence files, PostgreSQL flavour (see the SQLite
-- migration for the reasoning). The trigger functions resolve table names through the
-- connection's search_path, like every other query of the store.
CREATE TABLE assessments (
    id                    uuid PRIMARY KEY,
    organisation_id       uuid NOT NULL REFERENCES organisations (id),
    site_id               uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    questionnaire_id      text NOT NULL,
    questionnaire_version text NOT NULL,
    status                text NOT NULL CHECK (status IN ('draft', 'final')),
    input                 jsonb NOT NULL,
    notes                 jsonb NOT NULL,
    result                jsonb,
    marking               text NOT NULL,
    created_by            uuid,
    created_at            timestamptz NOT NULL,
    updated_by            uuid,
    updated_at            timestamptz NOT NULL,
    finalised_by          uuid,
    finalised_at          timestamptz,
    supersedes            uuid REFERENCES assessments (id),
    version               bigint NOT NULL,
    CHECK (status = 'draft' OR (result IS NOT NULL AND finalised_at IS NOT NULL))
);

CREATE INDEX assessments_by_site ON assessments (organisation_id, site_id, created_at);

CREATE TABLE evidence (
    id            uuid PRIMARY KEY,
    assessment_id uuid NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    question_id   text,
    file_name     text NOT NULL CHECK (file_name <> ''),
    content_type  text NOT NULL,
    size_bytes    bigint NOT NULL,
    sha256        text NOT NULL CHECK (length(sha256) = 64),
    data          bytea NOT NULL,
    uploaded_by   uuid,
    uploaded_at   timestamptz NOT NULL
);

CREATE INDEX evidence_by_assessment ON evidence (assessment_id, uploaded_at);

CREATE FUNCTION refuse_change_of_final_assessment() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'assessment % is final and cannot be changed', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;

CREATE TRIGGER final_assessments_are_not_changed
BEFORE UPDATE OR DELETE ON assessments
FOR EACH ROW WHEN (OLD.status = 'final')
EXECUTE FUNCTION refuse_change_of_final_assessment();

CREATE FUNCTION refuse_evidence_change_of_final_assessment() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    touched uuid[];
BEGIN
    -- NEW is not assigned in a DELETE trigger nor OLD in an INSERT one: read only those that are.
    IF TG_OP = 'INSERT' THEN
        touched := ARRAY[NEW.assessment_id];
    ELSIF TG_OP = 'UPDATE' THEN
        touched := ARRAY[OLD.assessment_id, NEW.assessment_id];
    ELSE
        touched := ARRAY[OLD.assessment_id];
    END IF;
    IF EXISTS (SELECT 1 FROM assessments WHERE id = ANY (touched) AND status = 'final') THEN
        RAISE EXCEPTION 'assessment is final: its evidence cannot be changed'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER evidence_of_final_assessments_is_not_changed
BEFORE INSERT OR UPDATE OR DELETE ON evidence
FOR EACH ROW EXECUTE FUNCTION refuse_evidence_change_of_final_assessment();
