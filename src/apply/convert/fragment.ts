// The shape every family converter returns: the part of the create body it owns. index.ts merges the fragments.
import type { ServiceConfig } from '../../model/types.js';
import type { ContainerPlanContext } from './context.js';
import type { ContainerCreateBody, HostConfigBody } from '../../engine-api/index.js';

export interface Fragment {
  readonly config?: Partial<Omit<ContainerCreateBody, 'HostConfig' | 'NetworkingConfig'>>;
  readonly host?: HostConfigBody;
}

export type Warn = (message: string) => void;

export type FamilyConverter = (service: ServiceConfig, ctx: ContainerPlanContext, warn: Warn) => Fragment;

/** `service "web": <text>`: how every conversion warning starts, so users see which service it is about. */
export function serviceWarning(serviceName: string, text: string): string {
  return `service "${serviceName}": ${text}`;
}
