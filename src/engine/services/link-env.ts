// The environment variables of a legacy link (`docker run --link`, docker-compose 1.x `links:` on the default
// bridge), as dockerd gives them to the linking container when it starts: for alias `db`, `DB_NAME=/web/db`, one
// `DB_PORT_<n>_<PROTO>` group per exposed port (`..._ADDR`, `..._PORT`, `..._PROTO`; `..._START`/`..._END` over a
// run of consecutive ports), `DB_PORT` for the first port, and `DB_ENV_<VAR>` for each of the linked container's own
// variables but HOME and PATH. Pure: the engine brings the addresses and the linked container's configuration.

export interface LinkedContainer {
  /** `/<linking container>/<alias>`: the last part, upper-cased with `-` as `_`, prefixes every variable. */
  readonly linkName: string;
  /** The linked container's address on the default bridge. */
  readonly address: string;
  /** Its exposed ports, `5432/tcp`. */
  readonly exposedPorts: readonly string[];
  /** Its configured environment, `KEY=VALUE`. */
  readonly environment: readonly string[];
}

interface Port {
  readonly number: number;
  readonly proto: string;
}

function parsePort(spec: string): Port | undefined {
  const [number = '', proto = 'tcp'] = spec.split('/');
  const value = Number(number);
  return Number.isInteger(value) && value > 0 && value <= 65535 ? { number: value, proto: proto.toLowerCase() } : undefined;
}

/**
 * tcp ports first, then by number (moby's order since 2023; the dockerd 20.10 of docker-compose 1.x's time sorted by
 * number only, so its `<ALIAS>_PORT` could name a udp port, and it left out a range that ends the list).
 */
function tcpFirst(a: Port, b: Port): number {
  if (a.proto === b.proto) return a.number - b.number;
  if (a.proto === 'tcp') return -1;
  if (b.proto === 'tcp') return 1;
  return a.proto < b.proto ? -1 : 1;
}

export function linkEnvironment(link: LinkedContainer): string[] {
  const alias = (link.linkName.split('/').pop() ?? '').toUpperCase().replaceAll('-', '_');
  const url = (port: Port): string => `${port.proto}://${link.address}:${port.number}`;
  const prefix = (port: Port): string => `${alias}_PORT_${port.number}_${port.proto.toUpperCase()}`;
  const ports = link.exposedPorts.flatMap((spec) => parsePort(spec) ?? []).sort(tcpFirst);
  const env: string[] = [];
  let start: Port | undefined;
  let end: Port | undefined;
  ports.forEach((port, index) => {
    if (index === 0) env.push(`${alias}_PORT=${url(port)}`);
    env.push(`${prefix(port)}=${url(port)}`, `${prefix(port)}_ADDR=${link.address}`, `${prefix(port)}_PORT=${port.number}`, `${prefix(port)}_PROTO=${port.proto}`);
    if (start && end && port.number === end.number + 1 && port.proto === end.proto) {
      end = port;
      if (index < ports.length - 1) return;
    }
    if (start && end && end !== start) {
      env.push(`${prefix(start)}_START=${url(start)}`, `${prefix(start)}_PORT_START=${start.number}`, `${prefix(start)}_END=${url(end)}`, `${prefix(start)}_PORT_END=${end.number}`);
    }
    start = port;
    end = port;
  });
  env.push(`${alias}_NAME=${link.linkName}`);
  for (const entry of link.environment) {
    const equals = entry.indexOf('=');
    if (equals < 0) continue;
    const name = entry.slice(0, equals);
    if (name === 'HOME' || name === 'PATH') continue;
    env.push(`${alias}_ENV_${name}=${entry.slice(equals + 1)}`);
  }
  return env;
}

/** `base` with `over` on top, as dockerd lays a container's own variables over its links': same name replaced in place. */
export function overlayEnvironment(base: readonly string[], over: readonly string[]): string[] {
  const out = [...base];
  const at = new Map(out.map((entry, index) => [entry.split('=')[0]!, index]));
  for (const entry of over) {
    const name = entry.split('=')[0]!;
    const index = at.get(name);
    if (index === undefined) {
      at.set(name, out.length);
      out.push(entry);
    } else {
      out[index] = entry;
    }
  }
  return out;
}
