/**
 * Text cut into runs of one face, for the editions that name fonts rather than draw glyphs (the
 * Word copy, the HTML page): the same choice the PDF typesetter makes (src/typeset/shape.ts) —
 * a word (a run of non-CJK characters between spaces and CJK text) in the first face of the chain
 * that has all of it, so "Citizens’" is one run in the Latin face, apostrophe included; every
 * other character in the first face that has it (a Hangul name in a Chinese letter: the Korean
 * fallback face). Spaces join the run before them.
 */
import { FORMAT_CHARACTER, IDEOGRAPHIC, UNSPACED_CJK, characterTest, isLatinQuoteHere } from '../unicode/scripts.js';
import type { Face, FaceStyle, FontChain } from './fontChain.js';
import { buildContext } from '../context.js';

export interface FaceRun {
  text: string;
  /** Null where no face of the chain has the character (the PDF build reports it). */
  face: Face | null;
}

const isSpace = characterTest(/\s/u);
const isCjk = characterTest(new RegExp(`${IDEOGRAPHIC.source}|\\p{Script=Hangul}|${UNSPACED_CJK.source}`, 'u'));
const isFormatCharacter = characterTest(FORMAT_CHARACTER);

type Kind = 'space' | 'cjk' | 'word';

function kindOf(ch: string, before: string | undefined, after: string | undefined): Kind {
  if (isSpace(ch)) return 'space';
  if (isLatinQuoteHere(ch, before, after)) return 'word';
  if (isCjk(ch)) return 'cjk';
  return 'word';
}

/** Runs already cut, per chain, by style and text: a rebuild cuts only the texts that changed. */
const kept = buildContext.weakMap<FontChain, Map<string, readonly FaceRun[]>>('face runs');

export function faceRuns(text: string, chain: FontChain, style: FaceStyle = { bold: false }): readonly FaceRun[] {
  let runs = kept.get(chain);
  if (!runs) kept.set(chain, (runs = new Map()));
  const key = `${style.bold ? 'b' : '-'}${style.italic ? 'i' : '-'}${text}`;
  let found = runs.get(key);
  if (!found) runs.set(key, (found = Object.freeze(cut(text, chain, style).map((run) => Object.freeze(run)))));
  return found;
}

function cut(text: string, chain: FontChain, style: FaceStyle): FaceRun[] {
  const chars = [...text];
  const kinds = chars.map((ch, i) => kindOf(ch, chars[i - 1], chars[i + 1]));
  const faces: Array<Face | null | undefined> = new Array(chars.length);
  for (let from = 0; from < chars.length; ) {
    const kind = kinds[from];
    if (kind !== 'word') {
      const ch = chars[from] ?? '';
      faces[from] = kind === 'space' || isFormatCharacter(ch) ? undefined : chain.faceFor(ch.codePointAt(0) ?? 0, style);
      from++;
      continue;
    }
    let to = from;
    while (to < chars.length && kinds[to] === 'word') to++;
    let word = '';
    for (let i = from; i < to; i++) if (!isFormatCharacter(chars[i] ?? '')) word += chars[i] ?? '';
    const whole = chain.faceForWord(word, style);
    for (let i = from; i < to; i++) {
      const ch = chars[i] ?? '';
      faces[i] = isFormatCharacter(ch) ? undefined : (whole ?? chain.faceFor(ch.codePointAt(0) ?? 0, style));
    }
    from = to;
  }
  const runs: FaceRun[] = [];
  let pending = '';
  chars.forEach((ch, i) => {
    const face = faces[i];
    const last = runs[runs.length - 1];
    if (face === undefined) {
      // A space or an invisible character: part of the run before it (or of the first run).
      if (last) last.text += ch;
      else pending += ch;
    } else if (last && last.face === face) last.text += ch;
    else {
      runs.push({ text: pending + ch, face });
      pending = '';
    }
  });
  if (pending) runs.push({ text: pending, face: null });
  return runs;
}
