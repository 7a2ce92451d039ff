//! PDF 1.7 bytes (ISO 32000-1): objects, Flate-compressed content streams, the cross-reference
//! table and the trailer, written by hand. Each page is a [`Figure`] in points with y down;
//! its content stream starts by flipping the y axis, so figures are drawn as they are laid out.

use std::fmt::Write as _;
use std::io::Write as _;

use flate2::Compression;
use flate2::write::ZlibEncoder;

use crate::figure::{Figure, Segment, Shape, Stroke, coord};
use crate::fonts::{Font, encode_win_ansi};
use crate::model::Rgb;

/// What goes into the document information dictionary and the catalog.
pub(crate) struct DocumentInfo<'a> {
    pub(crate) title: &'a str,
    pub(crate) subject: Option<&'a str>,
    pub(crate) keywords: &'a str,
    /// `D:YYYYMMDDHHmmSSZ`.
    pub(crate) creation_date: String,
    pub(crate) language: &'a str,
}

/// A PDF text string: UTF-16BE with a byte order mark, in hex (ISO 32000-1 §7.9.2.2), so any
/// Unicode title survives.
fn text_string(text: &str) -> String {
    let mut out = String::from("<FEFF");
    for unit in text.encode_utf16() {
        let _ = write!(out, "{unit:04X}");
    }
    out.push('>');
    out
}

/// A PDF literal string of bytes, with `\`, `(`, `)` and CR escaped (§7.3.4.2).
fn literal_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.push(b'(');
    for &byte in bytes {
        match byte {
            b'\\' | b'(' | b')' => {
                out.push(b'\\');
                out.push(byte);
            }
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(byte),
        }
    }
    out.push(b')');
    out
}

/// A page dimension with three decimals, so A4's 595.276 pt is written as it is.
fn media_box_number(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn colour_components(colour: Rgb) -> String {
    let c = |v: u8| {
        let text = format!("{:.3}", f64::from(v) / 255.0);
        let text = text.trim_end_matches('0').trim_end_matches('.');
        if text.is_empty() {
            "0".to_string()
        } else {
            text.to_string()
        }
    };
    format!("{} {} {}", c(colour.r), c(colour.g), c(colour.b))
}

/// Graphics state already set in the content stream, so unchanged settings are not repeated.
#[derive(Default)]
struct GraphicsState {
    fill: Option<Rgb>,
    stroke: Option<Rgb>,
    line_width: Option<f64>,
    dashed: Option<bool>,
}

impl GraphicsState {
    fn set_fill(&mut self, out: &mut Vec<u8>, colour: Rgb) {
        if self.fill != Some(colour) {
            let _ = writeln!(out, "{} rg", colour_components(colour));
            self.fill = Some(colour);
        }
    }

    fn set_stroke(&mut self, out: &mut Vec<u8>, stroke: Stroke) {
        if self.stroke != Some(stroke.colour) {
            let _ = writeln!(out, "{} RG", colour_components(stroke.colour));
            self.stroke = Some(stroke.colour);
        }
        if self.line_width != Some(stroke.width) {
            let _ = writeln!(out, "{} w", coord(stroke.width));
            self.line_width = Some(stroke.width);
        }
        if self.dashed != Some(stroke.dashed) {
            if stroke.dashed {
                // The same pattern as the SVG's stroke-dasharray.
                let _ = writeln!(
                    out,
                    "[{} {}] 0 d",
                    coord(stroke.width * 3.0),
                    coord(stroke.width * 2.0)
                );
            } else {
                let _ = writeln!(out, "[] 0 d");
            }
            self.dashed = Some(stroke.dashed);
        }
    }
}

/// The uncompressed content stream of a page.
pub(crate) fn content_stream(page: &Figure, page_height: f64) -> Vec<u8> {
    let mut out = Vec::new();
    // Flip y so (0, 0) is the top-left corner, as in the figure; round line joins as in SVG.
    let _ = writeln!(out, "1 0 0 -1 0 {} cm\n1 j", coord(page_height));
    let mut state = GraphicsState::default();
    for shape in &page.shapes {
        match shape {
            Shape::Path(path) => {
                if let Some(fill) = path.fill {
                    state.set_fill(&mut out, fill);
                }
                if let Some(stroke) = path.stroke {
                    state.set_stroke(&mut out, stroke);
                }
                for segment in &path.segments {
                    let _ = match *segment {
                        Segment::MoveTo(x, y) => writeln!(out, "{} {} m", coord(x), coord(y)),
                        Segment::LineTo(x, y) => writeln!(out, "{} {} l", coord(x), coord(y)),
                        Segment::CubicTo(a, b, c, d, e, f) => writeln!(
                            out,
                            "{} {} {} {} {} {} c",
                            coord(a),
                            coord(b),
                            coord(c),
                            coord(d),
                            coord(e),
                            coord(f)
                        ),
                        Segment::Close => writeln!(out, "h"),
                    };
                }
                // Even-odd fill, as the SVG's fill-rule: holes in polygons stay empty.
                let paint = match (path.fill.is_some(), path.stroke.is_some()) {
                    (true, true) => "B*",
                    (true, false) => "f*",
                    _ => "S",
                };
                let _ = writeln!(out, "{paint}");
            }
            Shape::Text(text) => {
                state.set_fill(&mut out, text.colour);
                let matrix = if text.vertical {
                    // Reading upwards from the bottom end; glyph tops point left. With the
                    // flipped page this is a quarter turn counter-clockwise.
                    let half = text.font.text_width(&text.text, text.size) / 2.0;
                    format!("0 -1 -1 0 {} {}", coord(text.x), coord(text.y + half))
                } else {
                    format!("1 0 0 -1 {} {}", coord(text.start_x()), coord(text.y))
                };
                let _ = write!(
                    out,
                    "BT /{} {} Tf {} Tm ",
                    text.font.resource_name(),
                    coord(text.size),
                    matrix
                );
                out.extend_from_slice(&literal_bytes(&encode_win_ansi(&text.text)));
                let _ = writeln!(out, " Tj ET");
            }
        }
    }
    out
}

fn compress(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// Collects numbered objects and their byte offsets.
struct ObjectWriter {
    bytes: Vec<u8>,
    offsets: Vec<usize>,
}

impl ObjectWriter {
    fn object(&mut self, number: usize, body: &[u8]) {
        debug_assert_eq!(
            number,
            self.offsets.len() + 1,
            "objects are written in order"
        );
        self.offsets.push(self.bytes.len());
        let _ = writeln!(self.bytes, "{number} 0 obj");
        self.bytes.extend_from_slice(body);
        self.bytes.extend_from_slice(b"\nendobj\n");
    }
}

/// The whole file: catalog (1), page tree (2), the four fonts (3-6), the shared resources (7),
/// the information dictionary (8), then each page and its content stream.
pub(crate) fn write_pdf(
    pages: &[Figure],
    page_width: f64,
    page_height: f64,
    info: &DocumentInfo,
) -> Vec<u8> {
    const CATALOG: usize = 1;
    const PAGES: usize = 2;
    const FIRST_FONT: usize = 3;
    const RESOURCES: usize = 7;
    const INFO: usize = 8;
    const FIRST_PAGE: usize = 9;
    let page_object = |i: usize| FIRST_PAGE + 2 * i;

    let mut writer = ObjectWriter {
        // The comment of four bytes above 127 tells transfer programs the file is binary.
        bytes: b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec(),
        offsets: Vec::new(),
    };
    let catalog = format!(
        "<< /Type /Catalog /Pages {PAGES} 0 R /Lang {} /ViewerPreferences << /DisplayDocTitle true >> >>",
        text_string(info.language)
    );
    writer.object(CATALOG, catalog.as_bytes());
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", page_object(i)))
        .collect();
    let page_tree = format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        pages.len()
    );
    writer.object(PAGES, page_tree.as_bytes());
    for (i, font) in Font::ALL.iter().enumerate() {
        let body = format!(
            "<< /Type /Font /Subtype /Type1 /BaseFont /{} /Encoding /WinAnsiEncoding >>",
            font.base_font()
        );
        writer.object(FIRST_FONT + i, body.as_bytes());
    }
    let fonts: Vec<String> = Font::ALL
        .iter()
        .enumerate()
        .map(|(i, font)| format!("/{} {} 0 R", font.resource_name(), FIRST_FONT + i))
        .collect();
    let resources = format!(
        "<< /Font << {} >> /ProcSet [/PDF /Text] >>",
        fonts.join(" ")
    );
    writer.object(RESOURCES, resources.as_bytes());
    let mut info_dict = format!(
        "<< /Title {} /Keywords {} /Creator {} /Producer {} /CreationDate ({}) /ModDate ({})",
        text_string(info.title),
        text_string(info.keywords),
        text_string("Agora"),
        text_string("Agora report renderer"),
        info.creation_date,
        info.creation_date
    );
    if let Some(subject) = info.subject {
        let _ = write!(info_dict, " /Subject {}", text_string(subject));
    }
    info_dict.push_str(" >>");
    writer.object(INFO, info_dict.as_bytes());
    for (i, page) in pages.iter().enumerate() {
        let number = page_object(i);
        let body = format!(
            "<< /Type /Page /Parent {PAGES} 0 R /MediaBox [0 0 {} {}] /Resources {RESOURCES} 0 R /Contents {} 0 R >>",
            media_box_number(page_width),
            media_box_number(page_height),
            number + 1
        );
        writer.object(number, body.as_bytes());
        let stream = compress(&content_stream(page, page_height));
        let mut body = format!(
            "<< /Length {} /Filter /FlateDecode >>\nstream\n",
            stream.len()
        )
        .into_bytes();
        body.extend_from_slice(&stream);
        body.extend_from_slice(b"\nendstream");
        writer.object(number + 1, &body);
    }
    let object_count = writer.offsets.len();
    let xref_offset = writer.bytes.len();
    let mut out = writer.bytes;
    // Each entry is exactly 20 bytes, ending in CR LF (§7.5.4).
    let _ = write!(out, "xref\n0 {}\n0000000000 65535 f\r\n", object_count + 1);
    for offset in &writer.offsets {
        let _ = write!(out, "{offset:010} 00000 n\r\n");
    }
    let _ = write!(
        out,
        "trailer\n<< /Size {} /Root {CATALOG} 0 R /Info {INFO} 0 R >>\nstartxref\n{xref_offset}\n%%EOF\n",
        object_count + 1
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_the_pdf_syntax_requires() {
        assert_eq!(literal_bytes(b"a(b)c\\"), b"(a\\(b\\)c\\\\)".to_vec());
        assert_eq!(text_string("Ré"), "<FEFF005200E9>");
        assert_eq!(colour_components(Rgb::new(255, 0, 128)), "1 0 0.502");
    }

    #[test]
    fn xref_offsets_point_at_their_objects() {
        let page = Figure::new(100.0, 100.0);
        let info = DocumentInfo {
            title: "T",
            subject: None,
            keywords: "TLP:CLEAR",
            creation_date: "D:20250101000000Z".to_string(),
            language: "en",
        };
        let bytes = write_pdf(&[page.clone(), page], 100.0, 100.0, &info);
        let startxref = bytes
            .windows(10)
            .rposition(|w| w == b"startxref\n")
            .unwrap()
            + 10;
        let digits: Vec<u8> = bytes[startxref..]
            .iter()
            .copied()
            .take_while(u8::is_ascii_digit)
            .collect();
        let xref_at: usize = String::from_utf8(digits).unwrap().parse().unwrap();
        let header = b"xref\n0 13\n";
        assert!(bytes[xref_at..].starts_with(header));
        // 12 objects: catalog, pages, 4 fonts, resources, info, 2 x (page, content).
        for number in 1..=12usize {
            let entry_at = xref_at + header.len() + 20 * number;
            let entry = &bytes[entry_at..entry_at + 20];
            assert!(
                entry.ends_with(b" 00000 n\r\n"),
                "{:?}",
                String::from_utf8_lossy(entry)
            );
            let offset: usize = String::from_utf8_lossy(&entry[..10]).parse().unwrap();
            assert!(
                bytes[offset..].starts_with(format!("{number} 0 obj\n").as_bytes()),
                "object {number}"
            );
        }
    }
}
