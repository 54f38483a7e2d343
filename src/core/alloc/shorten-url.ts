/**
 * Script URLs as a person reads them: `node:internal/...` as is, the app's own files relative to its working
 * directory, a file in node_modules from `node_modules/` on. Pure: the caller passes the target's cwd.
 */

/** Options of `shortenUrl`. */
export interface ShortenOptions {
  /** The target's working directory (absolute, no trailing slash); files below it are shown relative to it. */
  cwd?: string | null;
}

/**
 * The file path of a script URL: CommonJS modules are reported by path (`/srv/app/index.js`), ES modules by
 * `file://` URL. Anything else (`node:fs`, `evalmachine.<anonymous>`, `https://…`) is returned unchanged.
 */
export function urlToPath(url: string): string {
  if (!url.startsWith('file://')) return url;
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return url;
  }
}

/** The short form of a script URL; an empty URL stays empty. */
export function shortenUrl(url: string, options: ShortenOptions = {}): string {
  if (url === '' || url.startsWith('node:')) return url;
  const path = urlToPath(url);
  if (!path.startsWith('/')) return path;
  const cwd = options.cwd?.replace(/\/+$/, '');
  if (cwd && path.startsWith(`${cwd}/`)) return path.slice(cwd.length + 1);
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + 1);
  return path;
}

/** The package a script belongs to, when it lies in a node_modules directory. */
export interface PackageOf {
  /** `express`, `@scope/name`. */
  name: string;
  /** The URL up to and including the package's directory (same scheme as the input), e.g. `/srv/app/node_modules/express`. */
  url: string;
}

/** The innermost node_modules package of a script URL, or null for the app's own files and Node's. */
export function packageOf(url: string): PackageOf | null {
  const marker = '/node_modules/';
  const at = url.lastIndexOf(marker);
  if (at < 0) return null;
  const rest = url.slice(at + marker.length).split('/');
  const first = rest[0];
  if (!first || rest.length < 2) return null;
  const scoped = first.startsWith('@') || first.startsWith('%40');
  if (scoped && (rest.length < 3 || !rest[1])) return null;
  const rawName = scoped ? `${first}/${rest[1]}` : first;
  let name = rawName;
  try {
    name = decodeURIComponent(rawName);
  } catch {
    // a malformed escape: keep it as written
  }
  return { name, url: url.slice(0, at + marker.length + rawName.length) };
}
