// The Kubernetes objects berth writes, typed as far as berth fills them in. Plain data: the converter stays pure and
// the tests check each object against the Kubernetes OpenAPI schemas (kubernetes-models).

export interface ObjectMeta {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Any object berth writes: what the output and `--apply` need to know of it. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly [field: string]: unknown;
}

export interface EnvVar {
  readonly name: string;
  readonly value: string;
}

export interface VolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly?: boolean;
  readonly subPath?: string;
}

export interface Volume {
  readonly name: string;
  readonly persistentVolumeClaim?: { readonly claimName: string; readonly readOnly?: boolean };
  readonly emptyDir?: { readonly medium?: 'Memory'; readonly sizeLimit?: string };
  readonly configMap?: { readonly name: string; readonly items?: readonly KeyToPath[]; readonly defaultMode?: number };
  readonly secret?: { readonly secretName: string; readonly items?: readonly KeyToPath[]; readonly defaultMode?: number };
}

export interface KeyToPath {
  readonly key: string;
  readonly path: string;
  readonly mode?: number;
}

export interface Probe {
  readonly exec: { readonly command: readonly string[] };
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
  readonly initialDelaySeconds?: number;
}

export interface ResourceRequirements {
  readonly limits?: Readonly<Record<string, string>>;
  readonly requests?: Readonly<Record<string, string>>;
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly [field: string]: unknown;
}

export interface PodSpec {
  readonly containers: readonly Container[];
  readonly volumes?: readonly Volume[];
  readonly [field: string]: unknown;
}

/** The labels every object carries: the recommended `app.kubernetes.io/*` ones. */
export function projectLabels(project: string, name: string): Record<string, string> {
  return {
    'app.kubernetes.io/managed-by': 'berth',
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/part-of': labelValue(project),
  };
}

/** The labels of what belongs to one compose service: also kompose's `io.kompose.service`, which selects its pods. */
export function standardLabels(project: string, component: string): Record<string, string> {
  return { ...projectLabels(project, component), ...selectorLabels(component) };
}

/** The label that selects a service's pods, as kompose writes it (so kompose users' tooling still finds them). */
export function selectorLabels(component: string): Record<string, string> {
  return { 'io.kompose.service': component };
}

/** A label value: at most 63 characters of [A-Za-z0-9._-], starting and ending with an alphanumeric. */
export function labelValue(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
