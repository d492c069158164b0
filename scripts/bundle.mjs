#!/usr/bin/env node
/**
 * The shipped command line as one file: esbuild bundles src/cli/start.ts (the command line after
 * the launcher) with its dependencies into dist/cli/letterpress.cjs, which the launcher
 * (dist/cli/main.js) compiles through `vm.Script` with a V8 code cache (src/cli/codeCache.ts).
 * Then the help pages: every `--help` the launcher answers itself (dist/cli/launch.json), each
 * taken from commander by running the compiled command line, so the help has one source.
 *
 * Run by `npm run compile` after tsc (the help is read from dist/cli/program.js). CommonJS,
 * because a `vm.Script` (the one V8 code cache Node 20 offers) runs scripts, not modules.
 *
 * What cannot simply be inlined:
 * - `import.meta.url`: each module's is the URL of its compiled file in dist/ (derived from the
 *   bundle's own URL), so `../../templates/`, the preview page's files, `createRequire` for the
 *   hyphenation patterns and the font packages resolve exactly as unbundled.
 * - fontkit and pdfmake/pdfkit are CommonJS, loaded through `createRequire` in fontkit.ts and
 *   pdfkitAdapter.ts: those two files get the bundler's own `require` instead, so both are
 *   bundled, as one fontkit instance.
 * - pdfkit reads its AFM metrics and sRGB profile from `__dirname + '/data/…'`: pointed at the
 *   installed pdfkit's own js/ folder (the data is not copied).
 * - Packages that load files beside themselves, native addons or WebAssembly (harfbuzzjs,
 *   @resvg/resvg-js, pdfjs-dist, open) stay external: required from node_modules as before.
 * - `LETTERPRESS_BUNDLE` is defined (true) in the bundle only: the edition worker
 *   (src/build/worker/host.ts) then starts from the bundle too, through its launcher
 *   dist/cli/worker.js and the same code cache, where the modules of dist/ start it from dist/.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outFile = path.join(root, 'dist', 'cli', 'letterpress.cjs');

/** Loaded from node_modules at run time, as the unbundled program does. */
export const EXTERNAL = ['harfbuzzjs', '@resvg/resvg-js', 'pdfjs-dist', 'pdfjs-dist/*', 'open', 'fsevents'];

const ownRequire = /^const require = createRequire\(import\.meta\.url\);$/m;
const src = path.join(root, 'src');
const plugin = {
  name: 'letterpress-paths',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      if (!args.path.startsWith(src + path.sep)) return undefined;
      let text = readFileSync(args.path, 'utf8');
      // fontkit and pdfmake (with pdfkit) bundled: the bundler's `require`, not a created one.
      if (/src[\\/](fonts[\\/]fontkit|render[\\/]pdf[\\/]pdfkitAdapter)\.ts$/.test(args.path)) {
        if (!ownRequire.test(text)) throw new Error(`${args.path}: expected "const require = createRequire(import.meta.url);"`);
        text = text.replace(ownRequire, '').replace(/^import \{ createRequire \} from 'node:module';$/m, '');
      }
      // Each module's `import.meta.url` is the URL its compiled file has in dist/ (the bundle is
      // dist/cli/letterpress.cjs), so its paths into the package resolve as they do unbundled.
      const compiled = `../${path.relative(src, args.path).split(path.sep).join('/').replace(/\.ts$/, '.js')}`;
      text = text.replaceAll('import.meta.url', `new URL(${JSON.stringify(compiled)}, importMetaUrl).href`);
      return { contents: text, loader: 'ts' };
    });
    // unicode-trie inflates its table (twice) when a trie is made, and fontkit, unicode-properties
    // and linebreak (twice: pdfkit's copy and ours) make theirs when they load, ~25 ms at every
    // start: inflated instead when a trie is first read (a build whose lines all come from the
    // disk cache reads none), by Node's zlib. The same tables, the same values.
    b.onLoad({ filter: /[\\/]node_modules[\\/]unicode-trie[\\/]index\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const eager = `      // double inflate the actual trie data
      data = inflate(data, new Uint8Array(uncompressedLength));
      data = inflate(data, new Uint8Array(uncompressedLength));

      // swap bytes from little-endian
      swap32LE(data);

      this.data = new Uint32Array(data.buffer);
`;
      if (!text.includes(eager)) throw new Error('unicode-trie no longer inflates its data in its constructor as expected: check the bundle');
      // Inflated by Node's zlib, not tiny-inflate in JavaScript (the same bytes: DEFLATE decodes one
      // way; cut to uncompressedLength as tiny-inflate's output buffer cuts it): ~9 ms less in a
      // rebuild that sets a new name (the line breaker's trie).
      const lazy = `      const rawInflate = (deflated) => {
        const bytes = require('node:zlib').inflateRawSync(deflated);
        return new Uint8Array(bytes.subarray(0, Math.min(bytes.length, uncompressedLength)));
      };
      const compressed = data;
      Object.defineProperty(this, 'data', {
        configurable: true,
        get() {
          let inflated = rawInflate(rawInflate(compressed));
          swap32LE(inflated);
          const table = new Uint32Array(inflated.buffer);
          Object.defineProperty(this, 'data', { value: table, writable: true, configurable: true, enumerable: true });
          return table;
        },
      });
`;
      return { contents: text.replace(eager, lazy), loader: 'js' };
    });
    // fontkit's glyphs find out whether they are marks (from unicode-properties, whose table is
    // then inflated: ~20 ms) when they are made, though only its shaping asks: found out when asked.
    b.onLoad({ filter: /[\\/]node_modules[\\/]fontkit[\\/]dist[\\/]main\.cjs$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const eager = '        this.isMark = this.codePoints.length > 0 && this.codePoints.every((0, $elh9A$unicodeproperties.isMark));\n        this.isLigature';
      if (text.split(eager).length !== 2) throw new Error("fontkit's Glyph no longer sets isMark in its constructor as expected: check the bundle");
      const lazy = `        Object.defineProperty(this, 'isMark', {
          configurable: true,
          enumerable: true,
          get() {
            const value = this.codePoints.length > 0 && this.codePoints.every((0, $elh9A$unicodeproperties.isMark));
            Object.defineProperty(this, 'isMark', { value, writable: true, configurable: true, enumerable: true });
            return value;
          },
          set(value) {
            Object.defineProperty(this, 'isMark', { value, writable: true, configurable: true, enumerable: true });
          },
        });
        this.isLigature`;
      return { contents: text.replace(eager, lazy), loader: 'js' };
    });
    // @xmldom/xmldom builds and freezes its table of 2,000 HTML entities when it loads (~8-14 ms at
    // every start), though only an HTML document's parse reads it (the Word copy's parts are XML):
    // built when first read. The same frozen table.
    b.onLoad({ filter: /[\\/]node_modules[\\/]@xmldom[\\/]xmldom[\\/]lib[\\/]entities\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const start = 'exports.HTML_ENTITIES = freeze({';
      const end = '});\n';
      const alias = 'exports.entityMap = exports.HTML_ENTITIES;';
      const from = text.indexOf(start);
      const to = text.indexOf(end, from);
      if (text.split(start).length !== 2 || to < 0 || text.split(alias).length !== 2 || text.indexOf(alias) < to) {
        throw new Error('@xmldom/xmldom no longer builds HTML_ENTITIES in entities.js as expected: check the bundle');
      }
      const table = text.slice(from + 'exports.HTML_ENTITIES = '.length, to + 2);
      const lazy = `var htmlEntities;
Object.defineProperty(exports, 'HTML_ENTITIES', { enumerable: true, get() { return (htmlEntities ??= ${table}); } });`;
      const deferred = text.slice(0, from) + lazy + text.slice(to + 2);
      return { contents: deferred.replace(alias, "Object.defineProperty(exports, 'entityMap', { enumerable: true, get() { return exports.HTML_ENTITIES; } });"), loader: 'js' };
    });
    // pdfkit's data files, read from the installed pdfkit (its js/ folder), not beside the bundle.
    b.onLoad({ filter: /[\\/]node_modules[\\/]pdfkit[\\/]js[\\/]pdfkit\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const uses = text.match(/__dirname/g)?.length ?? 0;
      if (uses === 0) throw new Error('pdfkit no longer reads its data through __dirname: check the bundle');
      const dir = "require('node:path').dirname(require('node:module').createRequire(__filename).resolve('pdfkit'))";
      // Its AES and SHA-2 serve only encrypted PDFs (letterpress makes none), and @noble/ciphers
      // computes its AES tables when it loads (~6 ms at every start): loaded when first called.
      const eager = ["var sha2 = require('@noble/hashes/sha2');\n", "var aes = require('@noble/ciphers/aes');\n"];
      if (!eager.every((line) => text.split(line).length === 2)) throw new Error('pdfkit no longer requires @noble/hashes/sha2 and @noble/ciphers/aes as expected: check the bundle');
      const lazy = (name, module, members) =>
        `var ${name} = { ${members.map((m) => `get ${m}() { return require('${module}').${m}; }`).join(', ')} };\n`;
      const calls = (name) => new Set([...text.matchAll(new RegExp(`\\b${name}\\.(\\w+)`, 'g'))].map((m) => m[1]));
      if ([...calls('sha2')].join() !== 'sha256' || [...calls('aes')].sort().join() !== 'cbc,ecb') throw new Error('pdfkit calls other members of sha2 or aes than expected: check the bundle');
      const deferred = text.replace(eager[0], lazy('sha2', '@noble/hashes/sha2', ['sha256'])).replace(eager[1], lazy('aes', '@noble/ciphers/aes', ['cbc', 'ecb']));
      return { contents: `const __pdfkitDir = ${dir};\n${deferred.replace(/__dirname/g, '__pdfkitDir')}`, loader: 'js' };
    });
  },
};

// The code's version for the disk caches of what it computes (src/util/codeVersion.ts): the
// sources the bundle is made from, the lock file that fixes its bundled packages, and this script.
const { hashSources } = await import(pathToFileURL(path.join(root, 'dist', 'util', 'codeVersion.js')).href);
const codeVersion = hashSources(src, /\.ts$/, [path.join(root, 'package-lock.json'), fileURLToPath(import.meta.url)]);

const result = await build({
  entryPoints: [path.join(root, 'src', 'cli', 'start.ts')],
  outfile: `${outFile}.tmp`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: EXTERNAL,
  define: { 'import.meta.url': 'importMetaUrl', LETTERPRESS_CODE_VERSION: JSON.stringify(codeVersion), LETTERPRESS_BUNDLE: 'true' },
  banner: { js: "var importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [plugin],
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: true,
});
/**
 * The bundle in ASCII, so that V8 keeps its source one byte a character (not two: 13 MB) and the
 * launcher reads it as Latin-1 without decoding UTF-8 (src/cli/codeCache.ts): seed letter 20 ms
 * less CPU, 12 MB less heap. esbuild escapes strings, templates and names itself and leaves UTF-8
 * only in comments and regular expression literals, where `\\uXXXX` means the same character
 * (an escaped one, `\\’`, loses its now needless backslash; a surrogate pair stands for a
 * character beyond the BMP with or without the u flag). TypeScript's parser checks that nothing
 * else holds UTF-8 before it is escaped.
 */
function inAscii(text) {
  const at = [...text.matchAll(/[^\x00-\x7f]/gu)].map((m) => m.index);
  if (at.length === 0) return text;
  const file = ts.createSourceFile('letterpress.cjs', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const spans = [];
  const visit = (node) => {
    if (ts.isToken(node) || ts.isIdentifier(node)) spans.push({ from: node.getStart(file), to: node.end, kind: node.kind });
    ts.forEachChild(node, visit);
  };
  visit(file);
  spans.sort((a, b) => a.from - b.from);
  let k = 0;
  for (const pos of at) {
    while (k < spans.length && spans[k].to <= pos) k++;
    const span = spans[k];
    if (span && span.from <= pos && span.kind !== ts.SyntaxKind.RegularExpressionLiteral) {
      throw new Error(`The bundle holds a non-ASCII character in a ${ts.SyntaxKind[span.kind]} at ${pos}: escape it in the source, or teach inAscii (scripts/bundle.mjs) to.`);
    }
  }
  return text.replace(/(\\*)([^\x00-\x7f])/gu, (_all, slashes, ch) => {
    const units = ch.length === 2 ? [ch.charCodeAt(0), ch.charCodeAt(1)] : [ch.charCodeAt(0)];
    return slashes.slice(slashes.length % 2) + units.map((u) => `\\u${u.toString(16).padStart(4, '0')}`).join('');
  });
}

// `import()` of an external package goes through the launcher's `__importExternal` (a plain ES
// module's import(), resolved from dist/cli/ as the bundle's own would be): a vm.Script made from a
// V8 code cache loses its dynamic-import callback on Node 20 ("A dynamic import callback was not
// specified"), so the bundle itself must not call import().
const externalImport = new RegExp(`\\bimport\\(("(?:${EXTERNAL.map((e) => e.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace('\\*', '[^"]*')).join('|')})")\\)`, 'g');
const rewritten = readFileSync(`${outFile}.tmp`, 'utf8').replace(externalImport, (_all, specifier) => `__importExternal(${specifier})`);
if (/\bimport\("/.test(rewritten)) throw new Error('The bundle calls import() of a module that is not external; add it to EXTERNAL or bundle it.');
writeFileSync(`${outFile}.tmp`, inAscii(rewritten));
renameSync(`${outFile}.tmp`, outFile);
const source = readFileSync(outFile);
const bundleHash = createHash('sha256').update(source).digest('hex');

// The help pages, from the compiled command line (commander's own output, exit code included).
// commander wraps help to a terminal's width (80 columns when it is not a terminal): each page is
// kept as printed at 80 columns, and as printed unwrapped with the width that takes (a terminal
// at least that wide prints exactly that), checked by printing it again at that width.
const { runCli, commandPaths } = await import(pathToFileURL(path.join(root, 'dist', 'cli', 'program.js')).href);
const atWidth = (columns) => {
  for (const stream of [process.stdout, process.stderr]) {
    Object.defineProperty(stream, 'isTTY', { value: columns !== undefined, configurable: true });
    Object.defineProperty(stream, 'columns', { value: columns, configurable: true });
  }
};
const capture = async (argv, columns) => {
  const out = { stdout: [], stderr: [] };
  atWidth(columns);
  try {
    const code = await runCli(argv, { cwd: root, stdout: { write: (s) => out.stdout.push(s) }, stderr: { write: (s) => out.stderr.push(s) } });
    return { stdout: out.stdout.join(''), stderr: out.stderr.join(''), code };
  } finally {
    atWidth(undefined);
  }
};
const widest = (page) => Math.max(...`${page.stdout}\n${page.stderr}`.split('\n').map((line) => line.length));
const same = (a, b) => a.stdout === b.stdout && a.stderr === b.stderr && a.code === b.code;
const help = {};
const paths = await commandPaths();
for (const cmd of paths) {
  const forms = [[...cmd, '--help'], [...cmd, '-h']];
  if (cmd.length === 0) forms.push(['help']);
  if (cmd.length === 1) forms.push(['help', cmd[0]]);
  for (const argv of forms) {
    const page = await capture(argv);
    const unwrapped = await capture(argv, 100_000);
    const width = widest(unwrapped);
    if (same(unwrapped, page) || !same(unwrapped, await capture(argv, width))) help[argv.join(' ')] = page;
    else help[argv.join(' ')] = { ...page, wide: { stdout: unwrapped.stdout, stderr: unwrapped.stderr, width } };
  }
}
const launch = { bundle: path.basename(outFile), bundleHash, help };
writeFileSync(path.join(root, 'dist', 'cli', 'launch.json.tmp'), `${JSON.stringify(launch)}\n`);
renameSync(path.join(root, 'dist', 'cli', 'launch.json.tmp'), path.join(root, 'dist', 'cli', 'launch.json'));
if (process.argv.includes('--verbose')) {
  const inputs = Object.entries(result.metafile.outputs)[0][1].inputs;
  const sizes = new Map();
  for (const [file, { bytesInOutput }] of Object.entries(inputs)) {
    const pkg = file.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? 'letterpress';
    sizes.set(pkg, (sizes.get(pkg) ?? 0) + bytesInOutput);
  }
  for (const [pkg, size] of [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(size / 1024).toFixed(0).padStart(6)} KB ${pkg}`);
  console.log(`${(source.length / 1024).toFixed(0)} KB ${outFile}, ${Object.keys(help).length} help pages`);
}
