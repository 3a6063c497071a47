/**
 * Java `.properties` files, the format of Keycloak's message bundles, so an operator can take a
 * bundle written for a Keycloak theme as it is: `key=value` (or `key: value`, `key value`), `#` and
 * `!` comments, a trailing backslash continuing the line, and the escapes `\uXXXX`, `\n`, `\t`,
 * `\r`, `\f` and `\<char>`. Files are read as UTF-8 (Java 9+ does the same).
 */

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f' };

function unescape(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, code: string) =>
    code.length === 5 ? String.fromCharCode(parseInt(code.slice(1), 16)) : (ESCAPES[code] ?? code),
  );
}

/** Logical lines: physical lines joined where one ends in an odd number of backslashes. */
function logicalLines(source: string): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of source.split(/\r\n|\r|\n/)) {
    // Leading blanks go, on the first line and on each continuation line alike.
    const line = raw.replace(/^[ \t\f]+/, '');
    if (pending === '' && (line.startsWith('#') || line.startsWith('!'))) continue;
    const trailing = /\\*$/.exec(line)![0].length;
    if (trailing % 2 === 1) {
      pending += line.slice(0, -1);
      continue;
    }
    lines.push(pending + line);
    pending = '';
  }
  if (pending !== '') lines.push(pending);
  return lines;
}

export function parseProperties(source: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const line of logicalLines(source.replace(/^\uFEFF/, ''))) {
    if (line === '') continue;
    // The key ends at the first unescaped '=', ':' or whitespace.
    const match = /^((?:\\.|[^=:\s\\])*)[ \t\f]*[=:]?[ \t\f]*(.*)$/s.exec(line);
    if (!match) continue;
    out[unescape(match[1])] = unescape(match[2]);
  }
  return out;
}
