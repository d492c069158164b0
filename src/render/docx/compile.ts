/**
 * The Word package's files as docx makes them, without zipping them: the package is zipped once,
 * after it is finished (src/render/docx/finish.ts), instead of zipped by docx, unzipped and zipped
 * again.
 *
 * Below docx's public API: `Packer.toBuffer` is `zipFiles(Packer.compiler.compile(file))`, and
 * the compiler (a private static member of Packer in docx 9) returns the package's files by path.
 * When a docx version lacks it, the files come from `Packer.toBuffer` unzipped, as before
 * (test/docx.test.ts checks that the installed docx takes the direct way and gives the same files).
 */
import { Packer, type Document } from 'docx';
import { strToU8, unzipSync } from 'fflate';

type PackageFile = string | Uint8Array | ArrayBuffer | ArrayBufferView;
interface DocxCompiler {
  compile(file: Document, prettify?: undefined, overrides?: []): Map<string, PackageFile>;
}

/** docx's package compiler, when this docx version has the one Packer uses. */
export function docxCompiler(): DocxCompiler | undefined {
  const compiler = (Packer as unknown as { compiler?: Partial<DocxCompiler> }).compiler;
  return typeof compiler?.compile === 'function' ? (compiler as DocxCompiler) : undefined;
}

function bytesOf(data: PackageFile): Uint8Array {
  if (typeof data === 'string') return strToU8(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** Every file of the package by path (folders left out), as `Packer.toBuffer` would zip them. */
export async function packageFiles(doc: Document): Promise<Record<string, Uint8Array>> {
  const compiler = docxCompiler();
  if (!compiler) return unzipSync(new Uint8Array(await Packer.toBuffer(doc)), { filter: (file) => !file.name.endsWith('/') });
  const files: Record<string, Uint8Array> = {};
  // A path given twice keeps its last data, as docx's zipFiles does.
  for (const [name, data] of compiler.compile(doc)) files[name] = bytesOf(data);
  return files;
}
