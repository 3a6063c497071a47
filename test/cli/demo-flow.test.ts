/**
 * The login `npm start` prints can be followed by a newcomer: the test starts holdfast with
 * `--demo`, reads the printed authorization URL and token request, logs alice in through the
 * form, redeems the code with the printed verifier, and opens the printed consoles and the
 * password grant. The printed `localhost` is swapped for 127.0.0.1 (the process listens there).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHoldfast, tempDir } from '../support/process.ts';
import { CookieJar, get, loginThroughForm } from '../support/browser.ts';

function printedLine(output: string, marker: RegExp): string {
  const line = output.split('\n').find((candidate) => marker.test(candidate));
  assert.ok(line, `the banner has no line matching ${marker}:\n${output}`);
  return line;
}

/** The `-d name=value` fields and the URL of a printed `curl` command. */
function curlRequest(line: string): { url: string; fields: Record<string, string> } {
  const words = line.slice(line.indexOf('curl ') + 5).trim().split(/\s+/);
  const fields: Record<string, string> = {};
  for (let i = 0; i < words.length - 1; i++) {
    if (words[i] !== '-d') continue;
    const [name, ...value] = words[++i].split('=');
    fields[name] = value.join('=');
  }
  return { url: words[words.length - 1], fields };
}

async function postFields(url: string, fields: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(fields) });
  return { status: response.status, body: await response.json() };
}

describe('the demo flow the start banner prints', () => {
  it('completes: login, code, exchange, and the consoles and password grant answer', async () => {
    const server = await startHoldfast({ dataDir: tempDir() });
    try {
      const output = server.output().replaceAll(`http://localhost:${server.port}`, server.url);
      const authorizationUrl = printedLine(output, /1\. open /).split(/\s+/).find((word) => word.startsWith(server.url))!;
      assert.doesNotMatch(authorizationUrl, /E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuJJRbV0Ys0/, 'a fixed challenge has no verifier anyone knows');
      const location = await loginThroughForm(authorizationUrl, 'alice', 'alice', new CookieJar());
      assert.equal(`${location.origin}${location.pathname}`, 'http://localhost:3000/');
      const code = location.searchParams.get('code');
      assert.ok(code, `no code in ${location}`);

      const exchange = curlRequest(printedLine(output, /2\. within a minute: curl /));
      assert.equal(exchange.fields.code, 'CODE');
      const tokens = await postFields(exchange.url, { ...exchange.fields, code });
      assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
      assert.ok(tokens.body.access_token && tokens.body.id_token && tokens.body.refresh_token);

      const password = curlRequest(printedLine(output, /password grant +curl /));
      assert.equal((await postFields(password.url, password.fields)).status, 200);

      for (const marker of [/account console /, /admin console /, /discovery /]) {
        const url = printedLine(output, marker).split(/\s+/).find((word) => word.startsWith(server.url))!;
        let response = await get(url, new CookieJar());
        for (let hops = 0; response.status >= 300 && response.status < 400 && hops < 3; hops++) response = await get(new URL(response.headers.get('location')!, url).href, new CookieJar());
        assert.equal(response.status, 200, `${url} answers ${response.status}`);
      }
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
