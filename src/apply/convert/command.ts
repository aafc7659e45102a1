// command and entrypoint: absent or null keeps the image's own, an empty list clears it (the engine reads an empty
// Entrypoint as "none" rather than "default").
import type { ServiceConfig } from '../../model/types.js';
import type { Fragment } from './fragment.js';
import { servicePath, toStringList } from './scalars.js';

export function convertCommand(service: ServiceConfig): Fragment {
  return {
    config: {
      ...(service.command === undefined || service.command === null
        ? {}
        : { Cmd: toStringList(service.command, servicePath(service.name, 'command')) }),
      ...(service.entrypoint === undefined || service.entrypoint === null
        ? {}
        : { Entrypoint: toStringList(service.entrypoint, servicePath(service.name, 'entrypoint')) }),
    },
  };
}
