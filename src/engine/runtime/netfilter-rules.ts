// What the engine asks of the host's packet filter, written out for nftables (one table of the engine's own) and for
// iptables (two chains of its own, jumped to from FORWARD and POSTROUTING). Pure: the whole rule set is a function of
// the bridge networks the engine has up, so each change rewrites it in one transaction and nothing can drift.

/** One bridge network, as the rules need it. */
export interface BridgeRules {
  /** The network's name, carried in comments so that a listing of the rules says what each is for. */
  readonly network: string;
  readonly bridge: string;
  readonly subnet: string;
  /** Internal networks reach nothing beyond their bridge, and nothing beyond reaches them. */
  readonly internal: boolean;
  /** Traffic leaving the host from the subnet takes the host's address (com.docker.network.bridge.enable_ip_masquerade). */
  readonly masquerade: boolean;
}

/**
 * The names of the engine's table and chains, from a tag unique to the engine (one per root): several engines on a
 * host, and dockerd, each keep to their own.
 */
export interface RuleNames {
  /** nftables: `table ip <table>`. */
  readonly table: string;
  /** iptables: the chain in `filter` jumped to from FORWARD, and the one in `nat` jumped to from POSTROUTING. */
  readonly forwardChain: string;
  readonly natChain: string;
}

export function ruleNames(tag: string): RuleNames {
  const upper = tag.toUpperCase();
  return { table: tag, forwardChain: `${upper}-FWD`, natChain: `${upper}-NAT` };
}

/** Deterministic order, whatever order the networks came in. */
function sorted(bridges: readonly BridgeRules[]): BridgeRules[] {
  return [...bridges].sort((a, b) => (a.bridge < b.bridge ? -1 : a.bridge > b.bridge ? 1 : 0));
}

/**
 * The whole table, replacing whatever the table held before in the same transaction (declaring it first makes the
 * delete valid when it did not exist yet).
 *
 * forward: an internal network's traffic stays on its bridge; into any other network's bridge, only replies to what
 * its containers opened (so networks are isolated from each other and from the outside, as Docker isolates them);
 * out of it, anything. postrouting: what leaves the host through another interface is masqueraded (not what the
 * host sends to itself from a gateway address, such as a query to a network's resolver: that stays as it is).
 */
export function nftRuleset(names: RuleNames, bridges: readonly BridgeRules[]): string {
  const rules = forwardRules(bridges, {
    internal: (name, comment) => [`iifname ${name} oifname != ${name} drop ${comment}`, `oifname ${name} iifname != ${name} drop ${comment}`],
    inbound: (name, comment) => [`oifname ${name} iifname != ${name} ct state established,related accept ${comment}`, `oifname ${name} iifname != ${name} drop ${comment}`],
    outbound: (name, comment) => [`iifname ${name} oifname != ${name} accept ${comment}`],
    masquerade: (name, subnet, comment) => `ip saddr ${subnet} oifname != ${name} fib daddr type != local masquerade ${comment}`,
    quote: (bridge) => JSON.stringify(bridge),
    comment: (network) => `comment ${JSON.stringify(`network ${network}`)}`,
  });
  const indent = (lines: readonly string[]): string => lines.map((rule) => `\t\t${rule}\n`).join('');
  return [
    `table ip ${names.table} {}`,
    `delete table ip ${names.table}`,
    `table ip ${names.table} {`,
    '\tchain forward {',
    '\t\ttype filter hook forward priority filter; policy accept;',
    `${indent(rules.forward)}\t}`,
    '\tchain postrouting {',
    '\t\ttype nat hook postrouting priority srcnat; policy accept;',
    `${indent(rules.nat)}\t}`,
    '}',
    '',
  ].join('\n');
}

/** The nftables command that removes the table (and every rule in it). */
export function nftDelete(names: RuleNames): string {
  return `table ip ${names.table} {}\ndelete table ip ${names.table}\n`;
}

/**
 * The same rules as iptables-restore input (used with --noflush: declaring a chain empties it, other chains stay).
 * The jumps from FORWARD and POSTROUTING are added separately, once.
 */
export function iptablesRuleset(names: RuleNames, bridges: readonly BridgeRules[]): string {
  const rules = forwardRules(bridges, {
    internal: (name, comment) => [`-i ${name} ! -o ${name} ${comment} -j DROP`, `-o ${name} ! -i ${name} ${comment} -j DROP`],
    inbound: (name, comment) => [`-o ${name} ! -i ${name} -m conntrack --ctstate RELATED,ESTABLISHED ${comment} -j ACCEPT`, `-o ${name} ! -i ${name} ${comment} -j DROP`],
    outbound: (name, comment) => [`-i ${name} ! -o ${name} ${comment} -j ACCEPT`],
    masquerade: (name, subnet, comment) => `-s ${subnet} ! -o ${name} -m addrtype ! --dst-type LOCAL ${comment} -j MASQUERADE`,
    quote: (bridge) => bridge,
    comment: (network) => `-m comment --comment "network ${network}"`,
  });
  const append = (chain: string, lines: readonly string[]): string[] => lines.map((rule) => `-A ${chain} ${rule}`);
  return [
    '*filter',
    `:${names.forwardChain} - [0:0]`,
    ...append(names.forwardChain, rules.forward),
    'COMMIT',
    '*nat',
    `:${names.natChain} - [0:0]`,
    ...append(names.natChain, rules.nat),
    'COMMIT',
    '',
  ].join('\n');
}

/** How one backend writes each kind of rule. */
interface Dialect {
  internal(bridge: string, comment: string): string[];
  inbound(bridge: string, comment: string): string[];
  outbound(bridge: string, comment: string): string[];
  masquerade(bridge: string, subnet: string, comment: string): string;
  quote(bridge: string): string;
  comment(network: string): string;
}

/**
 * The rules in the order that makes them right: an accept ends the chain, so every drop comes before any accept of
 * traffic out of a bridge (else a container could reach an internal network through its own network's accept).
 */
function forwardRules(bridges: readonly BridgeRules[], dialect: Dialect): { forward: string[]; nat: string[] } {
  const isolation: string[] = [];
  const inbound: string[] = [];
  const outbound: string[] = [];
  const nat: string[] = [];
  for (const { network, bridge, subnet, internal, masquerade } of sorted(bridges)) {
    const name = dialect.quote(bridge);
    const comment = dialect.comment(network);
    if (internal) {
      isolation.push(...dialect.internal(name, comment));
      continue;
    }
    inbound.push(...dialect.inbound(name, comment));
    outbound.push(...dialect.outbound(name, comment));
    if (masquerade) nat.push(dialect.masquerade(name, subnet, comment));
  }
  return { forward: [...isolation, ...inbound, ...outbound], nat };
}
