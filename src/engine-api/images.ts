// The image routes' query parameters and the registry login body: pull and import (`/images/create`), load, list,
// push, tag, remove, save, prune, commit, and `POST /auth`. Parameters the engine does not read are ignored, as
// dockerd ignores them.
import { LIMITS, object, string } from './describe.js';
import type { WireType } from './describe.js';
import { filters, flag, text, texts } from './query.js';

/** A reference as a client writes it (`name[:tag][@digest]`); its grammar is checked where it is parsed. */
const reference = (): ReturnType<typeof text> => text({ max: LIMITS.name * 2 });
const tag = (): ReturnType<typeof text> => text({ max: 128 + 72 }); // a tag, or an algorithm:digest

export const ImageCreateQuery = {
  fromImage: reference(),
  fromSrc: text({ max: LIMITS.path }),
  repo: reference(),
  tag: tag(),
  message: text({ max: LIMITS.string }),
  platform: text({ max: 256 }),
  changes: texts({ max: LIMITS.path }),
} as const;

export const ImageLoadQuery = { quiet: flag() } as const;
export const ImageListQuery = { all: flag(), filters: filters(), digests: flag(), 'shared-size': flag(), manifests: flag() } as const;
export const ImagePushQuery = { tag: tag(), platform: text({ max: 256 }) } as const;
export const ImageTagQuery = { repo: reference(), tag: tag() } as const;
export const ImageRemoveQuery = { force: flag(), noprune: flag() } as const;
export const ImageSaveQuery = { names: texts({ max: LIMITS.name * 2 }), platform: texts({ max: 256 }) } as const;
export const ImagePruneQuery = { filters: filters() } as const;

export const CommitQuery = {
  container: text({ max: LIMITS.name }),
  repo: reference(),
  tag: tag(),
  comment: text({ max: LIMITS.string }),
  author: text({ max: LIMITS.name * 4 }),
  pause: flag(),
  changes: texts({ max: LIMITS.path }),
} as const;

/** `POST /auth` (and `X-Registry-Auth`): Go's decoder, so keys match in any case; unknown keys are ignored. */
export const AuthConfig = object({
  username: string({ max: LIMITS.name * 4 }),
  password: string({ max: LIMITS.string }),
  auth: string({ max: LIMITS.string }),
  email: string({ max: LIMITS.name * 4 }),
  serveraddress: string({ max: LIMITS.path }),
  identitytoken: string({ max: LIMITS.string }),
  registrytoken: string({ max: LIMITS.string }),
});

export type AuthConfigBody = WireType<typeof AuthConfig>;
