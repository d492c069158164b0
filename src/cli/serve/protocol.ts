/**
 * What the preview server and the page say to each other (JSON), shared by both sides: the
 * server (src/cli/serve/) and the browser code (src/cli/serve/client/, compiled for the DOM).
 */

/** One diagnostic of the last build or of a refused edit, as `file:line:column` with its source line. */
export interface Problem {
  severity: 'error' | 'warning';
  file: string;
  line?: number;
  column?: number;
  message: string;
  rule?: string;
  /** The text of the line the problem stands on, when known. */
  source?: string;
}

export type Kind = 'organization' | 'individual';

/** A field of the signatory schema, as the forms show it (src/signatories/schema.ts). */
export interface FieldInfo {
  key: string;
  kinds: Kind[];
  type: 'text' | 'date';
  required: boolean;
}

export interface SignatoryRow {
  kind: Kind;
  name: string;
  /** Every field the entry has, by key (name included). */
  values: Record<string, string>;
  /** Line of the entry in the data file. */
  line: number;
}

export interface DataState {
  /** The data file as the user named it (for display only; the server never reads a path from the page). */
  file: string;
  /** Send with every edit: the edit is refused if the file no longer has this version. */
  version: string;
  /** In the editions' order (sorted in the letter's language). */
  organizations: SignatoryRow[];
  individuals: SignatoryRow[];
  /** The file does not load (its problems are listed); the rows are the last that loaded. */
  broken: boolean;
}

export interface EditionInfo {
  format: 'txt' | 'pdf' | 'docx' | 'html';
  file: string;
  bytes: number;
}

export interface LetterState {
  id: number;
  /** The letter file, for display. */
  letter: string;
  lang: string;
  title: string;
  /** building: a build runs; ok / failed: how the last one ended. */
  status: 'building' | 'ok' | 'failed';
  /** Counts the successful builds. 0 until the first one. */
  build: number;
  /**
   * Counts the PDFs shown: a new number means new pages. The PDF of a build is shown as soon as it
   * is made, before the other editions; if the build then fails, the last good PDF comes back.
   */
  pdf: number;
  builtAt: string | null;
  buildMs: number | null;
  /** Editions of the last good build. */
  editions: EditionInfo[];
  /** What changed in the last good build since the one before it. */
  changes: string[];
  /** What changed in the signatory list since the last recorded release (`letterpress release`), if one is recorded. */
  sinceRelease: { name: string; recordedAt: string; changes: string[] } | null;
  /** Diagnostics of the last build (errors if it failed, warnings otherwise). */
  problems: Problem[];
  data: DataState | null;
  /** The notes, their number and their first words, to find their pages. */
  notes: Array<{ number: number; text: string }>;
}

export interface AppState {
  letters: LetterState[];
  fields: FieldInfo[];
  /** Import of CSV/XLSX files with a dry run (when letterpress has it). */
  importAvailable: boolean;
}

export interface EditRequest {
  action: 'add' | 'update' | 'remove';
  version: string;
  /** The entry's current name (update, remove). */
  name?: string;
  /** The new values (add, update): kind, name and the schema's other fields. */
  entry?: Record<string, string>;
  /** Save even though the name looks like one already listed (the user said it is another signatory). */
  force?: boolean;
}

export type EditResponse =
  | { ok: true; version: string; warnings: Problem[] }
  | { ok: false; stale: boolean; problems: Problem[] };

/** A spreadsheet import, planned (dry run) or done: what is added, updated, skipped and refused. */
export interface ImportSummary {
  source: string;
  columns: Array<{ header: string; field: string | null }>;
  added: Array<{ line: number; kind: Kind; values: Record<string, string> }>;
  updated: Array<{ line: number; name: string; changes: Array<{ field: string; from?: string; to: string }> }>;
  skipped: Array<{ line: number; name: string; reason: string }>;
  refused: number;
  /** Refusals and warnings, positioned in the spreadsheet. */
  problems: Problem[];
}

export interface ImportRequest {
  fileName: string;
  /** The file's bytes, base64. */
  data: string;
  dryRun: boolean;
  version: string;
  force?: boolean;
}

export type ImportResponse =
  | { ok: true; written: boolean; version: string; plan: ImportSummary }
  | { ok: false; stale: boolean; problems: Problem[] };
