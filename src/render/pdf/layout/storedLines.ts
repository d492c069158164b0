/**
 * Set lines kept on disk for the next process: under the memos of ./lineSetter.ts (which keep
 * them for the rebuilds of one process), the lines of every paragraph and the shaped signatory
 * entries of a letter's last build, in one cache entry per font chain and letter file
 * (src/io/diskCache.ts, folder set-lines), read once before the letter is laid out and written
 * after it when something was set that the entry did not have. A letter whose paragraphs are all
 * there is laid out without shaping anything, and without starting HarfBuzz.
 *
 * The entry is found by a hash of everything set lines depend on besides the memo keys (the text,
 * styles, measure and options of each paragraph, within the entry): the code's version
 * (src/util/codeVersion.ts) and the versions of the packages it calls at run time; the font
 * chain, entry by entry (names, files, uses) with each font file's content hash (remembered by
 * the file's identity: src/fonts/subsetCache.ts); and the letter file's path. Nothing read is
 * trusted: the entry's checksum, then every count, index and kind is checked as it is decoded,
 * each face must open as the chain opens it, from the very file version that was hashed, and
 * every glyph id must be one of its face's; anything else and the entry is set aside (the letter
 * is set afresh and the entry written again). With each face go the code points whose glyph
 * outlines the layout check found sane in it (../layoutCheck.ts), so they are not decoded again. Only paragraphs that were set without an error are
 * in it (a character no font has stops the build), so messages are the same with it and without.
 *
 * Written here because no library serialises these structures: faces are written as their place
 * in the chain, numbers as 64-bit floats (exactly the values set), glyph runs once each.
 */
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DiskCache, cacheFolder, cacheKey } from '../../../io/diskCache.js';
import { identityOf, readBoundedSync, type FileIdentity } from '../../../io/readBounded.js';
import { packageVersion, rememberedFileHash } from '../../../fonts/subsetCache.js';
import { MAX_FONT_BYTES, type Face, type FontChain } from '../../../fonts/fontChain.js';
import type { Glue, GlyphRun, Piece, PieceKind } from '../../../typeset/shape.js';
import type { Line, PlacedPiece } from '../../../typeset/lineBreak.js';
import { codeVersion } from '../../../util/codeVersion.js';
import { layoutMemoOf } from './lineSetter.js';
import { addSaneCodePoints, saneCodePoints } from '../layoutCheck.js';

/** The layout of an entry; a new one is a new key. */
const FORMAT = 'set lines 3';
const MAGIC = 0x4c504c31; // "LPL1"
/** The folder's bound: a letter of 10,000 signatories keeps a few MB. */
const MAX_BYTES = 64 * 1024 * 1024;

const KINDS: readonly PieceKind[] = ['ideo', 'open', 'close', 'cjkPunct', 'latin', 'mark'];
const GLUE_KINDS: ReadonlyArray<Glue['kind']> = ['space', 'hanLatin'];

/** Where one chain's set lines for one letter are kept, and what the chain's font files were when hashed. */
export interface LineStore {
  chain: FontChain;
  key: string;
  files: Map<string, FileIdentity>;
}

const diskCache = () => new DiskCache(path.join(cacheFolder(), 'set-lines'), MAX_BYTES);

/**
 * Read what the disk cache keeps for this chain and letter into the chain's memo (once per
 * process and key); `cache: false` (--no-cache) reads and writes nothing. Never fails.
 */
export async function loadStoredLines(chain: FontChain, letter: string | undefined, options: { cache?: boolean } = {}): Promise<LineStore | null> {
  const memo = layoutMemoOf(chain);
  const store = options.cache === false ? null : await storeOf(chain, letter).catch(() => null);
  if (!store) {
    memo.stored = null;
    return null;
  }
  if (memo.stored?.key === store.key) return store;
  memo.changed = false;
  let read: ReturnType<typeof decode>;
  const data = await diskCache().get(store.key, (bytes) => (read = decode(bytes, store)) !== undefined);
  memo.stored = read && data ? { key: store.key, ...read, onDisk: true, data } : { key: store.key, lines: new Map(), entries: new Map(), onDisk: false, data: null };
  return store;
}

/** Entries being written. */
const writing = new Set<Promise<void>>();

/** Resolves once every entry being written is on disk (or given up). */
export async function storedLinesWritten(): Promise<void> {
  await Promise.all([...writing]);
}

/**
 * Write the chain's lines of this build to the disk cache, if it lacks some of them. What is new
 * is appended to the entry as read (a segment of its own: a new name costs its own encoding, not
 * the whole letter's), unless more than half of the entry would then be lines this build did not
 * use: then the entry is written afresh with this build's lines only. Never fails.
 */
export async function saveStoredLines(store: LineStore | null): Promise<void> {
  if (!store) return;
  const memo = layoutMemoOf(store.chain);
  const stored = memo.stored;
  if (stored?.key !== store.key || (stored.onDisk && !memo.changed)) return;
  const lines = memo.lines.used();
  const entries = memo.entries.used();
  const newLines = lines.filter(([key]) => !stored.lines.has(key));
  const newEntries = entries.filter(([key]) => !stored.entries.has(key));
  const kept = lines.length - newLines.length + entries.length - newEntries.length;
  const unused = stored.lines.size + stored.entries.size - kept;
  const append = stored.onDisk && stored.data !== null && unused <= kept;
  if (append && newLines.length + newEntries.length === 0) return;
  let data: Uint8Array | null;
  try {
    const segment = append ? encode(store, newLines, newEntries) : encode(store, lines, entries);
    data = append && segment && stored.data ? Buffer.concat([stored.data, segment]) : segment;
  } catch {
    data = null;
  }
  if (!data) return;
  // Not waited for: the entry is for the next process (which this one, exiting, waits for), so
  // a rebuild in watch or serve does not wait for the disk.
  const written: Promise<void> = diskCache()
    .put(store.key, data)
    .then(() => void writing.delete(written));
  writing.add(written);
  memo.stored = append
    ? { key: store.key, lines: new Map([...stored.lines, ...newLines]), entries: new Map([...stored.entries, ...newEntries]), onDisk: true, data }
    : { key: store.key, lines: new Map(lines), entries: new Map(entries), onDisk: true, data };
  memo.changed = false;
}

/** The key of the chain's entry for this letter; null when a font file cannot be read (the build reports it). */
async function storeOf(chain: FontChain, letter: string | undefined): Promise<LineStore | null> {
  const version = codeVersion();
  if (version === null) return null;
  const entries = chain.entryFiles();
  const files = new Map<string, FileIdentity>();
  const hashes: string[] = [];
  for (const entry of entries) {
    for (const file of [entry.regular, entry.bold, entry.italic, entry.boldItalic]) {
      if (file === null || files.has(file)) continue;
      // Only a regular file is hashed (a pipe or a device named as a font is the build's to report).
      const info = statSync(file, { bigint: true });
      if (!info.isFile()) return null;
      const identity = identityOf(info);
      files.set(file, identity);
      hashes.push(file, await rememberedFileHash(file, identity, () => readFontFile(file)));
    }
  }
  const packages = ['fontkit', 'harfbuzzjs', 'hyphen'].map((name) => `${name} ${packageVersion(name)}`);
  const key = cacheKey([FORMAT, version, os.endianness(), ...packages, JSON.stringify(entries), ...hashes, letter ? path.resolve(letter) : '']);
  return { chain, key, files };
}

/** A font file's bytes, for its hash (a file too large to be a font is the build's to report). */
function readFontFile(file: string): Uint8Array {
  const read = readBoundedSync(file, MAX_FONT_BYTES);
  if (!read.ok) throw new Error(`${file}: not read (${read.reason})`);
  return read.bytes;
}

// ── Encoding ────────────────────────────────────────────────────────────────────────────────────

/** A typed array that grows as it is written (no array of boxed numbers to copy at the end). */
class Stream<T extends Uint32Array | Float64Array> {
  length = 0;
  constructor(
    public array: T,
    private readonly make: (size: number) => T,
  ) {}

  push(value: number): void {
    if (this.length === this.array.length) {
      const bigger = this.make(this.array.length * 2);
      bigger.set(this.array);
      this.array = bigger;
    }
    this.array[this.length++] = value;
  }

  get bytes(): Uint8Array {
    return new Uint8Array(this.array.buffer, 0, this.length * this.array.BYTES_PER_ELEMENT);
  }
}

/** The place of `value` in `list`, appended when it is not there yet. */
function indexIn<T>(index: Map<T, number>, list: T[], value: T): number {
  let at = index.get(value);
  if (at === undefined) {
    at = list.length;
    list.push(value);
    index.set(value, at);
  }
  return at;
}

/** Whole numbers (counts, indices, ids, flags), numbers (exact doubles) and strings, in three streams. */
class Writer {
  readonly ints = new Stream(new Uint32Array(4096), (n) => new Uint32Array(n));
  readonly nums = new Stream(new Float64Array(4096), (n) => new Float64Array(n));
  readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  private readonly runIndex = new Map<GlyphRun, number>();
  private readonly faceIndex = new Map<Face, number>();
  readonly runs: GlyphRun[] = [];
  readonly faces: Face[] = [];

  int(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`not a whole number: ${n}`);
    this.ints.push(n);
  }

  num(n: number): void {
    this.nums.push(n);
  }

  /** A string, a glyph run or a face, by its place in its table (written there when first met). */
  str(s: string): void {
    this.ints.push(indexIn(this.stringIndex, this.strings, s));
  }

  run(run: GlyphRun): void {
    this.ints.push(indexIn(this.runIndex, this.runs, run));
  }

  face(face: Face): void {
    this.ints.push(indexIn(this.faceIndex, this.faces, face));
  }
}

const FLAG = { bold: 1, link: 2, dots: 4, note: 8, breakCost: 16, glueBefore: 32, hyphen: 64, breakBefore: 128 } as const;

function writePiece(w: Writer, p: Piece): void {
  let flags = 0;
  if (p.bold) flags |= FLAG.bold;
  if (p.link !== undefined) flags |= FLAG.link;
  if (p.dots !== undefined) flags |= FLAG.dots | (p.dots ? 256 : 0);
  if (p.note !== undefined) flags |= FLAG.note;
  if (p.breakCost !== undefined) flags |= FLAG.breakCost;
  if (p.glueBefore) flags |= FLAG.glueBefore;
  if (p.hyphen) flags |= FLAG.hyphen;
  if (p.breakBefore) flags |= FLAG.breakBefore;
  w.int(flags);
  w.str(p.text);
  w.face(p.face);
  w.int(KINDS.indexOf(p.kind));
  w.int(p.glyphCount);
  w.run(p.glyphs);
  w.num(p.size);
  w.num(p.rise);
  w.num(p.width);
  w.num(p.offset);
  w.num(p.drawnAdvance);
  w.num(p.endShrink);
  w.num(p.midShrink);
  w.num(p.startRestore);
  if (p.link !== undefined) w.str(p.link);
  if (p.note !== undefined) w.int(p.note);
  if (p.breakCost !== undefined) w.num(p.breakCost);
  if (p.glueBefore) {
    w.int(GLUE_KINDS.indexOf(p.glueBefore.kind));
    w.num(p.glueBefore.width);
    w.num(p.glueBefore.shrink);
    w.num(p.glueBefore.stretch);
  }
  if (p.hyphen) {
    w.run(p.hyphen.glyphs);
    w.num(p.hyphen.width);
  }
}

function writeLines(w: Writer, lines: Line[]): void {
  w.int(lines.length);
  for (const line of lines) {
    w.int(line.last ? 1 : 0);
    w.num(line.width);
    w.int(line.notes.length);
    for (const note of line.notes) w.int(note);
    w.int(line.placed.length);
    for (const placed of line.placed) {
      writePiece(w, placed.piece);
      w.num(placed.x);
      w.num(placed.width);
      w.num(placed.offset);
    }
  }
}

/**
 * A segment of an entry (an entry is one or more, each adding lines and entries to those before
 * it): a header (magic, stream lengths), the whole numbers (32-bit), the numbers (64-bit floats,
 * at an 8-byte boundary from the segment's start), the strings (JSON). Null when a face is not the chain's.
 */
function encode(store: LineStore, lines: Array<[string, Line[]]>, entries: Array<[string, Piece[]]>): Uint8Array | null {
  const body = new Writer();
  body.int(lines.length);
  for (const [key, set] of lines) {
    body.str(key);
    writeLines(body, set);
  }
  body.int(entries.length);
  for (const [key, pieces] of entries) {
    body.str(key);
    body.int(pieces.length);
    for (const piece of pieces) writePiece(body, piece);
  }
  // The tables the body refers to, first: faces by their place in the chain, then glyph runs.
  const head = new Writer();
  head.int(body.faces.length);
  for (const face of body.faces) {
    const place = store.chain.placeOf(face);
    if (!place || !store.files.has(face.file)) return null;
    head.int(place.entry);
    head.int((place.style.bold ? 1 : 0) | (place.style.italic ? 2 : 0));
    const sane = [...saneCodePoints(face)].sort((a, b) => a - b);
    head.int(sane.length);
    for (const cp of sane) head.int(cp);
  }
  head.int(body.runs.length);
  for (const run of body.runs) {
    const n = run.ids.length;
    if (run.codePoints.length !== n || run.advances.length !== n || run.xOffsets.length !== n || run.yOffsets.length !== n) return null;
    head.int(n);
    for (let g = 0; g < n; g++) {
      head.int(run.ids[g] as number);
      head.num(run.advances[g] as number);
      head.num(run.xOffsets[g] as number);
      head.num(run.yOffsets[g] as number);
      const cps = run.codePoints[g] as number[];
      head.int(cps.length);
      for (const cp of cps) head.int(cp);
    }
  }
  // The entry's own key closes the string table: an entry copied under another key (another
  // letter's, or one set with another version of a font file) is not taken for this one.
  const strings = Buffer.from(JSON.stringify([...body.strings, store.key]), 'utf8');
  const intCount = head.ints.length + body.ints.length;
  const numCount = head.nums.length + body.nums.length;
  const intBytes = 16 + 4 * intCount;
  const numAt = intBytes + ((8 - (intBytes % 8)) % 8);
  const out = new Uint8Array(numAt + 8 * numCount + strings.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, intCount, true);
  view.setUint32(8, numCount, true);
  view.setUint32(12, strings.byteLength, true);
  out.set(head.ints.bytes, 16);
  out.set(body.ints.bytes, 16 + 4 * head.ints.length);
  out.set(head.nums.bytes, numAt);
  out.set(body.nums.bytes, numAt + 8 * head.nums.length);
  out.set(strings, numAt + 8 * numCount);
  return out;
}

// ── Decoding ────────────────────────────────────────────────────────────────────────────────────

/** Anything out of place in an entry: it is not used. */
class Unusable extends Error {}

function check(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Unusable(what);
}

class Reader {
  private i = 0;
  private n = 0;
  /** The floats' bits, two words each. */
  private readonly numWords: Uint32Array;

  constructor(
    private readonly ints: Uint32Array,
    private readonly nums: Float64Array,
    private readonly strings: string[],
  ) {
    this.numWords = new Uint32Array(nums.buffer, nums.byteOffset, 2 * nums.length);
  }

  int(max = 0xffffffff): number {
    check(this.i < this.ints.length, 'too short');
    const value = this.ints[this.i++] as number;
    check(value <= max, 'out of range');
    return value;
  }

  /** A count of items that each take at least one whole number more (a damaged count cannot make a huge array). */
  count(): number {
    return this.int(this.ints.length - this.i);
  }

  num(): number {
    check(this.n < this.nums.length, 'too short');
    return this.nums[this.n++] as number;
  }

  str(): string {
    return this.strings[this.int(this.strings.length - 1)] as string;
  }

  done(): boolean {
    return this.i === this.ints.length && this.n === this.nums.length;
  }

  /** Where the reader stands: the index of the next whole number and of the next float. */
  get intsRead(): number {
    return this.i;
  }
  get numsRead(): number {
    return this.n;
  }

  /** A hash (FNV-1a) of what was read from `ints` and `nums` on: the whole numbers, and the floats' bits. */
  hashSince(ints: number, nums: number): number {
    let hash = 0x811c9dc5;
    for (let k = ints; k < this.i; k++) hash = Math.imul(hash ^ (this.ints[k] as number), 0x01000193);
    for (let k = 2 * nums; k < 2 * this.n; k++) hash = Math.imul(hash ^ (this.numWords[k] as number), 0x01000193);
    return hash;
  }

  /** Whether what was read from `ints` and `nums` on is stored, bit for bit, at `other`. */
  sameSince(ints: number, nums: number, other: StoredPlace): boolean {
    if (other.intEnd - other.ints !== this.i - ints || other.numEnd - other.nums !== this.n - nums) return false;
    for (let k = 0; k < this.i - ints; k++) if (this.ints[ints + k] !== this.ints[other.ints + k]) return false;
    for (let k = 0; k < 2 * (this.n - nums); k++) if (this.numWords[2 * nums + k] !== this.numWords[2 * other.nums + k]) return false;
    return true;
  }
}

/** Where something was read from: its whole numbers and floats. */
interface StoredPlace {
  ints: number;
  intEnd: number;
  nums: number;
  numEnd: number;
}

interface Tables {
  faces: Face[];
  runs: GlyphRun[];
  /** The largest glyph id of each run. */
  runMax: number[];
  /**
   * Each distinct piece read, by its stored form: pieces are read-only once set (line breaking
   * makes new ones), and a list repeats the same words (countries, "Association", "for"), so an
   * entry's pieces are shared with every entry that holds the same piece (10,000 generated names:
   * 87,000 pieces read, 11,600 distinct; 27 MB less heap the scavenger copies).
   */
  pieces: Map<number, Array<StoredPlace & { piece: Piece }>>;
}

function readPiece(r: Reader, t: Tables): Piece {
  const ints = r.intsRead;
  const nums = r.numsRead;
  const piece = readNewPiece(r, t);
  const hash = r.hashSince(ints, nums);
  let same = t.pieces.get(hash);
  const known = same?.find((place) => r.sameSince(ints, nums, place));
  if (known) return known.piece;
  if (!same) t.pieces.set(hash, (same = []));
  same.push({ piece, ints, intEnd: r.intsRead, nums, numEnd: r.numsRead });
  return piece;
}

function readNewPiece(r: Reader, t: Tables): Piece {
  const flags = r.int(511);
  const text = r.str();
  const face = t.faces[r.int(t.faces.length - 1)] as Face;
  const kind = KINDS[r.int(KINDS.length - 1)] as PieceKind;
  const glyphCount = r.int();
  const runAt = r.int(t.runs.length - 1);
  check((t.runMax[runAt] as number) < face.font.numGlyphs, 'glyph id beyond the face');
  const piece: Piece = {
    text, face, kind, glyphCount, glyphs: t.runs[runAt] as GlyphRun,
    size: r.num(), rise: r.num(), width: r.num(), offset: r.num(), drawnAdvance: r.num(), endShrink: r.num(), midShrink: r.num(), startRestore: r.num(),
    bold: (flags & FLAG.bold) !== 0, breakBefore: (flags & FLAG.breakBefore) !== 0, glueBefore: null,
  };
  if (flags & FLAG.link) piece.link = r.str();
  if (flags & FLAG.dots) piece.dots = (flags & 256) !== 0;
  if (flags & FLAG.note) piece.note = r.int();
  if (flags & FLAG.breakCost) piece.breakCost = r.num();
  if (flags & FLAG.glueBefore) {
    const glueKind = GLUE_KINDS[r.int(GLUE_KINDS.length - 1)] as Glue['kind'];
    piece.glueBefore = { width: r.num(), shrink: r.num(), stretch: r.num(), kind: glueKind };
  }
  if (flags & FLAG.hyphen) {
    const hyphenAt = r.int(t.runs.length - 1);
    check((t.runMax[hyphenAt] as number) < face.font.numGlyphs, 'glyph id beyond the face');
    piece.hyphen = { glyphs: t.runs[hyphenAt] as GlyphRun, width: r.num() };
  }
  return piece;
}

function readLines(r: Reader, t: Tables): Line[] {
  const lines: Line[] = [];
  for (let k = r.count(); k > 0; k--) {
    const last = r.int(1) === 1;
    const width = r.num();
    const notes: number[] = [];
    for (let n = r.count(); n > 0; n--) notes.push(r.int());
    const placed: PlacedPiece[] = [];
    for (let n = r.count(); n > 0; n--) {
      const piece = readPiece(r, t);
      placed.push({ piece, x: r.num(), width: r.num(), offset: r.num() });
    }
    lines.push({ placed, width, notes, last });
  }
  return lines;
}

/** The entry's lines and pieces (its segments in order), or undefined when anything in it is out of place. */
function decode(data: Uint8Array, store: LineStore): { lines: Map<string, Line[]>; entries: Map<string, Piece[]> } | undefined {
  try {
    const found = { lines: new Map<string, Line[]>(), entries: new Map<string, Piece[]>(), sane: new Map<Face, number[]>() };
    let at = 0;
    do at = decodeSegment(data.subarray(at), store, found) + at;
    while (at < data.byteLength);
    for (const [face, codePoints] of found.sane) addSaneCodePoints(face, codePoints);
    return { lines: found.lines, entries: found.entries };
  } catch {
    // Unusable, or a face that no longer opens (the build reports that itself): set afresh.
    return undefined;
  }
}

/** One segment of an entry read into `found`; returns its length. Throws when anything is out of place. */
function decodeSegment(data: Uint8Array, store: LineStore, found: { lines: Map<string, Line[]>; entries: Map<string, Piece[]>; sane: Map<Face, number[]> }): number {
  check(data.byteLength >= 16, 'too short');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  check(view.getUint32(0, true) === MAGIC, 'not an entry');
  const intCount = view.getUint32(4, true);
  const numCount = view.getUint32(8, true);
  const stringBytes = view.getUint32(12, true);
  const intBytes = 16 + intCount * 4;
  const numAt = intBytes + ((8 - (intBytes % 8)) % 8);
  const end = numAt + numCount * 8 + stringBytes;
  check(end <= data.byteLength, 'lengths differ');
  // Copied out, so that the typed arrays are aligned whatever the buffer's offset.
  const ints = new Uint32Array(data.slice(16, intBytes).buffer);
  const nums = new Float64Array(data.slice(numAt, numAt + numCount * 8).buffer);
  const strings: unknown = JSON.parse(Buffer.from(data.buffer, data.byteOffset + numAt + numCount * 8, stringBytes).toString('utf8'));
  check(Array.isArray(strings) && strings.every((s) => typeof s === 'string'), 'strings');
  check(strings.pop() === store.key, 'written under another key');
  const r = new Reader(ints, nums, strings as string[]);
  const faces: Face[] = [];
  const sane: number[][] = [];
  for (let k = r.count(); k > 0; k--) {
    const entry = r.int(store.chain.entryFiles().length - 1);
    const style = r.int(3);
    const face = store.chain.faceAt(entry, { bold: (style & 1) !== 0, italic: (style & 2) !== 0 });
    // The face must be the very file version whose hash is in the key.
    const hashed = face && store.files.get(face.file);
    check(hashed !== undefined && face?.identity !== undefined && sameIdentity(hashed, face.identity), 'font file changed');
    faces.push(face as Face);
    const codePoints: number[] = [];
    for (let n = r.count(); n > 0; n--) codePoints.push(r.int(0x10ffff));
    sane.push(codePoints);
  }
  const runs: GlyphRun[] = [];
  const runMax: number[] = [];
  // A glyph that stands for one character shares that character's array with every other glyph
  // that does (nothing changes a run's code points once it is set): the runs of 10,000 names
  // hold 40,650 glyphs, and an array each is heap the scavenger copies.
  const oneCharacter = new Map<number, number[]>();
  for (let k = r.count(); k > 0; k--) {
    const run: GlyphRun = { ids: [], codePoints: [], advances: [], xOffsets: [], yOffsets: [] };
    let max = 0;
    for (let n = r.count(); n > 0; n--) {
      const id = r.int();
      max = Math.max(max, id);
      run.ids.push(id);
      run.advances.push(r.num());
      run.xOffsets.push(r.num());
      run.yOffsets.push(r.num());
      const characters = r.count();
      if (characters === 1) {
        const cp = r.int(0x10ffff);
        let shared = oneCharacter.get(cp);
        if (!shared) oneCharacter.set(cp, (shared = [cp]));
        run.codePoints.push(shared);
        continue;
      }
      const cps: number[] = [];
      for (let c = characters; c > 0; c--) cps.push(r.int(0x10ffff));
      run.codePoints.push(cps);
    }
    runs.push(run);
    runMax.push(max);
  }
  const tables = { faces, runs, runMax, pieces: new Map() };
  for (let k = r.count(); k > 0; k--) {
    const key = r.str();
    found.lines.set(key, readLines(r, tables));
  }
  for (let k = r.count(); k > 0; k--) {
    const key = r.str();
    const pieces: Piece[] = [];
    for (let n = r.count(); n > 0; n--) pieces.push(readPiece(r, tables));
    found.entries.set(key, pieces);
  }
  check(r.done(), 'left over');
  faces.forEach((face, k) => found.sane.set(face, [...(found.sane.get(face) ?? []), ...(sane[k] ?? [])]));
  return end;
}

function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}
