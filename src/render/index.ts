/**
 * The editions letterpress can write, each a separate renderer over the same letter frame (built
 * once per build by the build command), loaded when its edition is made (the command line
 * imports this table to parse --format).
 */
import type { VFile } from 'vfile';
import type { LetterFrame } from '../frame/types.js';

export type Format = 'txt' | 'pdf' | 'docx' | 'html';

export interface RenderOptions {
  /** Plain text: wrap at this many columns (0 = no wrapping); overrides the template. */
  wrap?: number;
  /** Renderers add warnings about the inputs here (files with messages), e.g. fonts the Word copy cannot embed. */
  diagnostics?: VFile[];
  /** Keep dear intermediate results (font subsets) in the user's cache folder (default true). */
  cache?: boolean;
}

export interface Edition {
  format: Format;
  extension: string;
  render(frame: LetterFrame, options: RenderOptions): Promise<Uint8Array>;
}

const encoder = new TextEncoder();

export const editions: Record<Format, Edition> = {
  txt: {
    format: 'txt',
    extension: '.txt',
    render: async (frame, options) =>
      encoder.encode((await import('./text/index.js')).renderText(frame, options.wrap === undefined ? {} : { wrap: options.wrap })),
  },
  pdf: {
    format: 'pdf',
    extension: '.pdf',
    render: async (frame, options) => (await import('./pdf/index.js')).renderPdf(frame, { cache: options.cache !== false }),
  },
  docx: {
    format: 'docx',
    extension: '.docx',
    render: async (frame, options) => (await import('./docx/index.js')).renderDocx(frame, options.diagnostics, { cache: options.cache !== false }),
  },
  html: {
    format: 'html',
    extension: '.html',
    render: async (frame) => encoder.encode((await import('./html/index.js')).renderHtml(frame)),
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
