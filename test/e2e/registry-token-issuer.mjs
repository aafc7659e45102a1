// The token server of the tests' token-auth registry, run as its own process by registry-helpers.ts:
// node registry-token-issuer.mjs PORT KEY.pem USERS_JSON. Basic credentials (or a refresh token it handed out) in,
// a JWT granting what the user may do out (signed RS256 with the key whose certificate the registry trusts);
// anonymous users get pull on `public/*` only; wrong credentials a 401 with Docker Hub's words.
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [port, keyFile, usersJson] = process.argv.slice(2);
const users = JSON.parse(usersJson);
const key = createPrivateKey(readFileSync(keyFile, 'utf8'));
const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
// libtrust's key id, which the registry matches against its trusted certificate: base32 of the first 30 bytes of
// the SHA-256 of the public key, in groups of four.
const kid = base32(createHash('sha256').update(der).digest().subarray(0, 30)).match(/.{4}/g).join(':');
const refreshTokens = new Map();

const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    const form = request.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
    const refuse = (details) => {
      response.writeHead(401, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ details }));
    };
    let user;
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '');
    if (basic) {
      const text = Buffer.from(basic[1], 'base64').toString();
      const name = text.slice(0, text.indexOf(':'));
      if (!name || users[name]?.password !== text.slice(text.indexOf(':') + 1)) return refuse('incorrect username or password');
      user = name;
    } else if (form.get('grant_type') === 'refresh_token') {
      user = refreshTokens.get(form.get('refresh_token') ?? '');
      if (!user) return refuse('invalid refresh token');
    }
    const access = form.getAll('scope').flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      if (type !== 'repository' || !name || !actions) return [];
      const allowed = user ? users[user].actions : name.startsWith('public/') ? ['pull'] : [];
      return [{ type, name, actions: actions.split(',').filter((action) => allowed.includes(action)) }];
    });
    const now = Math.floor(Date.now() / 1000);
    const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = { iss: 'berth-test-issuer', sub: user ?? '', aud: form.get('service') ?? '', exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
    const unsigned = `${encode({ typ: 'JWT', alg: 'RS256', kid })}.${encode(claims)}`;
    const token = `${unsigned}.${sign('sha256', Buffer.from(unsigned), key).toString('base64url')}`;
    const answer = { token, access_token: token, expires_in: 300 };
    if (user && (form.get('offline_token') === 'true' || form.get('grant_type') === 'refresh_token')) {
      const refresh = `refresh-${user}-${randomBytes(8).toString('hex')}`;
      refreshTokens.set(refresh, user);
      answer.refresh_token = refresh;
    }
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(answer));
  });
});
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

function base32(bytes) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}
