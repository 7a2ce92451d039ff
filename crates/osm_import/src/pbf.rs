//! The OSM PBF reader, on the `osmpbf` crate. The blob framing is walked here first, so a truncated
//! file is reported with the blob and byte offset where it ends, then each blob is decoded by
//! `osmpbf`.

use std::io::Cursor;

use osmpbf::{BlobDecode, BlobReader, ByteOffset, Element, RelMemberType};

use crate::error::OsmImportError;
use crate::raw::{MemberType, RawMember, RawNode, RawOsm, RawRelation, RawWay, degrees_to_e7};

/// Blob headers larger than this are refused (the PBF specification's limit is 64 KiB).
const MAX_BLOB_HEADER_BYTES: u64 = 64 * 1024;
/// Blobs larger than this are refused (the PBF specification's limit is 32 MiB).
const MAX_BLOB_BYTES: u64 = 32 * 1024 * 1024;

/// One blob's place in the file.
struct BlobFrame {
    offset: u64,
}

pub(crate) fn read_pbf(bytes: &[u8], input: &str) -> Result<RawOsm, OsmImportError> {
    let frames = blob_frames(bytes, input)?;
    let mut raw = RawOsm::default();
    let mut reader = BlobReader::new_seekable(Cursor::new(bytes)).map_err(|error| {
        OsmImportError::CorruptPbf {
            input: input.to_string(),
            blob_index: 0,
            byte_offset: 0,
            problem: error.to_string(),
        }
    })?;
    for (blob_index, frame) in frames.iter().enumerate() {
        let corrupt = |problem: String| OsmImportError::CorruptPbf {
            input: input.to_string(),
            blob_index,
            byte_offset: frame.offset,
            problem,
        };
        let blob = reader
            .blob_from_offset(ByteOffset(frame.offset))
            .map_err(|error| corrupt(error.to_string()))?;
        match blob.decode().map_err(|error| corrupt(error.to_string()))? {
            BlobDecode::OsmHeader(header) => {
                if let Some(bbox) = header.bbox() {
                    raw.bounds_e7 = Some((
                        degrees_to_e7(bbox.left),
                        degrees_to_e7(bbox.bottom.min(bbox.top)),
                        degrees_to_e7(bbox.right),
                        degrees_to_e7(bbox.top.max(bbox.bottom)),
                    ));
                }
                for feature in header.required_features() {
                    if !matches!(feature.as_str(), "OsmSchema-V0.6" | "DenseNodes") {
                        return Err(corrupt(format!(
                            "the file requires the feature '{feature}', which this reader does not support"
                        )));
                    }
                }
            }
            BlobDecode::OsmData(block) => {
                for element in block.elements() {
                    add_element(&mut raw, element);
                }
            }
            BlobDecode::Unknown(kind) => raw.warnings.push(format!(
                "blob {blob_index} (byte offset {}): unknown blob type '{kind}' skipped",
                frame.offset
            )),
        }
    }
    if frames.is_empty() {
        return Err(OsmImportError::CorruptPbf {
            input: input.to_string(),
            blob_index: 0,
            byte_offset: 0,
            problem: "the file holds no PBF blobs".to_string(),
        });
    }
    Ok(raw)
}

fn add_element(raw: &mut RawOsm, element: Element<'_>) {
    match element {
        Element::Node(node) => {
            raw.nodes.insert(
                node.id(),
                RawNode {
                    lon_e7: i64::from(node.decimicro_lon()),
                    lat_e7: i64::from(node.decimicro_lat()),
                    tags: node
                        .tags()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                },
            );
        }
        Element::DenseNode(node) => {
            raw.nodes.insert(
                node.id(),
                RawNode {
                    lon_e7: i64::from(node.decimicro_lon()),
                    lat_e7: i64::from(node.decimicro_lat()),
                    tags: node
                        .tags()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                },
            );
        }
        Element::Way(way) => {
            raw.ways.insert(
                way.id(),
                RawWay {
                    node_ids: way.refs().collect(),
                    tags: way
                        .tags()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                },
            );
        }
        Element::Relation(relation) => {
            let members = relation
                .members()
                .map(|member| RawMember {
                    member_type: match member.member_type {
                        RelMemberType::Node => MemberType::Node,
                        RelMemberType::Way => MemberType::Way,
                        RelMemberType::Relation => MemberType::Relation,
                    },
                    id: member.member_id,
                    role: member.role().unwrap_or_default().to_string(),
                })
                .collect();
            raw.relations.insert(
                relation.id(),
                RawRelation {
                    members,
                    tags: relation
                        .tags()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                },
            );
        }
    }
}

/// Walks the blob framing: a 4-byte big-endian header length, a `BlobHeader` message whose field 3
/// is the blob's data size, then the blob. Checks that every blob lies inside the data.
fn blob_frames(bytes: &[u8], input: &str) -> Result<Vec<BlobFrame>, OsmImportError> {
    let file_length = bytes.len() as u64;
    let mut frames = Vec::new();
    let mut offset = 0_u64;
    while offset < file_length {
        let blob_index = frames.len();
        let truncated = |needed_bytes: u64| OsmImportError::TruncatedPbf {
            input: input.to_string(),
            blob_index,
            byte_offset: offset,
            needed_bytes,
            available_bytes: file_length - offset,
            file_length,
        };
        let corrupt = |problem: String| OsmImportError::CorruptPbf {
            input: input.to_string(),
            blob_index,
            byte_offset: offset,
            problem,
        };
        if file_length - offset < 4 {
            return Err(truncated(4));
        }
        let start = offset as usize;
        let header_length = u64::from(u32::from_be_bytes([
            bytes[start],
            bytes[start + 1],
            bytes[start + 2],
            bytes[start + 3],
        ]));
        if header_length == 0 || header_length > MAX_BLOB_HEADER_BYTES {
            return Err(corrupt(format!(
                "blob header length {header_length} bytes is outside 1..{MAX_BLOB_HEADER_BYTES} (not a PBF file?)"
            )));
        }
        if file_length - offset < 4 + header_length {
            return Err(truncated(4 + header_length));
        }
        let header = &bytes[start + 4..start + 4 + header_length as usize];
        let data_size = blob_header_data_size(header).map_err(corrupt)?;
        if data_size > MAX_BLOB_BYTES {
            return Err(corrupt(format!(
                "blob size {data_size} bytes exceeds the PBF limit of {MAX_BLOB_BYTES}"
            )));
        }
        let frame_length = 4 + header_length + data_size;
        if file_length - offset < frame_length {
            return Err(truncated(frame_length));
        }
        frames.push(BlobFrame { offset });
        offset += frame_length;
    }
    Ok(frames)
}

/// Reads the `datasize` (field 3) of a `BlobHeader` protobuf message.
fn blob_header_data_size(header: &[u8]) -> Result<u64, String> {
    let mut position = 0;
    let mut data_size = None;
    let mut has_type = false;
    while position < header.len() {
        let key = read_varint(header, &mut position)?;
        let (field, wire_type) = (key >> 3, key & 7);
        match wire_type {
            0 => {
                let value = read_varint(header, &mut position)?;
                if field == 3 {
                    data_size = Some(value);
                }
            }
            2 => {
                let length = read_varint(header, &mut position)? as usize;
                if length > header.len() - position {
                    return Err("blob header field runs past the header".to_string());
                }
                if field == 1 {
                    has_type = true;
                }
                position += length;
            }
            1 => position += 8,
            5 => position += 4,
            other => return Err(format!("blob header has invalid wire type {other}")),
        }
    }
    if !has_type {
        return Err("blob header has no type (not a PBF file?)".to_string());
    }
    data_size.ok_or_else(|| "blob header has no data size".to_string())
}

fn read_varint(bytes: &[u8], position: &mut usize) -> Result<u64, String> {
    let mut value = 0_u64;
    for shift in (0..64).step_by(7) {
        let Some(&byte) = bytes.get(*position) else {
            return Err("blob header ends inside a number".to_string());
        };
        *position += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("blob header has an over-long number".to_string())
}

/// True if the bytes look like the start of an OSM PBF file (a blob header of type `OSMHeader`).
pub(crate) fn looks_like_pbf(bytes: &[u8]) -> bool {
    bytes.len() > 16
        && bytes[..4] != [0, 0, 0, 0]
        && bytes[0] == 0
        && bytes[4..bytes.len().min(32)]
            .windows(9)
            .any(|window| window == b"OSMHeader")
}
