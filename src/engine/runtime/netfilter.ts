// The host's packet filter, for containers' traffic to other hosts: masquerading and the forward rules of
// netfilter-rules.ts, through nftables when the host has `nft`, else iptables, else nothing (the engine says so and
// containers reach only the host and each other). IPv4 forwarding is turned on only when there are rules to guard it.
import { readFileSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { EngineError } from '../errors.js';
import { iptablesRuleset, nftDelete, nftRuleset, ruleNames } from './netfilter-rules.js';
import type { BridgeRules, RuleNames } from './netfilter-rules.js';
import { onPath, runProgram } from './tools.js';
import type { RunResult } from './tools.js';

export type { BridgeRules } from './netfilter-rules.js';

/** Runs a program with text on its stdin (a seam for tests). */
export type Runner = (program: string, args: readonly string[], input?: string) => Promise<RunResult>;

export interface PacketFilter {
  readonly kind: 'nftables' | 'iptables' | 'none';
  /** Where the engine's rules live, for messages: `nftables table ip berth-...`. */
  readonly where: string;
  /** Makes the engine's rules exactly those for `bridges` (none: the table or chains are removed). */
  apply(bridges: readonly BridgeRules[]): Promise<void>;
}

const runWithInput: Runner = (program, args, input) => runProgram(program, args, input === undefined ? undefined : Readable.from([input]));

async function mustSucceed(run: Runner, program: string, args: readonly string[], input?: string): Promise<void> {
  const result = await run(program, args, input);
  if (result.code !== 0) throw new EngineError('internal', `${program} ${args.join(' ')}: ${result.stderr.trim() || `exit ${result.code}`}`);
}

class NftFilter implements PacketFilter {
  readonly kind = 'nftables';
  readonly where: string;

  constructor(
    private readonly names: RuleNames,
    private readonly run: Runner,
  ) {
    this.where = `nftables table ip ${names.table}`;
  }

  apply(bridges: readonly BridgeRules[]): Promise<void> {
    return mustSucceed(this.run, 'nft', ['-f', '-'], bridges.length > 0 ? nftRuleset(this.names, bridges) : nftDelete(this.names));
  }
}

/** Chains of the engine's own, jumped to first from FORWARD and POSTROUTING (the jumps added once, removed last). */
class IptablesFilter implements PacketFilter {
  readonly kind = 'iptables';
  readonly where: string;

  constructor(
    private readonly names: RuleNames,
    private readonly run: Runner,
  ) {
    this.where = `iptables chains ${names.forwardChain} (filter) and ${names.natChain} (nat)`;
  }

  async apply(bridges: readonly BridgeRules[]): Promise<void> {
    const jumps = [
      ['filter', 'FORWARD', this.names.forwardChain],
      ['nat', 'POSTROUTING', this.names.natChain],
    ] as const;
    if (bridges.length === 0) {
      for (const [table, from, chain] of jumps) {
        while ((await this.run('iptables', ['-w', '-t', table, '-D', from, '-j', chain])).code === 0);
        await this.run('iptables', ['-w', '-t', table, '-F', chain]);
        await this.run('iptables', ['-w', '-t', table, '-X', chain]);
      }
      return;
    }
    await mustSucceed(this.run, 'iptables-restore', ['-w', '--noflush'], iptablesRuleset(this.names, bridges));
    for (const [table, from, chain] of jumps) {
      if ((await this.run('iptables', ['-w', '-t', table, '-C', from, '-j', chain])).code !== 0) {
        await mustSucceed(this.run, 'iptables', ['-w', '-t', table, '-I', from, '1', '-j', chain]);
      }
    }
  }
}

class NoFilter implements PacketFilter {
  readonly kind = 'none';
  readonly where = 'no packet filter';
  async apply(): Promise<void> {}
}

export interface DetectedFilter {
  readonly filter: PacketFilter;
  /** Which filter and why, for the engine's log at start. */
  readonly choice: string;
  /** Set when the host has no usable packet filter: what containers cannot do, and why. */
  readonly warning?: string;
}

/**
 * nftables when `nft` is there and the kernel answers it, else iptables likewise, else none. iptables also when the
 * host's iptables FORWARD policy drops (as dockerd sets it): an accept in a table of the engine's own cannot overrule
 * a drop in another, a rule jumped to first from that FORWARD chain can. `tag` names the engine's table or chains.
 */
export async function detectPacketFilter(tag: string, run: Runner = runWithInput, has: (program: string) => boolean = onPath): Promise<DetectedFilter> {
  const names = ruleNames(tag);
  const attempt = (program: string, args: readonly string[]): Promise<RunResult> => run(program, args).catch((error: Error) => ({ code: 1, stdout: '', stderr: error.message }));
  const failed = (program: string, result: RunResult): string => `${program}: ${result.stderr.trim() || `exit ${result.code}`}`;
  // Both probes at once: they are independent, and each is a process on the engine's way to its first answer.
  const [iptables, nft] = await Promise.all([
    has('iptables') && has('iptables-restore') ? attempt('iptables', ['-w', '-S', 'FORWARD']) : undefined,
    has('nft') ? attempt('nft', ['list', 'tables']) : undefined,
  ]);
  const iptablesFilter = iptables?.code === 0 ? new IptablesFilter(names, run) : undefined;
  if (nft?.code === 0) {
    if (iptablesFilter && /^-P FORWARD DROP$/m.test(iptables!.stdout)) {
      return { filter: iptablesFilter, choice: `${iptablesFilter.where}, since the host's iptables FORWARD policy drops forwarded packets (as dockerd sets it)` };
    }
    const filter = new NftFilter(names, run);
    return { filter, choice: filter.where };
  }
  if (iptablesFilter) return { filter: iptablesFilter, choice: iptablesFilter.where };
  const reasons = [nft ? failed('nft', nft) : 'no nft', iptables ? failed('iptables', iptables) : 'no iptables'];
  const warning = `No packet filter on this host (${reasons.join('; ')}): containers cannot reach other hosts (no masquerading) and internal networks are not fenced off. Install nftables (or iptables) and restart the engine.`;
  return { filter: new NoFilter(), choice: warning, warning };
}

const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';

/** Whether the host forwards IPv4 packets between interfaces. */
export function forwardingEnabled(): boolean {
  try {
    return readFileSync(IP_FORWARD, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/** Turns IPv4 forwarding on (as dockerd does); written only when off, since writing it resets other settings. */
export function enableForwarding(): boolean {
  if (forwardingEnabled()) return false;
  writeFileSync(IP_FORWARD, '1\n');
  return true;
}

/**
 * Rewrites of the rules, one at a time, each from the state when it begins: requests that arrive while one runs
 * share the next rewrite (twenty networks created at once cost two rewrites, not twenty).
 */
export class RuleWriter {
  private running: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  constructor(
    private readonly filter: PacketFilter,
    private readonly current: () => readonly BridgeRules[],
  ) {}

  sync(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.running
      .catch(() => {})
      .then(() => {
        this.queued = undefined;
        return this.filter.apply(this.current());
      });
    this.queued = next;
    this.running = next;
    return next;
  }
}
