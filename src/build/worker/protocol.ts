/**
 * What the build and its edition worker (thread.ts) say to each other. Messages cross as
 * structured clones: the frame goes as plain data (its images' bytes included), and the
 * template's `where` — a function, which cannot cross — as the places of the fields a renderer
 * may warn at, looked up here beforehand. Warnings come back as plain data and become vfile
 * messages again, as the renderer made them in this thread.
 */
import { VFile } from 'vfile';
import type { Format, RenderOptions } from '../../render/index.js';
import type { LetterFrame, TemplateSource } from '../../frame/types.js';
import { reportError, reportWarning, type Place } from '../../diagnostics/index.js';

type Where = ReturnType<TemplateSource['where']>;

/** A build's request: these editions of this frame. */
export interface EditionRequest {
  id: number;
  frame: LetterFrame;
  /** The template's places of the fields a warning may point at (the frame's `sources.template`). */
  places: Array<[string, Where]> | null;
  formats: Format[];
  options: Pick<RenderOptions, 'wrap' | 'cache'>;
}

/** A vfile with its messages, as plain data. */
export interface FileData {
  path: string | undefined;
  value: string | undefined;
  messages: Array<{ reason: string; place: Place; ruleId: string | undefined; fatal: boolean }>;
}

/** One edition made, or the reason it was not (the build then makes it itself). */
export type EditionReply =
  | { id: number; format: Format; ok: true; data: Uint8Array; ms: number; warnings: FileData[] }
  | { id: number; format: Format; ok: false; reason: string };

const fieldKey = (field: string[]) => field.join('\u0000');

/** The frame as it crosses to the worker, and its template's places of these fields. */
export function requestOf(id: number, frame: LetterFrame, formats: Format[], options: RenderOptions, fields: string[][]): EditionRequest {
  const { template, ...sources } = frame.sources;
  const places = template ? fields.map((field): [string, Where] => [fieldKey(field), template.where(field)]) : null;
  const { wrap, cache } = options;
  return { id, frame: { ...frame, sources }, places, formats, options: { ...(wrap === undefined ? {} : { wrap }), ...(cache === undefined ? {} : { cache }) } };
}

/**
 * The frame as the worker's renderers read it: its template's `where` answers from the places
 * looked up before; a field not among them is a bug (the build then makes the edition itself).
 */
export function frameOf(request: EditionRequest): LetterFrame {
  const { frame, places } = request;
  if (!places) return frame;
  const table = new Map(places);
  const where = (field: string[]): Where => {
    const at = table.get(fieldKey(field));
    if (!at) throw new Error(`The template field ${field.join('.')} was not looked up for the edition worker.`);
    return at;
  };
  return { ...frame, sources: { ...frame.sources, template: { where } } };
}

export function fileData(file: VFile): FileData {
  return {
    path: file.path,
    value: typeof file.value === 'string' ? file.value : undefined,
    messages: file.messages.map((m) => ({ reason: m.reason, place: m.place ?? undefined, ruleId: m.ruleId, fatal: m.fatal === true })),
  };
}

/** The vfile again, its messages made as the renderer made them. */
export function fileOf(data: FileData): VFile {
  const file = new VFile({ ...(data.path === undefined ? {} : { path: data.path }), ...(data.value === undefined ? {} : { value: data.value }) });
  for (const m of data.messages) (m.fatal ? reportError : reportWarning)(file, m.reason, m.place, m.ruleId ?? '');
  return file;
}
