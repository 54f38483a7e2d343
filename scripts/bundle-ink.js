// The second half of `npm run build`: after tsc, ink is bundled into dist/src/ui/ink.js (replacing tsc's re-export of
// src/ui/ink.ts) with esbuild (a devDependency, pinned).
//
// Why a bundle: ink composes each frame cell by cell (see src/ui/ink-output.ts); its `Output` is a module of its own
// that only a copy of ink can replace. And ink loads all of `es-toolkit/compat` (415 modules, ~21 MB of memory) for
// one `throttle`, which a tree-shaken bundle drops. react stays outside: leaktop's components and ink's reconciler
// must share one React.
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist/src/ui/ink.js');
const inkBuild = dirname(createRequire(import.meta.url).resolve('ink'));

const inInk = args => /[\\/]ink[\\/]build$/.test(args.resolveDir);

/**
 * ink's renderer imports `./output.js`: leaktop's Output takes its place. ink's `./devtools.js` (React DevTools,
 * loaded only when DEV=true, through `react-devtools-core`, which leaktop does not install) would bring a second
 * copy of `ws`: it becomes an empty module.
 */
const leaktopInk = {
  name: 'leaktop-ink',
  setup(bundle) {
    bundle.onResolve({ filter: /^\.\/output\.js$/ }, args => (inInk(args) ? { path: join(root, 'src/ui/ink-output.ts') } : undefined));
    bundle.onResolve({ filter: /^\.\/devtools\.js$/ }, args => (inInk(args) ? { path: 'devtools', namespace: 'leaktop-empty' } : undefined));
    bundle.onLoad({ filter: /.*/, namespace: 'leaktop-empty' }, () => ({ contents: '', loader: 'js' }));
    // leaktop's Output measures and tokenizes with the very packages ink's would: resolved from ink's folder.
    bundle.onResolve({ filter: /^(string-width|slice-ansi|@alcalzone\/ansi-tokenize)$/ }, args =>
      args.importer.endsWith(join('src', 'ui', 'ink-output.ts'))
        ? bundle.resolve(args.path, { kind: args.kind, resolveDir: inkBuild })
        : undefined,
    );
  },
};

await build({
  entryPoints: [join(root, 'src/ui/ink.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // One React, shared with leaktop's components.
  external: ['react'],
  // react-reconciler is CommonJS and requires react: give the bundle a real `require`.
  banner: { js: "import { createRequire as __leaktopCreateRequire } from 'node:module'; const require = __leaktopCreateRequire(import.meta.url);" },
  plugins: [leaktopInk],
  legalComments: 'none',
  logLevel: 'warning',
  allowOverwrite: true,
});
// tsc's source map describes the re-export, not the bundle.
rmSync(`${outfile}.map`, { force: true });
