//! The four standard PDF fonts this crate uses (Helvetica, bold, oblique, bold oblique): their
//! widths from Adobe's AFM files, the WinAnsiEncoding they are set in, and line breaking.
//!
//! Every PDF reader has these fonts, so nothing is embedded; the widths are needed to wrap
//! lines and size table columns. Characters WinAnsi lacks are replaced before layout (see
//! [`to_win_ansi_text`]) so what is measured is what is drawn.

use std::collections::BTreeSet;

mod afm_widths;

use afm_widths::{HELVETICA_BOLD_WIDTHS, HELVETICA_WIDTHS, WIN_ANSI_HIGH};

/// A face of Helvetica.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Font {
    Regular,
    Bold,
    Oblique,
    BoldOblique,
}

impl Font {
    /// The PDF BaseFont name (one of the standard 14).
    pub(crate) fn base_font(self) -> &'static str {
        match self {
            Font::Regular => "Helvetica",
            Font::Bold => "Helvetica-Bold",
            Font::Oblique => "Helvetica-Oblique",
            Font::BoldOblique => "Helvetica-BoldOblique",
        }
    }

    /// The resource name used in content streams.
    pub(crate) fn resource_name(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
            Font::Oblique => "F3",
            Font::BoldOblique => "F4",
        }
    }

    pub(crate) const ALL: [Font; 4] = [Font::Regular, Font::Bold, Font::Oblique, Font::BoldOblique];

    pub(crate) fn is_bold(self) -> bool {
        matches!(self, Font::Bold | Font::BoldOblique)
    }

    pub(crate) fn is_oblique(self) -> bool {
        matches!(self, Font::Oblique | Font::BoldOblique)
    }

    /// The oblique faces have exactly the widths of the upright ones (Adobe's AFMs).
    fn widths(self) -> &'static [u16; 256] {
        if self.is_bold() {
            &HELVETICA_BOLD_WIDTHS
        } else {
            &HELVETICA_WIDTHS
        }
    }

    /// Width in points of `text` set at `size_pt` (no kerning: the PDF is written without it).
    /// Characters that WinAnsi lacks are measured as the '?' that replaces them.
    pub(crate) fn text_width(self, text: &str, size_pt: f64) -> f64 {
        let widths = self.widths();
        let units: u32 = text
            .chars()
            .map(|ch| u32::from(widths[usize::from(win_ansi_code(ch).unwrap_or(b'?'))]))
            .sum();
        f64::from(units) * size_pt / 1000.0
    }
}

/// The WinAnsiEncoding code of `ch` (PDF 1.7 Annex D.2), if it has one.
pub(crate) fn win_ansi_code(ch: char) -> Option<u8> {
    let code = u32::from(ch);
    match code {
        0x20..=0x7e | 0xa0..=0xff => Some(code as u8),
        _ => WIN_ANSI_HIGH
            .iter()
            .position(|&c| c == ch && c != '\0')
            .map(|i| 0x80 + i as u8),
    }
}

/// Typographic characters that WinAnsi lacks but have a faithful plain spelling.
fn spelled_out(ch: char) -> Option<&'static str> {
    Some(match ch {
        '\u{2212}' | '\u{2010}' | '\u{2011}' => "-", // minus sign, hyphens
        '\u{2009}' | '\u{202f}' | '\u{2007}' | '\u{2002}' | '\u{2003}' => " ", // thin and fixed spaces
        '\u{2264}' => "<=",
        '\u{2265}' => ">=",
        '\u{2248}' => "~",
        '\u{2192}' => "->",
        '\u{2190}' => "<-",
        '\u{2032}' => "'",
        '\u{2033}' => "\"",
        '\u{00ad}' => "", // soft hyphen: invisible unless a line breaks there, which we never do
        _ => return None,
    })
}

/// `text` made of WinAnsi characters only: tabs and line breaks become spaces, a few
/// typographic characters are spelled out (U+2212 minus as '-', '≤' as "<=", ...), other
/// control characters are dropped, and every remaining character outside WinAnsi becomes a
/// visible '?'. Each character that was not kept as it is lands in `replaced`.
pub(crate) fn to_win_ansi_text(text: &str, replaced: &mut BTreeSet<char>) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch == '\t' || ch == '\n' || ch == '\r' {
            out.push(' ');
        } else if ch.is_control() {
            replaced.insert(ch);
        } else if ch != '\u{00ad}' && win_ansi_code(ch).is_some() {
            out.push(ch);
        } else if let Some(spelling) = spelled_out(ch) {
            replaced.insert(ch);
            out.push_str(spelling);
        } else {
            replaced.insert(ch);
            out.push('?');
        }
    }
    out
}

/// WinAnsi bytes of a string made by [`to_win_ansi_text`].
pub(crate) fn encode_win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|ch| win_ansi_code(ch).unwrap_or(b'?'))
        .collect()
}

/// A word of running text in one font, and whether a space precedes it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Word {
    pub(crate) text: String,
    pub(crate) font: Font,
    pub(crate) space_before: bool,
}

/// One laid-out line: runs of text in one font each, with their x offset from the line start.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct Line {
    pub(crate) runs: Vec<(f64, Font, String)>,
    pub(crate) width: f64,
}

/// Splits spans of `(text, font)` into words (at spaces; a run of spaces counts as one).
pub(crate) fn words(spans: &[(String, Font)]) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut pending_space = false;
    for (text, font) in spans {
        let mut current = String::new();
        for ch in text.chars() {
            if ch == ' ' {
                if !current.is_empty() {
                    out.push(Word {
                        text: std::mem::take(&mut current),
                        font: *font,
                        space_before: pending_space,
                    });
                }
                pending_space = true;
            } else {
                current.push(ch);
            }
        }
        if !current.is_empty() {
            out.push(Word {
                text: current,
                font: *font,
                space_before: pending_space,
            });
            pending_space = false;
        }
    }
    if let Some(first) = out.first_mut() {
        first.space_before = false;
    }
    out
}

/// Greedy line breaking of `words` into lines at most `max_width` points wide. A word wider
/// than a whole line is cut between characters.
pub(crate) fn wrap(words: &[Word], size_pt: f64, max_width: f64) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut line = Line::default();
    for word in words {
        let space = if word.space_before && !line.runs.is_empty() {
            word.font.text_width(" ", size_pt)
        } else {
            0.0
        };
        let width = word.font.text_width(&word.text, size_pt);
        if !line.runs.is_empty() && line.width + space + width > max_width {
            lines.push(std::mem::take(&mut line));
            push_long_word(&mut lines, &mut line, word, size_pt, max_width);
        } else if line.runs.is_empty() {
            push_long_word(&mut lines, &mut line, word, size_pt, max_width);
        } else {
            append(&mut line, word.font, space, &word.text, width);
        }
    }
    if !line.runs.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Puts `word` at the start of `line`, cutting it into line-wide pieces if it is too wide.
fn push_long_word(
    lines: &mut Vec<Line>,
    line: &mut Line,
    word: &Word,
    size_pt: f64,
    max_width: f64,
) {
    let mut piece = String::new();
    let mut piece_width = 0.0;
    for ch in word.text.chars() {
        let ch_width = word.font.text_width(ch.encode_utf8(&mut [0; 4]), size_pt);
        if !piece.is_empty() && piece_width + ch_width > max_width {
            append(line, word.font, 0.0, &piece, piece_width);
            lines.push(std::mem::take(line));
            piece.clear();
            piece_width = 0.0;
        }
        piece.push(ch);
        piece_width += ch_width;
    }
    append(line, word.font, 0.0, &piece, piece_width);
}

/// Appends text to the line, merging with the last run when the font is the same.
fn append(line: &mut Line, font: Font, space: f64, text: &str, width: f64) {
    match line.runs.last_mut() {
        Some((_, last_font, last_text)) if *last_font == font => {
            if space > 0.0 {
                last_text.push(' ');
            }
            last_text.push_str(text);
        }
        _ => line.runs.push((line.width + space, font, text.to_string())),
    }
    line.width += space + width;
}

#[cfg(test)]
mod tests {
    use super::*;

    // Widths from Adobe's Core 14 AFM files (Helvetica.afm and Helvetica-Bold.afm: "C 65 ;
    // WX 667 ; N A", ...), cross-checked against a second copy of the metrics, Debian's
    // libfont-afm-perl Font::Metrics::Helvetica (ISO Latin-1 table: A 0.667, W 0.944, i 0.222).
    #[test]
    fn widths_are_adobes_afm_widths() {
        let w = |font: Font, text: &str| font.text_width(text, 1000.0);
        assert_eq!(w(Font::Regular, " "), 278.0);
        assert_eq!(w(Font::Regular, "A"), 667.0);
        assert_eq!(w(Font::Regular, "W"), 944.0);
        assert_eq!(w(Font::Regular, "i"), 222.0);
        assert_eq!(w(Font::Regular, "@"), 1015.0);
        assert_eq!(w(Font::Regular, "'"), 191.0); // quotesingle
        assert_eq!(w(Font::Regular, "\u{20ac}"), 556.0); // Euro at WinAnsi 0x80
        assert_eq!(w(Font::Regular, "\u{2014}"), 1000.0); // emdash
        assert_eq!(w(Font::Regular, "é"), 556.0);
        assert_eq!(w(Font::Regular, "µ"), 556.0);
        assert_eq!(w(Font::Bold, "A"), 722.0);
        assert_eq!(w(Font::Bold, "i"), 278.0);
        assert_eq!(w(Font::Bold, "@"), 975.0);
        assert_eq!(w(Font::BoldOblique, "A"), 722.0);
        assert_eq!(w(Font::Oblique, "A"), 667.0);
        // "Agora" in Helvetica: A 667 + g 556 + o 556 + r 333 + a 556 = 2668 units; at 10 pt 26.68 pt.
        assert!((Font::Regular.text_width("Agora", 10.0) - 26.68).abs() < 1e-9);
    }

    #[test]
    fn win_ansi_codes_follow_annex_d() {
        assert_eq!(win_ansi_code('A'), Some(0x41));
        assert_eq!(win_ansi_code('\u{20ac}'), Some(0x80));
        assert_eq!(win_ansi_code('\u{2019}'), Some(0x92));
        assert_eq!(win_ansi_code('\u{0178}'), Some(0x9f));
        assert_eq!(win_ansi_code('ÿ'), Some(0xff));
        assert_eq!(win_ansi_code('\u{0081}'), None);
        assert_eq!(win_ansi_code('ł'), None);
        assert_eq!(win_ansi_code('Ω'), None);
    }

    #[test]
    fn characters_outside_win_ansi_are_replaced_visibly_and_reported() {
        let mut replaced = BTreeSet::new();
        let text = to_win_ansi_text("Łódź −5 ≤ x\tΩ €", &mut replaced);
        assert_eq!(text, "?ód? -5 <= x ? €");
        assert_eq!(
            replaced.into_iter().collect::<String>(),
            "ŁźΩ−≤"
                .chars()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect::<String>()
        );
    }

    fn plain_words(text: &str) -> Vec<Word> {
        words(&[(text.to_string(), Font::Regular)])
    }

    #[test]
    fn wrapping_breaks_at_the_last_space_that_fits() {
        // At 10 pt: "aaa" = 3 x 5.56 = 16.68 pt, a space 2.78 pt. Two words with their space:
        // 16.68 + 2.78 + 16.68 = 36.14 pt; three: 55.6 pt. A 40 pt line holds two words.
        let lines = wrap(&plain_words("aaa aaa aaa"), 10.0, 40.0);
        let texts: Vec<&str> = lines.iter().map(|l| l.runs[0].2.as_str()).collect();
        assert_eq!(texts, ["aaa aaa", "aaa"]);
        assert!((lines[0].width - 36.14).abs() < 1e-9);
    }

    #[test]
    fn a_word_wider_than_the_line_is_cut() {
        // "WWWW" at 10 pt is 4 x 9.44 = 37.76 pt; a 20 pt line holds two W (18.88 pt).
        let lines = wrap(&plain_words("WWWW"), 10.0, 20.0);
        let texts: Vec<&str> = lines.iter().map(|l| l.runs[0].2.as_str()).collect();
        assert_eq!(texts, ["WW", "WW"]);
    }

    #[test]
    fn styled_words_keep_their_fonts_and_spaces() {
        let spans = vec![
            ("Risk is ".to_string(), Font::Regular),
            ("high".to_string(), Font::Bold),
            ("ly rated".to_string(), Font::Regular),
        ];
        let lines = wrap(&words(&spans), 10.0, 500.0);
        assert_eq!(lines.len(), 1);
        let runs: Vec<(Font, &str)> = lines[0]
            .runs
            .iter()
            .map(|(_, f, t)| (*f, t.as_str()))
            .collect();
        assert_eq!(
            runs,
            [
                (Font::Regular, "Risk is"),
                (Font::Bold, "high"),
                (Font::Regular, "ly rated")
            ]
        );
        // The bold run starts after "Risk is " (R 722 i 222 s 500 k 500 = 1944; space 278;
        // i 222 s 500 = 722; space 278: 3222 units = 32.22 pt at 10 pt); "ly" follows "high"
        // (h 611 i 278 g 611 h 611 = 2111 bold units) with no space: 32.22 + 21.11 = 53.33 pt.
        assert!(
            (lines[0].runs[1].0 - 32.22).abs() < 1e-9,
            "{}",
            lines[0].runs[1].0
        );
        assert!(
            (lines[0].runs[2].0 - 53.33).abs() < 1e-9,
            "{}",
            lines[0].runs[2].0
        );
    }
}
