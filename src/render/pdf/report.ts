/** What a PDF preflight found, and how it is printed (no PDF parser needed here). */

/** Points a line may stand past a margin (rounding of positions), in the layout check and the read-back preflight alike. */
export const MARGIN_TOLERANCE = 0.5;

export interface PreflightFacts {
  pageWidth: number;
  textLeft: number;
  textRight: number;
  /** Font size of footnote marks in the text. */
  markSize: number;
  /** Font size of footnote text (and of the note numbers). */
  noteSize: number;
  notes: number;
  /** A print file of this many copies of the letter (each with `notes` notes). */
  copies?: number;
}

/** One problem: its message, and the page or the footnote it concerns where it concerns one. */
export interface PreflightProblem {
  message: string;
  page?: number;
  note?: number;
}

export interface PreflightReport {
  pages: number;
  fonts: Array<{ name: string; embedded: boolean }>;
  /** Per note number: page of its mark, page of its note. */
  notes: Array<{ number: number; markPage: number | null; notePage: number | null }>;
  maxRight: number;
  /**
   * Tags: labelled Note elements, untagged text operators, link annotations (and those no Link
   * owns). Absent from the build's own layout check, which reads no PDF.
   */
  tags?: { notes: number; untagged: number; links: number; untiedLinks: number };
  problems: PreflightProblem[];
}

/**
 * Every note 1…count starts on the page of its mark (clreq: notes at the foot of the page that
 * carries their mark); the pages found, with a problem for each note that does not.
 */
export function notePages(count: number, marks: Map<number, number>, noteStarts: Map<number, number>, problems: PreflightProblem[]): PreflightReport['notes'] {
  const notes: PreflightReport['notes'] = [];
  for (let number = 1; number <= count; number++) {
    const markPage = marks.get(number) ?? null;
    const notePage = noteStarts.get(number) ?? null;
    notes.push({ number, markPage, notePage });
    if (markPage === null) problems.push({ note: number, message: `Footnote mark ${number} not found` });
    else if (notePage === null) problems.push({ note: number, message: `Footnote ${number} not found` });
    else if (markPage !== notePage) problems.push({ note: number, page: notePage, message: `Footnote ${number} starts on page ${notePage} but its mark is on page ${markPage}` });
  }
  return notes;
}

export function formatReport(file: string, report: PreflightReport): string {
  const lines = [
    `${file}: ${report.pages} page(s)`,
    `  fonts: ${report.fonts.map((f) => `${f.name}${f.embedded ? ' (embedded)' : ' (NOT embedded)'}`).join(', ')}`,
    `  notes: ${report.notes.map((n) => `${n.number}→p.${n.markPage ?? '?'}${n.notePage === n.markPage ? '' : `/p.${n.notePage ?? '?'}`}`).join(' ')}`,
    `  rightmost text at ${report.maxRight.toFixed(1)} pt`,
  ];
  const { tags } = report;
  if (tags) lines.push(`  tags: ${tags.notes} Note(s), ${tags.links - tags.untiedLinks}/${tags.links} link annotation(s) owned by Link, ${tags.untagged} untagged text operator(s)`);
  lines.push(report.problems.length === 0 ? '  ✓ preflight passed' : report.problems.map((p) => `  ✖ ${p.message}`).join('\n'));
  return lines.join('\n');
}
