// Compose names (`reverse_proxy`, `Web.1`) -> Kubernetes object names. Services, ports and pods are DNS labels
// (RFC 1035: lowercase letters, digits and '-', starting with a letter, at most 63 characters), so every name berth
// writes is one; a name that had to change is reported once, since other containers may reach it by its old name.
import { BerthError } from '../model/errors.js';

const MAX_LABEL = 63;

/** `name` as an RFC 1035 label, or the same name when it already is one. */
export function dnsLabel(name: string): string {
  let label = name.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  if (!/^[a-z]/.test(label)) label = `x-${label}`;
  label = label.slice(0, MAX_LABEL).replace(/-+$/, '');
  return label;
}

/** One section's names (services, volumes, ...): compose name -> Kubernetes name, clashes refused. */
export class NameTable {
  private readonly byKube = new Map<string, string>();
  private readonly byCompose = new Map<string, string>();

  constructor(
    private readonly section: string,
    private readonly warn: (message: string) => void,
  ) {}

  /** The Kubernetes name of a compose name, taken (and warned about if it had to change) on first use. */
  name(composeName: string): string {
    return this.take(composeName, true);
  }

  /** A name berth makes up from several parts (`web-.env`): made a DNS label without a warning. */
  derived(...parts: string[]): string {
    return this.take(parts.join('-'), false);
  }

  private take(text: string, report: boolean): string {
    const known = this.byCompose.get(text);
    if (known !== undefined) return known;
    const kube = dnsLabel(text);
    const holder = this.byKube.get(kube);
    if (holder !== undefined) {
      throw new BerthError(`${this.section} "${text}" and "${holder}" both become "${kube}" in Kubernetes: rename one of them`);
    }
    this.byKube.set(kube, text);
    this.byCompose.set(text, kube);
    if (report && kube !== text) this.warn(`${this.section} "${text}" is named "${kube}" in Kubernetes (names there are DNS labels)`);
    return kube;
  }
}
