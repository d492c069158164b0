/**
 * Wrapping for the plain-text edition: at most `width` columns per line, counting East Asian wide
 * characters as two (UAX #11), breaking only where breakOpportunities allows and never inside a
 * URL (a URL longer than the line stands alone on its line).
 */
import { breakOpportunities } from './breaks.js';
import { displayWidth } from '../unicode/scripts.js';

export function wrapText(text: string, width: number, indent = ''): string[] {
  if (width <= 0) return [text];
  const { allowed } = breakOpportunities(text, { atomicUrls: true });
  const lines: string[] = [];
  let lineStart = 0;
  let lastBreak = -1;
  let column = 0;
  let i = 0;
  const chars = [...text];
  let offset = 0;
  const offsets = chars.map((ch) => {
    const at = offset;
    offset += ch.length;
    return at;
  });
  for (i = 0; i < chars.length; i++) {
    const at = offsets[i] as number;
    if (allowed.has(at)) lastBreak = at;
    column += displayWidth(chars[i] as string);
    if (column > width && lastBreak > lineStart) {
      lines.push(text.slice(lineStart, lastBreak).trimEnd());
      lineStart = lastBreak;
      while (text[lineStart] === ' ') lineStart++;
      column = displayWidth(indent) + displayWidth(text.slice(lineStart, at + (chars[i] as string).length));
      lastBreak = -1;
    }
  }
  lines.push(text.slice(lineStart));
  return lines.map((line, n) => (n === 0 ? line : indent + line));
}
