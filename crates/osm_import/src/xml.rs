//! The OSM XML reader, on `quick-xml`. External entities are never resolved (quick-xml has no
//! DTD processing); an unknown entity in a value is an error naming its line and column.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::error::OsmImportError;
use crate::raw::{MemberType, RawMember, RawNode, RawOsm, RawRelation, RawWay, degrees_to_e7};

/// The element being filled while its children (`tag`, `nd`, `member`) are read.
enum Open {
    None,
    Node(i64, RawNode),
    Way(i64, RawWay),
    Relation(i64, RawRelation),
}

pub(crate) fn read_xml(bytes: &[u8], input: &str) -> Result<RawOsm, OsmImportError> {
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().trim_text(true);
    let mut raw = RawOsm::default();
    let mut buffer = Vec::new();
    let mut open = Open::None;
    let mut seen_osm_root = false;
    loop {
        let event_start = reader.buffer_position();
        let event = match reader.read_event_into(&mut buffer) {
            Ok(event) => event,
            Err(error) => {
                return Err(xml_error(
                    bytes,
                    input,
                    reader.error_position(),
                    error.to_string(),
                ));
            }
        };
        // The event starts after any whitespace the reader trimmed.
        let event_start = event_start
            + bytes[(event_start as usize).min(bytes.len())..]
                .iter()
                .take_while(|byte| byte.is_ascii_whitespace())
                .count() as u64;
        let at = |problem: String| xml_error(bytes, input, event_start, problem);
        match event {
            Event::Start(element) | Event::Empty(element) => {
                let qualified_name = element.name();
                let name: &str = qualified_name.as_ref();
                match name {
                    "osm" | "osmChange" => seen_osm_root = true,
                    "bounds" => {
                        let attributes = attributes(&element).map_err(at)?;
                        let get = |key: &str| -> Result<i64, String> {
                            let text = attribute(&attributes, key)?;
                            text.parse::<f64>().map(degrees_to_e7).map_err(|_| {
                                format!("<bounds> attribute {key}=\"{text}\" is not a number")
                            })
                        };
                        raw.bounds_e7 = Some((
                            get("minlon").map_err(at)?,
                            get("minlat").map_err(at)?,
                            get("maxlon").map_err(at)?,
                            get("maxlat").map_err(at)?,
                        ));
                    }
                    "node" | "way" | "relation" => {
                        if !seen_osm_root {
                            return Err(
                                at("OSM element outside an <osm> root element".to_string()),
                            );
                        }
                        close(&mut raw, std::mem::replace(&mut open, Open::None));
                        let attributes = attributes(&element).map_err(at)?;
                        let id = parse_i64(&attributes, "id").map_err(at)?;
                        let deleted = attributes.iter().any(|(k, v)| {
                            (k == "visible" && v == "false") || (k == "action" && v == "delete")
                        });
                        open = match name {
                            "node" if deleted => Open::None,
                            "node" => {
                                let lat = parse_coordinate(&attributes, "lat", 90.0).map_err(at)?;
                                let lon =
                                    parse_coordinate(&attributes, "lon", 180.0).map_err(at)?;
                                Open::Node(
                                    id,
                                    RawNode {
                                        lon_e7: lon,
                                        lat_e7: lat,
                                        tags: Default::default(),
                                    },
                                )
                            }
                            _ if deleted => Open::None,
                            "way" => Open::Way(
                                id,
                                RawWay {
                                    node_ids: Vec::new(),
                                    tags: Default::default(),
                                },
                            ),
                            _ => Open::Relation(
                                id,
                                RawRelation {
                                    members: Vec::new(),
                                    tags: Default::default(),
                                },
                            ),
                        };
                    }
                    "tag" => {
                        let attributes = attributes(&element).map_err(at)?;
                        let key = attribute(&attributes, "k").map_err(at)?.to_string();
                        let value = attribute(&attributes, "v").map_err(at)?.to_string();
                        match &mut open {
                            Open::Node(_, node) => {
                                node.tags.insert(key, value);
                            }
                            Open::Way(_, way) => {
                                way.tags.insert(key, value);
                            }
                            Open::Relation(_, relation) => {
                                relation.tags.insert(key, value);
                            }
                            Open::None => {}
                        }
                    }
                    "nd" => {
                        let attributes = attributes(&element).map_err(at)?;
                        let node_id = parse_i64(&attributes, "ref").map_err(at)?;
                        if let Open::Way(_, way) = &mut open {
                            way.node_ids.push(node_id);
                        }
                    }
                    "member" => {
                        let attributes = attributes(&element).map_err(at)?;
                        let member_type = match attribute(&attributes, "type").map_err(at)? {
                            "node" => MemberType::Node,
                            "way" => MemberType::Way,
                            "relation" => MemberType::Relation,
                            other => {
                                return Err(at(format!("unknown member type \"{other}\"")));
                            }
                        };
                        let id = parse_i64(&attributes, "ref").map_err(at)?;
                        let role = attributes
                            .iter()
                            .find(|(k, _)| k == "role")
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default();
                        if let Open::Relation(_, relation) = &mut open {
                            relation.members.push(RawMember {
                                member_type,
                                id,
                                role,
                            });
                        }
                    }
                    _ => {}
                }
            }
            Event::End(element) => {
                let qualified_name = element.name();
                let name: &str = qualified_name.as_ref();
                if matches!(name, "node" | "way" | "relation") {
                    close(&mut raw, std::mem::replace(&mut open, Open::None));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    close(&mut raw, open);
    if !seen_osm_root {
        return Err(xml_error(
            bytes,
            input,
            bytes.len() as u64,
            "no <osm> root element: this is not OSM XML".to_string(),
        ));
    }
    Ok(raw)
}

fn close(raw: &mut RawOsm, open: Open) {
    match open {
        Open::None => {}
        Open::Node(id, node) => {
            raw.nodes.insert(id, node);
        }
        Open::Way(id, way) => {
            raw.ways.insert(id, way);
        }
        Open::Relation(id, relation) => {
            raw.relations.insert(id, relation);
        }
    }
}

fn attributes(element: &BytesStart<'_>) -> Result<Vec<(String, String)>, String> {
    let qualified_name = element.name();
    let element_name: &str = qualified_name.as_ref();
    let mut result = Vec::new();
    for attribute in element.attributes() {
        let attribute =
            attribute.map_err(|error| format!("bad attribute in <{element_name}>: {error}"))?;
        let key_text: &str = attribute.key.as_ref();
        let key = key_text.to_string();
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|error| format!("bad value of attribute {key} in <{element_name}>: {error}"))?
            .into_owned();
        result.push((key, value));
    }
    Ok(result)
}

fn attribute<'a>(attributes: &'a [(String, String)], key: &str) -> Result<&'a str, String> {
    attributes
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| format!("missing attribute {key}"))
}

fn parse_i64(attributes: &[(String, String)], key: &str) -> Result<i64, String> {
    let text = attribute(attributes, key)?;
    text.trim()
        .parse()
        .map_err(|_| format!("attribute {key}=\"{text}\" is not an integer id"))
}

fn parse_coordinate(attributes: &[(String, String)], key: &str, limit: f64) -> Result<i64, String> {
    let text = attribute(attributes, key)?;
    match text.trim().parse::<f64>() {
        Ok(value) if value.is_finite() && value.abs() <= limit => Ok(degrees_to_e7(value)),
        _ => Err(format!(
            "attribute {key}=\"{text}\" is not a coordinate between -{limit} and {limit}"
        )),
    }
}

fn xml_error(bytes: &[u8], input: &str, byte_offset: u64, problem: String) -> OsmImportError {
    let end = (byte_offset as usize).min(bytes.len());
    let before = &bytes[..end];
    let line = before.iter().filter(|&&byte| byte == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&byte| byte == b'\n')
        .map_or(0, |index| index + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    OsmImportError::Xml {
        input: input.to_string(),
        line,
        column,
        byte_offset,
        problem,
    }
}

/// True if the bytes look like XML (after an optional byte-order mark and whitespace).
pub(crate) fn looks_like_xml(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .iter()
        .find(|byte| !byte.is_ascii_whitespace())
        .is_some_and(|&byte| byte == b'<')
}
