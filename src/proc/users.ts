import { readFileSync } from 'node:fs';

/** Parses passwd(5) lines `name:password:uid:gid:gecos:home:shell` into uid → name. Later duplicates lose. */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const [name, , uidText] = line.split(':');
    const uid = Number(uidText);
    if (name && uidText !== undefined && uidText !== '' && Number.isInteger(uid) && !users.has(uid)) users.set(uid, name);
  }
  return users;
}

/**
 * Maps uids to user names from /etc/passwd, read once. Users known only to NSS (LDAP, sssd) show as their uid,
 * which is what `ps` shows too when it cannot resolve them.
 */
export class UserNames {
  #names: Map<number, string> | null = null;
  constructor(private readonly passwdPath = '/etc/passwd') {}

  nameOf(uid: number): string {
    if (this.#names === null) {
      try {
        this.#names = parsePasswd(readFileSync(this.passwdPath, 'utf8'));
      } catch {
        this.#names = new Map();
      }
    }
    return this.#names.get(uid) ?? String(uid);
  }
}
