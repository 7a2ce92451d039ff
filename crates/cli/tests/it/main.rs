//! End-to-end tests: they start the real `agora` binary on a free port with its own database and
//! talk to it as a user would: over HTTP, from the command line, and through a real browser.

mod api;
mod assess;
mod browser;
mod command_line;
mod crowd;
mod crowd_site;
mod hvm;
mod report;
mod server;
