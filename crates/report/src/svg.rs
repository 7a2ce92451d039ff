//! [`Figure`] to SVG: maps and charts for the HTML report, or on their own for a web page.

use std::fmt::Write;

use crate::figure::{Anchor, Figure, Segment, Shape, coord};
use crate::html::escape;

/// Writes `figure` as an `<svg>` element sized by its viewBox (it scales to its container).
/// `title` becomes the accessible name (`aria-label`). All text is escaped.
pub(crate) fn figure_to_svg(figure: &Figure, title: Option<&str>) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" role="img""#,
        coord(figure.width),
        coord(figure.height),
        coord(figure.width),
        coord(figure.height)
    );
    if let Some(title) = title {
        let _ = write!(out, r#" aria-label="{}""#, escape(title));
    }
    // Even-odd filling, as the PDF's f* and B*: polygon holes stay empty.
    out.push_str(r#" font-family="Helvetica, Arial, sans-serif" fill-rule="evenodd">"#);
    out.push('\n');
    for shape in &figure.shapes {
        match shape {
            Shape::Path(path) => {
                out.push_str("<path d=\"");
                let mut first = true;
                for segment in &path.segments {
                    if !first {
                        out.push(' ');
                    }
                    first = false;
                    match *segment {
                        Segment::MoveTo(x, y) => {
                            let _ = write!(out, "M{} {}", coord(x), coord(y));
                        }
                        Segment::LineTo(x, y) => {
                            let _ = write!(out, "L{} {}", coord(x), coord(y));
                        }
                        Segment::CubicTo(a, b, c, d, e, f) => {
                            let _ = write!(
                                out,
                                "C{} {} {} {} {} {}",
                                coord(a),
                                coord(b),
                                coord(c),
                                coord(d),
                                coord(e),
                                coord(f)
                            );
                        }
                        Segment::Close => out.push('Z'),
                    }
                }
                out.push('"');
                match path.fill {
                    Some(fill) => {
                        let _ = write!(out, r#" fill="{}""#, fill.hex());
                    }
                    None => out.push_str(r#" fill="none""#),
                }
                if let Some(stroke) = path.stroke {
                    let _ = write!(
                        out,
                        r#" stroke="{}" stroke-width="{}" stroke-linejoin="round""#,
                        stroke.colour.hex(),
                        coord(stroke.width)
                    );
                    if stroke.dashed {
                        let _ = write!(
                            out,
                            r#" stroke-dasharray="{} {}""#,
                            coord(stroke.width * 3.0),
                            coord(stroke.width * 2.0)
                        );
                    }
                }
                out.push_str("/>\n");
            }
            Shape::Text(text) => {
                let anchor = match text.anchor {
                    Anchor::Start => "start",
                    Anchor::Middle => "middle",
                    Anchor::End => "end",
                };
                let _ = write!(
                    out,
                    r#"<text x="{}" y="{}" font-size="{}" fill="{}""#,
                    coord(text.x),
                    coord(text.y),
                    coord(text.size),
                    text.colour.hex()
                );
                if text.anchor != Anchor::Start {
                    let _ = write!(out, r#" text-anchor="{anchor}""#);
                }
                if text.font.is_bold() {
                    out.push_str(r#" font-weight="bold""#);
                }
                if text.font.is_oblique() {
                    out.push_str(r#" font-style="italic""#);
                }
                if text.vertical {
                    let _ = write!(
                        out,
                        r#" transform="rotate(-90 {} {})""#,
                        coord(text.x),
                        coord(text.y)
                    );
                }
                let _ = writeln!(out, ">{}</text>", escape(&text.text));
            }
        }
    }
    out.push_str("</svg>");
    out
}
