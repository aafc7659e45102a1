// The routes that talk to registries without moving an image: `POST /auth` (docker login checks the credentials
// against the registry) and `GET /distribution/{name}/json` (what a reference names in its registry).
import { invalid } from '../errors.js';
import { parseAuthConfig, parseRegistryAuthHeader, registryKey } from '../services/registry/auth.js';
import { parseReference } from '../services/registry/reference.js';
import { sendJson } from './http.js';
import { AuthConfig } from '../../engine-api/images.js';
import type { Router } from './router.js';
import type { EngineServices } from './routes.js';

export function addRegistryRoutes(router: Router, services: EngineServices): void {
  router.add('POST', '/auth', { body: { description: AuthConfig, limit: 256 * 1024, emptyMessage: 'username and password (or an identity token) are required' } }, async ({ response, body }) => {
    const credentials = parseAuthConfig(body);
    if (!credentials || (!credentials.username && !credentials.identityToken)) throw invalid('username and password (or an identity token) are required');
    const server = credentials.serverAddress ?? 'https://index.docker.io/v1/';
    const { identityToken } = await (await services.registry()).client.login(registryKey(server), credentials);
    sendJson(response, 200, { Status: 'Login Succeeded', IdentityToken: identityToken ?? '' });
  });
  router.add('GET', '/distribution/{name*}/json', async ({ request, response, params }) => {
    const credentials = parseRegistryAuthHeader(request.headers['x-registry-auth']);
    const { descriptor, platforms } = await (await services.registry()).pulls.describe(parseReference(params.name!), credentials);
    sendJson(response, 200, { Descriptor: descriptor, Platforms: platforms });
  });
}
