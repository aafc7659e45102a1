// A container's filesystem taken out of it: as a tar stream (export) or as a new image (commit).
import type { IncomingMessage } from 'node:http';
import type { Transport } from './transport.js';

export interface CommitOptions {
  /** `repository[:tag]`; none: an untagged image. */
  readonly reference?: string;
  readonly comment?: string;
  readonly author?: string;
  /** Dockerfile instructions (`ENV A=1`, `CMD ["sh"]`) applied to the new image's config. */
  readonly changes?: readonly string[];
  readonly pause: boolean;
}

export interface Snapshots {
  export(id: string): Promise<IncomingMessage>;
  /** The new image's id. */
  commit(id: string, options: CommitOptions): Promise<string>;
}

export function snapshotsOf(engine: { readonly transport: Transport }): Snapshots {
  const { transport } = engine;
  return {
    export: (id) => transport.stream('GET', `/containers/${encodeURIComponent(id)}/export`),
    async commit(id, options) {
      const { repository, tag } = splitReference(options.reference ?? '');
      const created = await transport.request<{ Id: string }>('POST', '/commit', {
        query: {
          container: id,
          repo: repository || undefined,
          tag: tag || undefined,
          comment: options.comment || undefined,
          author: options.author || undefined,
          pause: options.pause,
          // The engine reads its `changes` as the lines of one Dockerfile.
          changes: options.changes?.length ? options.changes.join('\n') : undefined,
        },
      });
      return created.Id;
    },
  };
}

/** `registry:5000/team/app:1` -> repository `registry:5000/team/app`, tag `1`. */
export function splitReference(reference: string): { repository: string; tag: string } {
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  if (colon > slash) return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { repository: reference, tag: '' };
}
