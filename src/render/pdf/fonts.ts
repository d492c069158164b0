/**
 * Hands the faces the layout used to pdfmake, through its virtual file system, with access
 * policies that forbid every URL and every local path: pdfmake never fetches from the network
 * and reads no file the build did not choose.
 */
import { createRequire } from 'node:module';
import type { Face } from '../../fonts/fontChain.js';

const require = createRequire(import.meta.url);

export interface PdfMake {
  virtualfs: { writeFileSync(name: string, data: Buffer): void; existsSync(name: string): boolean };
  addFonts(fonts: Record<string, { normal: string; bold?: string }>): void;
  setUrlAccessPolicy(callback: (url: string) => boolean): void;
  setLocalAccessPolicy(callback: (path: string) => boolean): void;
  createPdf(doc: object, options?: object): { getBuffer(): Promise<Buffer> };
}

let instance: PdfMake | null = null;
const registered = new Set<string>();

export function pdfmakeWith(faces: Iterable<Face>): PdfMake {
  if (!instance) {
    instance = require('pdfmake') as PdfMake;
    instance.setUrlAccessPolicy(() => false);
    instance.setLocalAccessPolicy(() => false);
  }
  const fresh: Record<string, { normal: string }> = {};
  for (const face of faces) {
    if (registered.has(face.id)) continue;
    const name = `${face.id}.font`;
    instance.virtualfs.writeFileSync(name, face.data);
    fresh[face.id] = { normal: name };
    registered.add(face.id);
  }
  if (Object.keys(fresh).length > 0) instance.addFonts(fresh);
  return instance;
}
