//! Integration tests of `risk`: the shipped content (questionnaire and measures catalogue),
//! scoring with FEMA 452's worked example and exact explanations, bad input, comparison, and
//! plans on the shipped catalogue. All run in well under a second; the 25-measure timing is
//! the criterion bench (`cargo bench -p risk`).

mod compare;
mod content;
mod plans;
mod scoring;
mod sites;
mod support;
