/**
 * A PDF that failed its own preflight: each problem is a diagnostic on the letter, at the mark
 * of the footnote it concerns where it concerns one (nothing was written; it is a letterpress bug
 * or a layout the typesetter could not honour).
 */
import { VFile } from 'vfile';
import { BuildError, reportError, type SourcePoint } from '../diagnostics/index.js';
import type { Block, Inline, LetterFrame } from '../frame/types.js';
import type { PreflightReport } from './pdf/report.js';

export class PreflightFailed extends BuildError {
  constructor(
    readonly report: PreflightReport,
    frame: LetterFrame,
  ) {
    const file = new VFile({ path: frame.sources.letter ?? 'letter' });
    for (const problem of report.problems) {
      const place = problem.note !== undefined ? firstMark(frame, problem.note) : undefined;
      reportError(file, `The PDF failed its preflight check: ${problem.message}. Nothing was written; please report this.`, place, 'pdf-preflight');
    }
    super([file]);
  }
}

/** Where the first mark of note `number` stands in the letter. */
function firstMark(frame: LetterFrame, number: number): SourcePoint | undefined {
  const inInlines = (inlines: Inline[]): SourcePoint | undefined => {
    for (const node of inlines) {
      if (node.type === 'noteRef' && node.number === number) return node.at;
      const inner = 'children' in node ? inInlines(node.children) : undefined;
      if (inner) return inner;
    }
    return undefined;
  };
  const inBlocks = (blocks: Block[]): SourcePoint | undefined => {
    for (const block of blocks) {
      const found =
        block.type === 'paragraph' || block.type === 'heading'
          ? inInlines(block.children)
          : block.type === 'blockquote'
            ? inBlocks(block.children)
            : block.type === 'list'
              ? inBlocks(block.items.flat())
              : undefined;
      if (found) return found;
    }
    return undefined;
  };
  const body = frame.blocks.flatMap((block) => (block.role === 'body' ? block.blocks : []));
  return inBlocks(body) ?? inBlocks(frame.notes.flatMap((n) => n.blocks));
}
