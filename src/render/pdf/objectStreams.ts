/**
 * Pack pdfkit's output into object streams with a cross-reference stream (ISO 32000-1 §7.5.7,
 * §7.5.8; allowed by PDF/A-2). The tagged letter has a few hundred small dictionaries (structure
 * elements, annotations, the parent tree) that pdfkit writes uncompressed, each with its own
 * xref line: packed and compressed they take a fifth of the room.
 *
 * Hand-written because pdfkit cannot write object streams, and the library that can (pdf-lib)
 * parses and re-serialises every object (0.6 s for this letter). Here pdfkit's own xref table
 * gives each object's bytes, which are moved as they are: stream objects stay top-level (the
 * XMP packet stays uncompressed), and so does the Info dictionary (tools that read no object
 * streams still find the title and the preflight facts' key); every other object goes into an
 * object stream.
 */
import { deflateSync } from 'node:zlib';
import { at } from '../../util/checked.js';

const OBJECTS_PER_STREAM = 200;

export function packObjectStreams(pdf: Uint8Array): Uint8Array {
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const text = bytes.toString('latin1');
  const xrefAt = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)?.[1]);
  const table = /^xref\n0 (\d+)\n/.exec(text.slice(xrefAt));
  const trailer = /trailer\s*<<([^]*?)>>\s*startxref/.exec(text.slice(xrefAt))?.[1];
  if (!table || !trailer) throw new Error('packObjectStreams: no classic xref table (not a pdfkit file?)');
  const count = Number(table[1]);
  const info = Number(/\/Info (\d+) 0 R/.exec(trailer)?.[1] ?? 0);
  const offsets: number[] = [];
  for (let n = 1; n < count; n++) offsets[n] = Number(text.slice(xrefAt + table[0].length + n * 20, xrefAt + table[0].length + n * 20 + 10));
  const order = offsets.map((offset, n) => ({ n, offset })).filter((o) => o !== undefined).sort((a, b) => a.offset - b.offset);
  const ends = new Map<number, number>();
  order.forEach((o, i) => ends.set(o.n, order[i + 1]?.offset ?? xrefAt));

  const header = /^%PDF-[^\n]*\n%[^\n]*\n/.exec(text)?.[0] ?? '%PDF-1.7\n';
  const out: Buffer[] = [Buffer.from(header, 'latin1')];
  let position = out[0]?.length ?? 0;
  // xref entries: [type, field2, field3] per object number
  const entries: Array<[number, number, number]> = [[0, 0, 0xffff]];
  const packed: Array<{ n: number; body: string }> = [];
  for (let n = 1; n < count; n++) {
    const start = at(offsets, n);
    const object = text.slice(start, ends.get(n));
    const head = `${n} 0 obj\n`;
    if (!object.startsWith(head)) throw new Error(`packObjectStreams: object ${n} not where the xref says`);
    // The object's end, as `/\s*endobj\s*$/` finds it, without a regular expression scanning
    // the whole object (a page's content stream) for it.
    const beforeEndobj = withoutEnd(object.trimEnd(), 'endobj')?.trimEnd();
    if (n === info || beforeEndobj?.endsWith('endstream')) {
      entries[n] = [1, position, 0];
      const chunk = bytes.subarray(start, ends.get(n));
      out.push(chunk);
      position += chunk.length;
    } else {
      packed.push({ n, body: beforeEndobj === undefined ? object.slice(head.length) : beforeEndobj.slice(head.length) });
    }
  }
  const write = (chunk: string | Buffer) => {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    out.push(buffer);
    position += buffer.length;
  };
  let next = count;
  for (let from = 0; from < packed.length; from += OBJECTS_PER_STREAM) {
    const group = packed.slice(from, from + OBJECTS_PER_STREAM);
    const number = next++;
    let offset = 0;
    const index: string[] = [];
    group.forEach(({ n, body }, i) => {
      index.push(`${n} ${offset}`);
      offset += body.length + 1; // latin1: a byte per character
      entries[n] = [2, number, i];
    });
    const head = `${index.join(' ')}\n`;
    const data = deflateSync(Buffer.from(head + group.map((g) => `${g.body}\n`).join(''), 'latin1'), { level: 9 });
    entries[number] = [1, position, 0];
    write(`${number} 0 obj\n<<\n/Type /ObjStm\n/N ${group.length}\n/First ${head.length}\n/Length ${data.length}\n/Filter /FlateDecode\n>>\nstream\n`);
    write(data);
    write('\nendstream\nendobj\n');
  }
  const xrefNumber = next;
  entries[xrefNumber] = [1, position, 0];
  const rows = Buffer.alloc(entries.length * 7);
  entries.forEach(([type, a, b], n) => {
    rows.writeUInt8(type, n * 7);
    rows.writeUInt32BE(a, n * 7 + 1);
    rows.writeUInt16BE(b, n * 7 + 5);
  });
  const data = deflateSync(rows, { level: 9 });
  const keep = ['Root', 'Info', 'ID'].map((key) => new RegExp(`/${key} (\\d+ 0 R|\\[[^\\]]*\\])`).exec(trailer)?.[0]).filter(Boolean);
  const xrefStart = position;
  write(`${xrefNumber} 0 obj\n<<\n/Type /XRef\n/Size ${entries.length}\n/W [1 4 2]\n${keep.join('\n')}\n/Length ${data.length}\n/Filter /FlateDecode\n>>\nstream\n`);
  write(data);
  write(`\nendstream\nendobj\nstartxref\n${xrefStart}\n%%EOF\n`);
  return new Uint8Array(Buffer.concat(out));
}

/** `text` without `end` at its end, or undefined when it does not end so. */
function withoutEnd(text: string, end: string): string | undefined {
  return text.endsWith(end) ? text.slice(0, text.length - end.length) : undefined;
}
