//! Integration tests of `report`: the PDF read back with poppler-utils (pdftotext, pdfinfo,
//! pdffonts; skipped with a message when they are missing, required under `CI`), the HTML's
//! escaping and self-containment, a golden SVG chart, maps against hand-worked numbers, and
//! bad input. The whole suite takes about a second.

mod bad_input;
mod html;
mod pdf;
mod support;
mod svg;
