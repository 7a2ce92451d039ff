//! The drawing model shared by both outputs: maps and charts are laid out once into a
//! [`Figure`] (paths and text in points, origin top left, y down), which `svg` writes as SVG
//! and `pdf` as PDF path and text operators. A PDF page is a `Figure` too.

use crate::fonts::Font;
use crate::model::{MarkerShape, Rgb};

/// A drawing: its size and shapes, painted in order.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct Figure {
    pub(crate) width: f64,
    pub(crate) height: f64,
    pub(crate) shapes: Vec<Shape>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Shape {
    Path(PathShape),
    Text(TextShape),
}

/// A path: segments, painted with an optional fill and an optional stroke.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PathShape {
    pub(crate) segments: Vec<Segment>,
    pub(crate) fill: Option<Rgb>,
    pub(crate) stroke: Option<Stroke>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Segment {
    MoveTo(f64, f64),
    LineTo(f64, f64),
    /// A cubic Bézier: two control points and the end point.
    CubicTo(f64, f64, f64, f64, f64, f64),
    Close,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Stroke {
    pub(crate) colour: Rgb,
    pub(crate) width: f64,
    pub(crate) dashed: bool,
}

impl Stroke {
    pub(crate) fn solid(colour: Rgb, width: f64) -> Self {
        Stroke {
            colour,
            width,
            dashed: false,
        }
    }
}

/// Horizontal anchoring of a text at its x.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

/// One line of text; `y` is the baseline.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TextShape {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) text: String,
    pub(crate) font: Font,
    pub(crate) size: f64,
    pub(crate) colour: Rgb,
    pub(crate) anchor: Anchor,
    /// Turned a quarter left, reading bottom to top (vertical axis titles).
    pub(crate) vertical: bool,
}

impl TextShape {
    /// The x where the text starts, after anchoring (measured with the AFM widths).
    pub(crate) fn start_x(&self) -> f64 {
        let width = self.font.text_width(&self.text, self.size);
        match self.anchor {
            Anchor::Start => self.x,
            Anchor::Middle => self.x - width / 2.0,
            Anchor::End => self.x - width,
        }
    }
}

/// A path through `points`, closed back to the first one when `close`.
pub(crate) fn segments_through(points: &[(f64, f64)], close: bool) -> Vec<Segment> {
    let mut segments: Vec<Segment> = points
        .iter()
        .enumerate()
        .map(|(i, &(x, y))| {
            if i == 0 {
                Segment::MoveTo(x, y)
            } else {
                Segment::LineTo(x, y)
            }
        })
        .collect();
    if close {
        segments.push(Segment::Close);
    }
    segments
}

/// Bézier circle constant: 4/3 (sqrt(2) - 1), the control distance for a quarter circle.
const KAPPA: f64 = 0.552_284_749_830_793_4;

impl Figure {
    pub(crate) fn new(width: f64, height: f64) -> Self {
        Figure {
            width,
            height,
            shapes: Vec::new(),
        }
    }

    pub(crate) fn path(
        &mut self,
        segments: Vec<Segment>,
        fill: Option<Rgb>,
        stroke: Option<Stroke>,
    ) {
        if (fill.is_none() && stroke.is_none()) || segments.is_empty() {
            return;
        }
        self.shapes.push(Shape::Path(PathShape {
            segments,
            fill,
            stroke,
        }));
    }

    pub(crate) fn line(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, stroke: Stroke) {
        self.path(
            vec![Segment::MoveTo(x0, y0), Segment::LineTo(x1, y1)],
            None,
            Some(stroke),
        );
    }

    pub(crate) fn polyline(&mut self, points: &[(f64, f64)], stroke: Stroke) {
        self.path(segments_through(points, false), None, Some(stroke));
    }

    pub(crate) fn rect(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        fill: Option<Rgb>,
        stroke: Option<Stroke>,
    ) {
        self.path(
            vec![
                Segment::MoveTo(x, y),
                Segment::LineTo(x + w, y),
                Segment::LineTo(x + w, y + h),
                Segment::LineTo(x, y + h),
                Segment::Close,
            ],
            fill,
            stroke,
        );
    }

    /// A point symbol of `size` (diameter or side) centred on (x, y).
    pub(crate) fn marker(
        &mut self,
        shape: MarkerShape,
        x: f64,
        y: f64,
        size: f64,
        fill: Option<Rgb>,
        stroke: Option<Stroke>,
    ) {
        let r = size / 2.0;
        let segments = match shape {
            MarkerShape::Circle => {
                let k = KAPPA * r;
                vec![
                    Segment::MoveTo(x + r, y),
                    Segment::CubicTo(x + r, y + k, x + k, y + r, x, y + r),
                    Segment::CubicTo(x - k, y + r, x - r, y + k, x - r, y),
                    Segment::CubicTo(x - r, y - k, x - k, y - r, x, y - r),
                    Segment::CubicTo(x + k, y - r, x + r, y - k, x + r, y),
                    Segment::Close,
                ]
            }
            MarkerShape::Square => vec![
                Segment::MoveTo(x - r, y - r),
                Segment::LineTo(x + r, y - r),
                Segment::LineTo(x + r, y + r),
                Segment::LineTo(x - r, y + r),
                Segment::Close,
            ],
            MarkerShape::Triangle => vec![
                Segment::MoveTo(x, y - r),
                Segment::LineTo(x + r, y + r),
                Segment::LineTo(x - r, y + r),
                Segment::Close,
            ],
        };
        self.path(segments, fill, stroke);
    }

    fn push_text(&mut self, shape: TextShape) {
        if !shape.text.is_empty() {
            self.shapes.push(Shape::Text(shape));
        }
    }

    /// One line of text with its baseline at `y`, anchored at `x`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn text(
        &mut self,
        x: f64,
        y: f64,
        text: impl Into<String>,
        font: Font,
        size: f64,
        colour: Rgb,
        anchor: Anchor,
    ) {
        let (text, vertical) = (text.into(), false);
        self.push_text(TextShape {
            x,
            y,
            text,
            font,
            size,
            colour,
            anchor,
            vertical,
        });
    }

    /// Text turned a quarter left, centred on (x, y), reading upwards.
    pub(crate) fn vertical_text(
        &mut self,
        x: f64,
        y: f64,
        text: impl Into<String>,
        font: Font,
        size: f64,
        colour: Rgb,
    ) {
        let (text, anchor, vertical) = (text.into(), Anchor::Middle, true);
        self.push_text(TextShape {
            x,
            y,
            text,
            font,
            size,
            colour,
            anchor,
            vertical,
        });
    }

    /// Copies `other`'s shapes into this figure, moved by (dx, dy).
    pub(crate) fn place(&mut self, other: &Figure, dx: f64, dy: f64) {
        for shape in &other.shapes {
            self.shapes.push(match shape {
                Shape::Path(path) => Shape::Path(PathShape {
                    segments: path
                        .segments
                        .iter()
                        .map(|segment| match *segment {
                            Segment::MoveTo(x, y) => Segment::MoveTo(x + dx, y + dy),
                            Segment::LineTo(x, y) => Segment::LineTo(x + dx, y + dy),
                            Segment::CubicTo(a, b, c, d, e, f) => {
                                Segment::CubicTo(a + dx, b + dy, c + dx, d + dy, e + dx, f + dy)
                            }
                            Segment::Close => Segment::Close,
                        })
                        .collect(),
                    fill: path.fill,
                    stroke: path.stroke,
                }),
                Shape::Text(text) => Shape::Text(TextShape {
                    x: text.x + dx,
                    y: text.y + dy,
                    ..text.clone()
                }),
            });
        }
    }
}

/// A coordinate for SVG and PDF: at most two decimals (1/7200 inch), no trailing zeros, no
/// "-0". Both outputs go through here, so they carry the same numbers.
pub(crate) fn coord(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    let text = format!("{rounded:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// `value` with `decimals` digits after `separator`, a '-' for negatives and no thousands
/// grouping. A value that rounds to zero is written without a sign.
pub(crate) fn format_number(value: f64, decimals: u8, separator: char) -> String {
    let text = format!("{:.*}", usize::from(decimals), value);
    let text = if text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.') {
        text[1..].to_string()
    } else {
        text
    };
    if separator == '.' {
        text
    } else {
        text.replace('.', &separator.to_string())
    }
}

/// A number with as few decimals as it needs, up to 6 (for numbers in text columns).
pub(crate) fn format_number_shortest(value: f64, separator: char) -> String {
    let text = format_number(value, 6, '.');
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if separator == '.' {
        text
    } else {
        text.replace('.', &separator.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_have_two_decimals_at_most() {
        assert_eq!(coord(1.0), "1");
        assert_eq!(coord(1.234), "1.23");
        assert_eq!(coord(1.235_1), "1.24");
        assert_eq!(coord(-0.001), "0");
        assert_eq!(coord(-12.5), "-12.5");
    }

    #[test]
    fn numbers_are_formatted_with_the_column_decimals_and_separator() {
        assert_eq!(format_number(384.0, 0, '.'), "384");
        assert_eq!(format_number(2.345, 1, ','), "2,3");
        assert_eq!(format_number(-0.04, 1, '.'), "0.0");
        assert_eq!(format_number(-1.5, 2, '.'), "-1.50");
        assert_eq!(format_number_shortest(12.5, ','), "12,5");
        assert_eq!(format_number_shortest(144.0, '.'), "144");
    }

    #[test]
    fn anchored_text_starts_where_its_width_says() {
        // "Agora" at 10 pt is 26.68 pt wide (fonts::tests): centred on 100 it starts at 86.66.
        let mut figure = Figure::new(200.0, 100.0);
        figure.text(
            100.0,
            50.0,
            "Agora",
            Font::Regular,
            10.0,
            Rgb::BLACK,
            Anchor::Middle,
        );
        let Shape::Text(text) = &figure.shapes[0] else {
            panic!()
        };
        assert!((text.start_x() - 86.66).abs() < 1e-9);
    }
}
