// Images: load, list with filters, inspect, history, tag, remove.
import { unsupported } from '../errors.js';
import { matchesImageFilters } from './filters.js';
import { imageInspect, imageSummary } from './format.js';
import { queryBoolean, queryFilters, sendEmpty, sendJson } from './http.js';
import type { Router } from './router.js';
import type { EngineServices } from './routes.js';

export function addImageRoutes(router: Router, services: EngineServices): void {
  const { images } = services;
  router.add('POST', '/images/load', async ({ request, response }) => {
    const messages = await images.load(request);
    // With or without `quiet`, the answer is the same lines: berth shows no progress bar for a load.
    response.writeHead(200, { 'Content-Type': 'application/json' });
    for (const message of messages) response.write(`${JSON.stringify({ stream: `${message}\n` })}\n`);
    response.end();
  });
  router.add('GET', '/images/json', ({ response, query }) => {
    const filters = queryFilters(query);
    const list = images.list(queryBoolean(query, 'all')).filter((image) => matchesImageFilters(image, filters, services));
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
  router.add('POST', '/images/{name*}/push', () => {
    throw unsupported('pushing images to a registry');
  });
  router.add('POST', '/images/{name*}/tag', ({ response, params, query }) => {
    images.tag(params.name!, query.get('repo') ?? '', query.get('tag') ?? undefined);
    sendEmpty(response, 201);
  });
  router.add('DELETE', '/images/{name*}', ({ response, params, query }) => sendJson(response, 200, images.remove(params.name!, queryBoolean(query, 'force'), queryBoolean(query, 'noprune'))));
}
