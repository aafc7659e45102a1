// Images: pull and import (create), load, list with filters, inspect, history, tag, remove.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthConfig, ImageCreateQuery, ImageListQuery, ImageLoadQuery, ImagePushQuery, ImageRemoveQuery, ImageTagQuery } from '../../engine-api/images.js';
import type { QueryOf } from '../../engine-api/query.js';
import { EngineError, invalid } from '../errors.js';
import type { ProgressMessage } from '../services/registry/progress.js';
import { parseAuthConfig, parseRegistryAuthHeader } from '../services/registry/auth.js';
import { parsePlatform } from '../services/registry/manifest.js';
import { familiarName, familiarReference, parseReference, repositoryName } from '../services/registry/reference.js';
import type { ImageReference } from '../services/registry/reference.js';
import { errorLine, progressLine } from './progress-json.js';
import { matchesImageFilters } from './filters.js';
import { imageInspect, imageSummary } from './format.js';
import { sendEmpty, sendJson } from './http.js';
import type { Router } from './router.js';
import type { EngineServices } from './routes.js';

export function addImageRoutes(router: Router, services: EngineServices): void {
  const { images } = services;
  router.add('POST', '/images/create', { query: ImageCreateQuery }, async ({ request, response, q }) => {
    if (q.fromSrc) return importImage(services, request, response, q, q.fromSrc);
    if (!q.fromImage) throw invalid('fromImage or fromSrc is required');
    await pullImage(services, request, response, pullReference(q.fromImage, q.tag), q.platform ?? null);
  });
  router.add('POST', '/images/load', { query: ImageLoadQuery }, async ({ request, response }) => {
    const messages = await images.load(request);
    // With or without `quiet`, the answer is the same lines: berth shows no progress bar for a load.
    response.writeHead(200, { 'Content-Type': 'application/json' });
    for (const message of messages) response.write(`${JSON.stringify({ stream: `${message}\n` })}\n`);
    response.end();
  });
  router.add('GET', '/images/json', { query: ImageListQuery }, ({ response, q }) => {
    const filters = q.filters ?? new Map<string, string[]>();
    const list = images.list(q.all ?? false).filter((image) => matchesImageFilters(image, filters, services));
    sendJson(response, 200, list.map((image) => imageSummary(image, images)));
  });
  router.add('GET', '/images/{name*}/json', ({ response, params }) => sendJson(response, 200, imageInspect(images.resolve(params.name!), images, services.layout)));
  router.add('GET', '/images/{name*}/history', ({ response, params }) => {
    const image = images.resolve(params.name!);
    const history = [...(image.config.history ?? [])].reverse();
    sendJson(
      response,
      200,
      history.map((entry, index) => ({
        Id: index === 0 ? image.id : '<missing>',
        Created: entry.created ? Math.floor(Date.parse(entry.created) / 1000) : 0,
        CreatedBy: entry.created_by ?? '',
        Tags: index === 0 ? images.tagsOf(image.id) : null,
        Size: 0,
        Comment: entry.comment ?? '',
      })),
    );
  });
  // As dockerd: the credentials come in X-Registry-Auth or, from older clients, as the body; with neither, a 400.
  const credentials = { description: AuthConfig, limit: 256 * 1024, header: 'X-Registry-Auth', emptyMessage: 'Bad parameters and missing X-Registry-Auth: EOF' };
  router.add('POST', '/images/{name*}/push', { query: ImagePushQuery, body: credentials }, async ({ response, params, q, body }) => {
    const reference = pushReference(params.name!, q.tag);
    const credentials = parseAuthConfig(body);
    const { pushes, pushError } = await services.registry();
    const controller = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) controller.abort();
    });
    const push = { reference, ...(credentials ? { credentials } : {}), signal: controller.signal };
    const repository = pushes.repository(push);
    response.writeHead(200, { 'Content-Type': 'application/json' });
    const send = (message: ProgressMessage): void => {
      if (!response.destroyed) response.write(progressLine(message));
    };
    send({ status: `The push refers to repository [${repositoryName(reference)}]`, plain: true });
    try {
      // As dockerd: an image the engine does not have is an error line after the first, not a status.
      const tags = pushes.tagsToPush(reference);
      // As dockerd: a registry that is down fails here, before any layer line; refused credentials after them.
      await repository.ping(controller.signal);
      for (const tag of tags) await pushes.push(push, repository, tag, send);
    } catch (error) {
      if (!response.destroyed) response.write(errorLine(pushError(error)));
    }
    response.end();
  });
  router.add('POST', '/images/{name*}/tag', { query: ImageTagQuery }, ({ response, params, q }) => {
    images.tag(params.name!, q.repo ?? '', q.tag);
    sendEmpty(response, 201);
  });
  router.add('DELETE', '/images/{name*}', { query: ImageRemoveQuery }, ({ response, params, q }) => sendJson(response, 200, images.remove(params.name!, q.force ?? false, q.noprune ?? false)));
}

/** The name in the path and `tag` (a name alone pushes every tag of the repository). */
function pushReference(name: string, tag: string | undefined): ImageReference {
  const reference = parseReference(name);
  if (reference.digest) throw invalid('cannot push a digest reference');
  const { domain, path } = reference;
  if (tag) return parseReference(`${repositoryName({ domain, path })}:${tag}`);
  return reference;
}

/** `fromImage` and `tag` as dockerd reads them: the tag may be a digest; neither means every tag. */
function pullReference(fromImage: string, tag: string | undefined): ImageReference {
  const reference = parseReference(fromImage);
  if (!tag) return reference;
  const { domain, path } = reference;
  if (/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/.test(tag)) return parseReference(`${repositoryName({ domain, path })}@${tag}`);
  return parseReference(`${repositoryName({ domain, path })}:${tag}`);
}

/**
 * A pull. Everything that can fail before a layer moves (an unknown image, refused credentials, a registry that is
 * down) is answered with its status, as dockerd does; after the first progress line, failures are an `errorDetail`
 * line. A client that goes away aborts the pull: nothing partial is stored.
 */
async function pullImage(services: EngineServices, request: IncomingMessage, response: ServerResponse, reference: ImageReference, platformText: string | null): Promise<void> {
  const platform = parsePlatform(platformText);
  const credentials = parseRegistryAuthHeader(request.headers['x-registry-auth']);
  const controller = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  const { pulls: service } = await services.registry();
  const pulls = await service.resolve({ reference, ...(platform ? { platform } : {}), ...(credentials ? { credentials } : {}), signal: controller.signal });
  response.writeHead(200, { 'Content-Type': 'application/json' });
  const send = (line: string): void => {
    if (!response.destroyed) response.write(line);
  };
  try {
    let changed = false;
    for (const pull of pulls) {
      const result = await service.pull(pull, (message) => send(progressLine(message)), controller.signal);
      changed ||= !result.upToDate;
    }
    const shown = reference.tag === undefined && reference.digest === undefined ? familiarName(repositoryName(reference)) : familiarReference(reference);
    send(progressLine({ status: changed ? `Status: Downloaded newer image for ${shown}` : `Status: Image is up to date for ${shown}` }));
  } catch (error) {
    send(errorLine(error));
  }
  response.end();
}

/** `docker import`: the body is a root filesystem tarball (`fromSrc=-`); fetching one from a URL is not done. */
async function importImage(services: EngineServices, request: IncomingMessage, response: ServerResponse, q: QueryOf<typeof ImageCreateQuery>, fromSrc: string): Promise<void> {
  if (fromSrc !== '-') throw new EngineError('unsupported', "importing from a URL (fromSrc) is not supported by berth's engine yet: send the tarball in the request body (fromSrc=-)");
  if (q.changes) throw new EngineError('unsupported', "import --change is not supported by berth's engine yet");
  // The docker CLI sends the whole reference as repo (`name:tag`); other clients send repo and tag apart.
  const repo = q.repo;
  const hasTag = repo !== undefined && repo.lastIndexOf(':') > repo.lastIndexOf('/');
  const tag = repo ? (hasTag ? repo : `${repo}:${q.tag || 'latest'}`) : undefined;
  const id = await services.images.importTarball(request, tag, q.message ?? '');
  response.writeHead(200, { 'Content-Type': 'application/json' });
  response.end(`${JSON.stringify({ status: id })}\n`);
}
