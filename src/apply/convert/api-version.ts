// Engine API versions compare component by component ("1.9" < "1.44"), never as strings or floats.

export function compareApiVersions(a: string, b: string): number {
  const left = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const right = b.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export function apiAtLeast(version: string, minimum: string): boolean {
  return compareApiVersions(version, minimum) >= 0;
}

/** The versions at which the create body changes shape. */
export const API = {
  /** Several EndpointsConfig entries at create; endpoint MacAddress. */
  multipleEndpoints: '1.44',
  /** Mounts of type image. */
  imageMounts: '1.48',
  /** Endpoint interface_name. */
  interfaceName: '1.49',
} as const;
