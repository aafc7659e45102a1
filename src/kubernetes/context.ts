// What every converter of src/kubernetes/ shares while it turns one project into objects: the project, the options,
// the files it may read (given by the caller, so conversion stays pure), the name tables and the warnings.
import type { Project } from '../model/types.js';
import type { KubernetesObject } from './manifest.js';
import { NameTable } from './names.js';

export interface KubernetesOptions {
  /** Services that mount named volumes become StatefulSets, each pod with claims of its own. */
  readonly statefulSets?: boolean;
  /** The size of a claim whose volume has no `kompose.volume.size` label. */
  readonly defaultVolumeSize?: string;
}

export interface ConvertInputs {
  /** The bytes of a `file:` config or secret. */
  readonly readFile: (path: string) => Buffer;
  /** The variables of one env_file, in file order; undefined when an optional file is missing. */
  readonly readEnvFile: (path: string, format: string | undefined, required: boolean) => ReadonlyArray<readonly [string, string]> | undefined;
}

export const DEFAULT_VOLUME_SIZE = '100Mi';

export class ConvertContext {
  readonly warnings: string[] = [];
  readonly objects: KubernetesObject[] = [];
  /** `config:NAME` / `secret:NAME` -> the object written for it (undefined: could not be written, already warned). */
  readonly written = new Map<string, string | undefined>();
  readonly services: NameTable;
  readonly configMaps: NameTable;
  readonly secrets: NameTable;
  readonly claims: NameTable;
  readonly policies: NameTable;

  constructor(
    readonly project: Project,
    readonly options: KubernetesOptions,
    readonly inputs: ConvertInputs,
  ) {
    this.services = new NameTable('service', (text) => this.warnings.push(text));
    this.configMaps = new NameTable('config', (text) => this.warnings.push(text));
    this.secrets = new NameTable('secret', (text) => this.warnings.push(text));
    this.claims = new NameTable('volume', (text) => this.warnings.push(text));
    this.policies = new NameTable('network', (text) => this.warnings.push(text));
  }

  /** One warning line about a part of the project: `service "web": ports ... is not converted`. */
  warn(section: 'service' | 'volume' | 'network' | 'config' | 'secret', name: string, text: string): void {
    this.warnings.push(`${section} "${name}": ${text}`);
  }

  add(object: KubernetesObject): void {
    this.objects.push(object);
  }
}

/** Kubernetes expands `$(VAR)` in env values, command and args, and reads `$$` as `$`: keep the user's text literal. */
export function literalForKubernetes(text: string): string {
  return text.replace(/\$(?=[$(])/g, '$$$$');
}

/** Whole seconds, at least 1: probe and grace periods are integers in Kubernetes. */
export function seconds(nanoseconds: number): number {
  return Math.max(1, Math.ceil(nanoseconds / 1e9));
}
