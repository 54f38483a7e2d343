/**
 * ink, as leaktop's views import it. Type-checked against ink's own declarations; at build time
 * (`scripts/bundle-ink.js`) the compiled file is replaced by ink bundled with leaktop's Output (`ink-output.ts`) in
 * place of ink's, and only the parts of its dependencies it uses. Every import of ink goes through here, so the
 * components, hooks and `render` share one copy of ink (its contexts are per copy).
 */
export * from 'ink';
