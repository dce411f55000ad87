//! The one aligned-text renderer behind every `--format table` (payroll,
//! what-if): columns padded to their display width (a Chinese character
//! takes two terminal columns), amounts right-aligned, trailing blanks cut.

use unicode_width::UnicodeWidthStr;

/// How a table is laid out.
pub(crate) struct Layout<N: Fn(usize) -> bool> {
    /// Written before the first cell of every line.
    pub indent: &'static str,
    /// Whether a column holds numbers (right-aligned).
    pub numeric: N,
}

/// The display width of each column over `rows`.
pub(crate) fn widths<'a>(rows: impl IntoIterator<Item = &'a [String]>) -> Vec<usize> {
    let mut w: Vec<usize> = Vec::new();
    for r in rows {
        if w.len() < r.len() {
            w.resize(r.len(), 0);
        }
        for (c, cell) in r.iter().enumerate() {
            w[c] = w[c].max(cell.width());
        }
    }
    w
}

/// Appends one line: cells two spaces apart, padded to `widths`, numeric
/// columns right-aligned, the line's trailing blanks cut.
pub(crate) fn line<N: Fn(usize) -> bool>(
    out: &mut String,
    layout: &Layout<N>,
    widths: &[usize],
    cells: &[String],
) {
    let start = out.len();
    out.push_str(layout.indent);
    for (i, cell) in cells.iter().enumerate() {
        let pad = widths
            .get(i)
            .copied()
            .unwrap_or(0)
            .saturating_sub(cell.width());
        if i > 0 {
            out.push_str("  ");
        }
        if (layout.numeric)(i) {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(cell);
        } else {
            out.push_str(cell);
            if i + 1 < cells.len() {
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
    }
    let kept = out[start..].trim_end().len();
    out.truncate(start + kept);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_takes_two_columns_and_numbers_align_right() {
        let rows: Vec<Vec<String>> = vec![
            vec!["温泉社区".into(), "1.00".into()],
            vec!["A".into(), "100.00".into()],
        ];
        let w = widths(rows.iter().map(Vec::as_slice));
        assert_eq!(w, [8, 6]);
        let layout = Layout {
            indent: "",
            numeric: |c| c == 1,
        };
        let mut s = String::new();
        for r in &rows {
            line(&mut s, &layout, &w, r);
        }
        assert_eq!(s, "温泉社区    1.00\nA         100.00\n");
    }
}
