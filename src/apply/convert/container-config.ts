// The plain ContainerConfig fields: which image, who runs the process where, how it is attached and stopped.
import type { ServiceConfig } from '../../model/types.js';
import type { ContainerPlanContext } from './context.js';
import { durationSeconds } from '../../model/duration.js';
import type { Fragment } from './fragment.js';
import { compact, isPresent, servicePath, toBoolean, toStringMap, toText } from './scalars.js';

/** The image a container is created from: the service's, else the one `build` tags as `<project>-<service>`. */
export function imageReference(service: Pick<ServiceConfig, 'name' | 'image'>, projectName: string): string {
  return service.image !== undefined && service.image !== '' ? service.image : `${projectName}-${service.name}`;
}

export function convertContainerConfig(service: ServiceConfig, ctx: ContainerPlanContext): Fragment {
  const at = (key: string) => servicePath(service.name, key);
  const text = (key: string): string | undefined => (isPresent(service[key]) ? toText(service[key], at(key)) : undefined);
  const flag = (key: string): boolean => (isPresent(service[key]) ? toBoolean(service[key], at(key)) : false);
  const stopGrace = service['stop_grace_period'];
  return {
    config: compact({
      Image: ctx.image ?? imageReference(service, ctx.projectName),
      Labels: { ...ctx.labels },
      Hostname: text('hostname'),
      Domainname: text('domainname'),
      User: text('user'),
      WorkingDir: text('working_dir'),
      // Compose always attaches stdout/stderr so that `logs` and `up` can follow the container.
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: flag('tty'),
      OpenStdin: flag('stdin_open'),
      StopSignal: text('stop_signal'),
      StopTimeout: isPresent(stopGrace) ? durationSeconds(stopGrace, at('stop_grace_period')) : undefined,
    }),
    host: compact({
      Init: isPresent(service['init']) ? toBoolean(service['init'], at('init')) : undefined,
      Annotations: isPresent(service['annotations']) ? toStringMap(service['annotations'], at('annotations')) : undefined,
    }),
  };
}
