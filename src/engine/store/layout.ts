// Where the engine keeps things under its root: image blobs and unpacked layers, the repository index, and one
// directory per container (its record, OCI bundle, upper and work dirs, log, pid and exit files).
import { join } from 'node:path';

/** What a layer's blob is kept as, by its compression: the bytes as they arrived. */
export const LAYER_ARCHIVES = { gzip: 'layer.tar.gz', none: 'layer.tar' } as const;

export class Layout {
  constructor(readonly root: string) {}

  get blobs(): string {
    return join(this.root, 'image', 'blobs', 'sha256');
  }
  blob(hex: string): string {
    return join(this.blobs, hex);
  }
  layer(diffHex: string): string {
    return join(this.root, 'image', 'layers', diffHex, 'fs');
  }
  /** The layer as it arrived uncompressed (a tar whose digest is its diff id), kept for `save` and push. */
  layerTar(diffHex: string): string {
    return join(this.root, 'image', 'layers', diffHex, LAYER_ARCHIVES.none);
  }
  /** The layer as it arrived gzip-compressed (a registry blob), kept instead of the tar. */
  layerGzip(diffHex: string): string {
    return join(this.root, 'image', 'layers', diffHex, LAYER_ARCHIVES.gzip);
  }
  layerMeta(diffHex: string): string {
    return join(this.root, 'image', 'layers', diffHex, 'meta.json');
  }
  get repositories(): string {
    return join(this.root, 'image', 'repositories.json');
  }
  get containers(): string {
    return join(this.root, 'containers');
  }
  container(id: string): string {
    return join(this.containers, id);
  }
  containerRecord(id: string): string {
    return join(this.container(id), 'container.json');
  }
  bundle(id: string): string {
    return join(this.container(id), 'bundle');
  }
  rootfs(id: string): string {
    return join(this.bundle(id), 'rootfs');
  }
  upper(id: string): string {
    return join(this.container(id), 'upper');
  }
  work(id: string): string {
    return join(this.container(id), 'work');
  }
  log(id: string): string {
    return join(this.container(id), `${id}-json.log`);
  }
  exitFile(id: string): string {
    return join(this.container(id), 'exit');
  }
  pidFile(id: string): string {
    return join(this.container(id), 'pid');
  }
  /** The pid of the container's monitor (berth-monitor writes it). */
  monitorPidFile(id: string): string {
    return join(this.container(id), 'monitor.pid');
  }
  /** Where a container's directory is moved to be deleted: out of the containers' listing in one rename. */
  get removedContainers(): string {
    return join(this.root, 'containers-removed');
  }
  get networks(): string {
    return join(this.root, 'networks');
  }
  networkRecord(id: string): string {
    return join(this.networks, `${id}.json`);
  }
  get volumes(): string {
    return join(this.root, 'volumes');
  }
  volume(name: string): string {
    return join(this.volumes, name);
  }
  volumeRecord(name: string): string {
    return join(this.volume(name), 'volume.json');
  }
  volumeData(name: string): string {
    return join(this.volume(name), '_data');
  }
  get tmp(): string {
    return join(this.root, 'tmp');
  }
}
