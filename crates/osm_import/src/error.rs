//! What can go wrong reading a map file. Imperfect map data is not an error: it becomes a
//! [`Diagnostic`](crate::Diagnostic) beside the result.

use std::path::PathBuf;

/// The formats [`read_osm_file`](crate::read_osm_file) accepts, for error messages.
pub const ACCEPTED_FORMATS: &str =
    "OSM PBF (.osm.pbf, .pbf), OSM XML (.osm, .xml) and gzip-compressed OSM XML (.osm.gz)";

/// Why a map file could not be read. Every message names the input and the place in it.
#[derive(Debug, thiserror::Error)]
pub enum OsmImportError {
    /// The file does not exist.
    #[error("{}: no such file", path.display())]
    FileNotFound { path: PathBuf },
    /// The file exists but could not be read.
    #[error("{}: cannot read the file: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The content is neither PBF nor (gzipped) OSM XML.
    #[error("{input}: unknown format ({found}); accepted formats: {ACCEPTED_FORMATS}")]
    UnknownFormat { input: String, found: String },
    /// A PBF blob could not be read or decoded.
    #[error("{input}: corrupt PBF at blob {blob_index} (byte offset {byte_offset}): {problem}")]
    CorruptPbf {
        input: String,
        blob_index: usize,
        byte_offset: u64,
        problem: String,
    },
    /// The PBF ends in the middle of a blob.
    #[error(
        "{input}: truncated PBF: blob {blob_index} at byte offset {byte_offset} needs {needed_bytes} bytes but the data ends after {available_bytes} (file length {file_length})"
    )]
    TruncatedPbf {
        input: String,
        blob_index: usize,
        byte_offset: u64,
        needed_bytes: u64,
        available_bytes: u64,
        file_length: u64,
    },
    /// The OSM XML is malformed or not OSM.
    #[error("{input}: line {line}, column {column} (byte {byte_offset}): {problem}")]
    Xml {
        input: String,
        line: usize,
        column: usize,
        byte_offset: u64,
        problem: String,
    },
    /// A gzip stream could not be decompressed.
    #[error("{input}: gzip decompression failed: {problem}")]
    Gzip { input: String, problem: String },
}
