/**
 * The editions letterpress can write, each a separate renderer over the same document model,
 * loaded when its edition is made (the command line imports this table to parse --format).
 */
import type { VFile } from 'vfile';
import type { LetterDocument } from '../model/types.js';

export type Format = 'txt' | 'pdf' | 'docx' | 'html';

export interface RenderOptions {
  /** Plain text: wrap at this many columns (0 = no wrapping); overrides the template. */
  wrap?: number;
  /** Renderers add warnings about the inputs here (files with messages), e.g. fonts the Word copy cannot embed. */
  diagnostics?: VFile[];
}

export interface Edition {
  format: Format;
  extension: string;
  render(document: LetterDocument, options: RenderOptions): Promise<Uint8Array>;
}

const encoder = new TextEncoder();

export const editions: Record<Format, Edition> = {
  txt: {
    format: 'txt',
    extension: '.txt',
    render: async (document, options) =>
      encoder.encode((await import('./text/index.js')).renderText(document, options.wrap === undefined ? {} : { wrap: options.wrap })),
  },
  pdf: {
    format: 'pdf',
    extension: '.pdf',
    render: async (document) => (await import('./pdf/index.js')).renderPdf(document),
  },
  docx: {
    format: 'docx',
    extension: '.docx',
    render: async (document, options) => (await import('./docx/index.js')).renderDocx(document, options.diagnostics),
  },
  html: {
    format: 'html',
    extension: '.html',
    render: async (document) => encoder.encode((await import('./html/index.js')).renderHtml(document)),
  },
};

export const ALL_FORMATS: Format[] = ['txt', 'pdf', 'docx', 'html'];

export function parseFormats(list: string): Format[] | { error: string } {
  const names = list.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = names.filter((n) => !(n in editions));
  if (unknown.length > 0) return { error: `Unknown format ${unknown.map((u) => `"${u}"`).join(', ')}: choose from ${ALL_FORMATS.join(', ')}.` };
  if (names.length === 0) return { error: `No format given: choose from ${ALL_FORMATS.join(', ')}.` };
  return [...new Set(names)] as Format[];
}
