// Progress of pulls and pushes as dockerd streams it: one JSON object per line with `status`, `id`,
// `progressDetail` and the pre-rendered `progress` bar, `<>&` escaped as Go's encoder escapes them; errors as
// `errorDetail` + `error`. The stock docker CLI and dockerode draw their progress bars from these.
import type { ProgressMessage } from '../services/registry/progress.js';

export function progressLine(message: ProgressMessage): string {
  const out: Record<string, unknown> = { status: message.status };
  if (message.progress) {
    out.progressDetail = { current: message.progress.current, total: message.progress.total };
    out.progress = progressBar(message.progress.current, message.progress.total);
  } else if (message.id !== undefined && !message.plain) out.progressDetail = {};
  if (message.id !== undefined) out.id = message.id;
  if (message.aux) {
    // dockerd's aux message carries nothing else but the progressDetail.
    return goJson({ progressDetail: {}, aux: message.aux });
  }
  return goJson(out);
}

export function errorLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return goJson({ errorDetail: { message: text }, error: text });
}

function goJson(value: unknown): string {
  return `${JSON.stringify(value).replace(/[<>&]/g, (character) => `\\u00${character.charCodeAt(0).toString(16)}`)}\n`;
}

/** `[=========>          ]  1.234MB/5.678MB`, as dockerd renders a progress on its side (a 200-column line). */
export function progressBar(current: number, total: number): string {
  if (total <= 0) return current > 0 ? humanSize(current).padStart(8) : '';
  const filled = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
  const bar = `[${'='.repeat(filled)}>${' '.repeat(Math.max(0, 50 - filled))}] `;
  const numbers = current > total ? humanSize(current).padStart(8) : `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  return bar + numbers;
}

/** Go's `units.HumanSize`: four significant digits, decimal units (`2.155MB`, `512B`, `1kB`). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < units.length - 1) {
    size /= 1000;
    unit++;
  }
  return `${Number(size.toPrecision(4))}${units[unit]}`;
}
