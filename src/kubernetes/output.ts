// Objects -> YAML: one stream of documents for stdout, or one file per object named as kompose names them
// (`web-deployment.yaml`), so `kubectl apply -f DIR` takes them all.
import { stringify } from 'yaml';
import type { KubernetesObject } from './manifest.js';

export function toYamlDocument(object: KubernetesObject): string {
  // No anchors: objects that share a value (a probe used twice) are written out in full, as kubectl expects to read.
  return stringify(object, { lineWidth: 0, aliasDuplicateObjects: false });
}

export function toYamlStream(objects: readonly KubernetesObject[]): string {
  return objects.map((object) => `---\n${toYamlDocument(object)}`).join('');
}

export function fileNameOf(object: KubernetesObject): string {
  return `${object.metadata.name}-${object.kind.toLowerCase()}.yaml`;
}
