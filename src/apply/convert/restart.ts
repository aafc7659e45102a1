// restart (and deploy.restart_policy, which wins when both are set, as in compose) -> RestartPolicy.
import { BerthError } from '../../model/errors.js';
import { isDict } from '../../model/tree.js';
import type { ServiceConfig } from '../../model/types.js';
import type { RestartPolicyBody } from '../../engine-api/index.js';
import type { Fragment, Warn } from './fragment.js';
import { serviceWarning } from './fragment.js';
import { isPresent, servicePath, toInteger, toText } from './scalars.js';

/** Compose and Swarm words for a restart condition -> the engine's. Unknown words go through for the engine to judge. */
const CONDITIONS: Readonly<Record<string, string>> = {
  no: 'no',
  none: 'no',
  always: 'always',
  any: 'always',
  'on-failure': 'on-failure',
  'unless-stopped': 'unless-stopped',
};

function policy(name: string, retries: number): RestartPolicyBody {
  return retries === 0 ? { Name: CONDITIONS[name] ?? name } : { Name: CONDITIONS[name] ?? name, MaximumRetryCount: retries };
}

/** Swarm-only parts of deploy.restart_policy: the engine restarts with its own growing back-off. */
const SWARM_ONLY = ['delay', 'window'] as const;

export function convertRestart(service: ServiceConfig, _ctx: unknown, warn: Warn): Fragment {
  const deploy: unknown = service.deploy;
  const deployPolicy = isDict(deploy) ? deploy['restart_policy'] : undefined;
  if (isPresent(deployPolicy)) {
    const path = servicePath(service.name, 'deploy', 'restart_policy');
    if (!isDict(deployPolicy)) throw new BerthError('expected a mapping', { path });
    const condition = isPresent(deployPolicy['condition']) ? toText(deployPolicy['condition'], [...path, 'condition']) : '';
    for (const key of SWARM_ONLY) {
      if (isPresent(deployPolicy[key])) warn(serviceWarning(service.name, `deploy.restart_policy.${key} is a Swarm setting and will be ignored`));
    }
    const attempts = isPresent(deployPolicy['max_attempts']) ? toInteger(deployPolicy['max_attempts'], [...path, 'max_attempts']) : 0;
    return { host: { RestartPolicy: policy(condition, attempts) } };
  }
  if (!isPresent(service.restart) || service.restart === '') return {};
  const path = servicePath(service.name, 'restart');
  const text = toText(service.restart, path);
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  // "on-failure:N"; an unreadable N counts as no limit, as in compose.
  const count = colon < 0 ? 0 : Number.parseInt(text.slice(colon + 1), 10);
  return { host: { RestartPolicy: policy(name, Number.isFinite(count) ? count : 0) } };
}
