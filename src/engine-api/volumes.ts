// `POST /volumes/create`.
import { any, map, name, object, string } from './describe.js';
import type { WireType } from './describe.js';

export const VolumeCreate = object({
  Name: name(),
  Driver: name(),
  DriverOpts: map(string({ max: 4096 }), { maxKey: 255 }),
  Labels: map(string()),
  /** Swarm's cluster volumes: kept opaque, so that the engine can refuse it by name. */
  ClusterVolumeSpec: any(),
});

export type VolumeCreateBody = WireType<typeof VolumeCreate>;
