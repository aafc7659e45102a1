// docker's VolumeContext: what `volumes --format` templates see for each volume, its json and its column titles.
import type { VolumeSummary } from '../engine-client/index.js';
import { headerContext } from './formatter.js';
import { GoMethod, GoStruct } from './template/index.js';
import type { GoMap } from './template/index.js';

export const DEFAULT_VOLUME_TABLE = 'table {{.Driver}}\\t{{.Name}}';

export const VOLUME_HEADER: GoMap = headerContext({
  Name: 'VOLUME NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  Mountpoint: 'MOUNTPOINT',
  Labels: 'LABELS',
  Links: 'LINKS',
  Size: 'SIZE',
  Group: 'GROUP',
  Availability: 'AVAILABILITY',
  Status: 'STATUS',
});

export function volumeContext(volume: VolumeSummary): GoStruct {
  const fields = {
    Availability: 'N/A',
    Driver: volume.driver,
    Group: 'N/A',
    Labels: Object.entries(volume.labels).map(([key, value]) => `${key}=${value}`).sort().join(','),
    Links: 'N/A',
    Mountpoint: volume.mountpoint,
    Name: volume.name,
    Scope: 'local',
    Size: 'N/A',
    Status: 'N/A',
  };
  return new GoStruct('*formatter.volumeContext', { ...fields, Label: new GoMethod(['string'], (name) => volume.labels[name as string] ?? '') }, { json: () => fields });
}
