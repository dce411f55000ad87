//! GBK output, for the older systems that read no UTF-8 (`--output-encoding
//! gbk`): [`GbkWriter`] takes the UTF-8 a CSV writer produces and writes it
//! as GBK, line by line.
//!
//! A character with no GBK form (a rare name character such as `𠮷`, an
//! emoji) is an error naming the output line and its first cell (the worker
//! id, for a payroll or bank file), never a `?` or a numeric reference in
//! its place: a name the bank cannot match is a transfer that bounces. The
//! command then writes nothing, and the message says to use UTF-8.

use std::io::{self, Write};

/// Writes what `body` writes (UTF-8 text) to `out` in a CSV file's
/// encoding: GBK when `gbk` (no mark), else UTF-8, after a byte-order mark
/// when `bom`. The one place the payroll, bank and errors files choose it.
pub fn encoded(
    out: &mut dyn Write,
    bom: bool,
    gbk: bool,
    body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    if gbk {
        let mut g = GbkWriter::new(out);
        body(&mut g)?;
        g.finish()?;
        return Ok(());
    }
    if bom {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    body(out)
}

/// Writes UTF-8 text to `inner` as GBK, one line at a time.
///
/// ```
/// use payrules::hrfile::gbk::GbkWriter;
/// use std::io::Write;
/// let mut w = GbkWriter::new(Vec::new());
/// w.write_all("工号,姓名\nW01,张三\n".as_bytes()).unwrap();
/// let bytes = w.finish().unwrap();
/// assert_eq!(&bytes[..4], b"\xb9\xa4\xba\xc5"); // 工号 in GBK
///
/// let mut w = GbkWriter::new(Vec::new());
/// let e = w.write_all("W02,吉\u{20BB7}\n".as_bytes()).and_then(|_| w.finish().map(drop));
/// assert!(e.unwrap_err().to_string().contains("line 1 (W02)"));
/// ```
pub struct GbkWriter<W: Write> {
    inner: W,
    /// Bytes of the current, unfinished line (UTF-8, perhaps cut mid-character).
    pending: Vec<u8>,
    /// Lines written so far.
    line: usize,
    encoder_out: Vec<u8>,
}

impl<W: Write> GbkWriter<W> {
    /// A writer that encodes into `inner`.
    pub fn new(inner: W) -> Self {
        GbkWriter {
            inner,
            pending: Vec::new(),
            line: 0,
            encoder_out: Vec::new(),
        }
    }

    /// Writes the last line (one without a line end) and returns `inner`.
    pub fn finish(mut self) -> io::Result<W> {
        if !self.pending.is_empty() {
            let line = std::mem::take(&mut self.pending);
            self.encode_line(&line)?;
        }
        self.inner.flush()?;
        Ok(self.inner)
    }

    fn encode_line(&mut self, line: &[u8]) -> io::Result<()> {
        self.line += 1;
        let text = std::str::from_utf8(line).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("line {}: not UTF-8 text", self.line),
            )
        })?;
        let mut encoder = encoding_rs::GBK.new_encoder();
        self.encoder_out.clear();
        let need = encoder
            .max_buffer_length_from_utf8_without_replacement(text.len())
            .unwrap_or(text.len() * 2 + 16);
        self.encoder_out.reserve(need);
        let (result, _read) =
            encoder.encode_from_utf8_to_vec_without_replacement(text, &mut self.encoder_out, true);
        match result {
            encoding_rs::EncoderResult::InputEmpty => self.inner.write_all(&self.encoder_out),
            encoding_rs::EncoderResult::Unmappable(c) => {
                let first = text
                    .split([',', '\n'])
                    .next()
                    .unwrap_or("")
                    .trim_matches('"');
                Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "line {} ({first}): the character {c:?} (U+{:04X}) has no GBK form; write UTF-8 instead (leave out --output-encoding gbk), which every character has",
                        self.line, c as u32
                    ),
                ))
            }
            // Invariant: the buffer was reserved for the worst case.
            encoding_rs::EncoderResult::OutputFull => Err(io::Error::other(format!(
                "line {}: GBK output buffer too small",
                self.line
            ))),
        }
    }
}

impl<W: Write> Write for GbkWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            let (head, tail) = rest.split_at(nl + 1);
            if self.pending.is_empty() {
                self.encode_line(head)?;
            } else {
                self.pending.extend_from_slice(head);
                let line = std::mem::take(&mut self.pending);
                self.encode_line(&line)?;
            }
            rest = tail;
        }
        self.pending.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        // A line is written whole: the unfinished one waits for its end.
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_anywhere_encode_the_same() {
        let text = "工号,姓名,实发金额\nW01,张三,5000.00\nW02,李四,4800.50\n合计,2 人,9800.50";
        let whole = encoding_rs::GBK.encode(text).0.into_owned();
        for cut in 1..text.len() {
            let mut w = GbkWriter::new(Vec::new());
            w.write_all(&text.as_bytes()[..cut]).unwrap();
            w.write_all(&text.as_bytes()[cut..]).unwrap();
            assert_eq!(w.finish().unwrap(), whole, "cut at {cut}");
        }
    }

    #[test]
    fn an_unmappable_character_names_the_line_and_its_first_cell() {
        let mut w = GbkWriter::new(Vec::new());
        let e = w
            .write_all("工号,姓名\nW01,张三\nW02,李😀\n".as_bytes())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 3 (W02): the character '😀' (U+1F600) has no GBK form; write UTF-8 instead (leave out --output-encoding gbk), which every character has"
        );
    }
}
