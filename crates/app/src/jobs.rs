//! Long studies run in the background: a request checks the input and starts the job, then the
//! user follows its progress and is sent to the stored study when it is done. A crowd study of a
//! full square takes minutes, longer than a browser or a proxy waits for one response.
//!
//! Jobs are kept in this server's memory, not in the database: what a job produces (the study)
//! is stored in one transaction when it ends, so a crash or restart loses no stored result, only
//! a run still in progress, which the user starts again.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use domain::{JobId, OrganisationId, SiteId, StudyId};
use serde::Serialize;

use crate::{Actor, App, AppError};

/// Jobs that may run at once on one server: each simulation already uses every core.
pub const MAX_RUNNING_JOBS: usize = 2;

/// How long a finished job is remembered, so its page still answers.
const KEEP_FINISHED: Duration = Duration::hours(24);

/// Where a job stands.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum JobState {
    Running {
        /// How far it is, in [0, 1].
        fraction: f64,
        /// Simulated time so far, s.
        simulated_s: f64,
        agents_total: usize,
        agents_remaining: usize,
    },
    /// Finished; the study it stored.
    Done { study: StudyId },
    /// Stopped; what went wrong, as the user should read it.
    Failed { error: String },
}

/// A background job of an organisation.
#[derive(Clone, Debug, Serialize)]
pub struct Job {
    pub id: JobId,
    pub site_id: SiteId,
    #[serde(skip)]
    organisation_id: OrganisationId,
    pub started_at: DateTime<Utc>,
    #[serde(skip)]
    finished_at: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub state: JobState,
}

/// The jobs of this server.
#[derive(Debug, Default)]
pub(crate) struct Jobs {
    jobs: Mutex<HashMap<JobId, Job>>,
}

impl Jobs {
    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<JobId, Job>> {
        // A panic while the table was held cannot leave a job half-written (each update is one
        // assignment), so the table stays usable.
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a running job for `agents` people, unless the server is busy.
    pub(crate) fn start(
        &self,
        actor: &Actor,
        site_id: SiteId,
        agents: usize,
    ) -> Result<JobId, AppError> {
        let now = Utc::now();
        let mut jobs = self.table();
        jobs.retain(|_, job| job.finished_at.is_none_or(|at| now - at < KEEP_FINISHED));
        let running = jobs
            .values()
            .filter(|job| matches!(job.state, JobState::Running { .. }))
            .count();
        if running >= MAX_RUNNING_JOBS {
            return Err(AppError::Conflict(format!(
                "{running} studies are already running on this server (at most \
                 {MAX_RUNNING_JOBS} at once); start this one when one of them has finished"
            )));
        }
        let id = JobId::new_random();
        jobs.insert(
            id,
            Job {
                id,
                site_id,
                organisation_id: actor.organisation_id(),
                started_at: now,
                finished_at: None,
                state: JobState::Running {
                    fraction: 0.0,
                    simulated_s: 0.0,
                    agents_total: agents,
                    agents_remaining: agents,
                },
            },
        );
        Ok(id)
    }

    /// Job `id` if it belongs to `organisation`.
    fn of_organisation(&self, organisation: OrganisationId, id: JobId) -> Option<Job> {
        self.table()
            .get(&id)
            .filter(|job| job.organisation_id == organisation)
            .cloned()
    }

    /// Records the progress of a running simulation.
    pub(crate) fn advance(&self, id: JobId, progress: &crowd_sim::Progress) {
        if let Some(job) = self.table().get_mut(&id) {
            job.state = JobState::Running {
                fraction: progress.fraction(),
                simulated_s: progress.time_s,
                agents_total: progress.agents_total,
                agents_remaining: progress.agents_remaining,
            };
        }
    }

    /// Records how a job ended.
    pub(crate) fn end(&self, id: JobId, outcome: Result<StudyId, AppError>) {
        let state = match outcome {
            Ok(study) => JobState::Done { study },
            Err(AppError::Internal(error)) => {
                tracing::error!(job = %id, "background study failed: {error:#}");
                JobState::Failed {
                    error: "an internal error stopped the study (see the server log)".into(),
                }
            }
            Err(error) => JobState::Failed {
                error: error.to_string(),
            },
        };
        if let Some(job) = self.table().get_mut(&id) {
            job.state = state;
            job.finished_at = Some(Utc::now());
        }
    }
}

impl App {
    /// A background job of the actor's organisation.
    pub fn job(&self, actor: &Actor, id: JobId) -> Result<Job, AppError> {
        self.jobs
            .of_organisation(actor.organisation_id(), id)
            .ok_or_else(|| AppError::NotFound(format!("job {id} not found")))
    }
}

#[cfg(test)]
mod tests {
    use domain::{Role, User, UserId};

    use super::*;

    fn actor_of(organisation: OrganisationId) -> Actor {
        Actor {
            user: User {
                id: UserId::new_random(),
                organisation_id: organisation,
                username: "planner".into(),
                display_name: "Planner".into(),
                role: Role::Planner,
                created_at: Utc::now(),
            },
            csrf_token: String::new(),
        }
    }

    fn progress(time_s: f64, remaining: usize) -> crowd_sim::Progress {
        crowd_sim::Progress {
            time_s,
            max_time_s: 600.0,
            agents_total: 100,
            agents_remaining: remaining,
        }
    }

    #[test]
    fn a_job_runs_ends_and_the_server_refuses_more_than_it_can_run() {
        let jobs = Jobs::default();
        let actor = actor_of(OrganisationId::new_random());
        let site = SiteId::new_random();
        let first = jobs.start(&actor, site, 100).unwrap();
        let second = jobs.start(&actor, site, 100).unwrap();
        let refused = jobs.start(&actor, site, 100).unwrap_err();
        // Another organisation does not see them.
        assert!(
            jobs.of_organisation(actor.organisation_id(), first)
                .is_some()
        );
        assert!(
            jobs.of_organisation(OrganisationId::new_random(), first)
                .is_none()
        );
        assert!(
            matches!(&refused, AppError::Conflict(message) if message.contains("at most 2")),
            "{refused}"
        );

        // 25 of 100 people out after 12 s of 600: a quarter done (by people, the larger share).
        jobs.advance(first, &progress(12.0, 75));
        let state = jobs.table()[&first].state.clone();
        assert_eq!(
            state,
            JobState::Running {
                fraction: 0.25,
                simulated_s: 12.0,
                agents_total: 100,
                agents_remaining: 75,
            }
        );

        // A finished job frees its place; a failure says why, an internal one says no more.
        let study = StudyId::new_random();
        jobs.end(first, Ok(study));
        assert_eq!(jobs.table()[&first].state, JobState::Done { study });
        let third = jobs.start(&actor, site, 100).unwrap();
        jobs.end(
            second,
            Err(AppError::Invalid("population: too many".into())),
        );
        assert_eq!(
            jobs.table()[&second].state,
            JobState::Failed {
                error: "population: too many".into()
            }
        );
        jobs.end(third, Err(AppError::Internal(anyhow::anyhow!("disk full"))));
        assert!(matches!(
            &jobs.table()[&third].state,
            JobState::Failed { error } if !error.contains("disk")
        ));
    }
}
