// The shape of the compose model as compose's own types declare it: for every structure, its fields in the order
// compose writes them and how each value is read and written. `decode` and `render` are driven by these tables.

/** How one leaf value is read from the canonical tree and written back out. */
export type Leaf =
  | 'str' // string, omitted when empty
  | 'bool' // omitted when false
  | 'optout' // a boolean that defaults to true: written only when false
  | 'pbool' // optional boolean: false is written
  | 'int' // omitted when 0
  | 'pint' // optional integer: 0 is written
  | 'float'
  | 'dur' // Go duration ("1m0s"), omitted when 0
  | 'pdur' // optional Go duration
  | 'bytes' // byte count, written as a string of digits
  | 'mode' // file mode, written in octal ("0440")
  | 'cmd' // command line: a string is split as a shell would; JSON always has the key (null when unset)
  | 'strs' // list of strings
  | 'slist' // a string or a list of strings
  | 'snlist' // a string, number or list of them, as strings
  | 'labels' // map of strings from a map or a `KEY=value` list; no value is ""
  | 'env' // map from a map or a `KEY[=value]` list; `KEY` alone is null
  | 'mapping' // like labels
  | 'options' // map of strings
  | 'multi' // map of string lists
  | 'hosts' // extra_hosts: written as a sorted `host=ip` list
  | 'htest' // healthcheck test: a string is `CMD-SHELL <string>`
  | 'ulimit' // a number, or soft and hard
  | 'ssh' // build ssh keys: `default` or `id: path`
  | 'cpus' // a decimal number of CPUs
  | 'count' // device count: a number or "all" (-1)
  | 'any'; // kept as written (extensions)

export interface Field {
  readonly name: string;
  readonly shape: Shape;
  /** Written even when empty (no `omitempty` in compose's types). */
  readonly always: boolean;
  /** The key in JSON when it differs (fields compose declares without a JSON name). */
  readonly jsonName?: string;
}

export interface StructShape {
  readonly kind: 'struct';
  readonly name: string;
  readonly fields: readonly Field[];
  /** `x-*` keys are kept (written after the fields in YAML, dropped in JSON). */
  readonly extensions: boolean;
  /** Held by value: YAML omits it when empty, JSON always writes it. */
  readonly byValue: boolean;
}

export type Shape =
  | { readonly kind: 'leaf'; readonly leaf: Leaf }
  | StructShape
  | { readonly kind: 'list'; readonly item: Shape }
  | { readonly kind: 'map'; readonly value: Shape; readonly nullable: boolean }
  | { readonly kind: 'ref'; readonly name: string };

const LEAVES = new Set<string>([
  'str', 'bool', 'optout', 'pbool', 'int', 'pint', 'float', 'dur', 'pdur', 'bytes', 'mode', 'cmd', 'strs', 'slist', 'snlist',
  'labels', 'env', 'mapping', 'options', 'multi', 'hosts', 'htest', 'ulimit', 'ssh', 'cpus', 'count', 'any',
]);

/** `[]X` a list, `{}X` a map, `{}?X` a map whose values may be null, `Name` a structure, else a leaf. */
function parseShape(text: string): Shape {
  if (text.startsWith('[]')) return { kind: 'list', item: parseShape(text.slice(2)) };
  if (text.startsWith('{}?')) return { kind: 'map', value: parseShape(text.slice(3)), nullable: true };
  if (text.startsWith('{}')) return { kind: 'map', value: parseShape(text.slice(2)), nullable: false };
  if (LEAVES.has(text)) return { kind: 'leaf', leaf: text as Leaf };
  return { kind: 'ref', name: text };
}

const STRUCTS = new Map<string, StructShape>();

/** Fields as `name:shape`; `name!:shape` is written even when empty; `name=JsonName:shape` renames it in JSON. */
function struct(name: string, spec: string, options: { extensions?: boolean; byValue?: boolean } = {}): void {
  const fields = spec
    .trim()
    .split(/\s+/)
    .map((entry): Field => {
      const colon = entry.indexOf(':');
      let key = entry.slice(0, colon);
      const always = key.endsWith('!');
      if (always) key = key.slice(0, -1);
      const [fieldName, jsonName] = key.split('=') as [string, string | undefined];
      return { name: fieldName, shape: parseShape(entry.slice(colon + 1)), always, ...(jsonName ? { jsonName } : {}) };
    });
  STRUCTS.set(name, { kind: 'struct', name, fields, extensions: options.extensions ?? true, byValue: options.byValue ?? false });
}

export function structShape(name: string): StructShape {
  const shape = STRUCTS.get(name);
  if (!shape) throw new Error(`no shape named ${name}`);
  return shape;
}

export function resolveShape(shape: Shape): Exclude<Shape, { kind: 'ref' }> {
  return shape.kind === 'ref' ? structShape(shape.name) : shape;
}

struct('Project', `name:str services!:{}Service networks:{}Network volumes:{}Volume secrets:{}Secret configs:{}Config models:{}Model`);

struct(
  'Service',
  `profiles:strs annotations:mapping attach:pbool build:Build develop:Develop blkio_config:Blkio cap_add:strs
   cap_drop:strs cgroup_parent:str cgroup:str cpu_count:int cpu_percent:float cpu_period:int cpu_quota:int
   cpu_rt_period:int cpu_rt_runtime:int cpus:float cpuset:str cpu_shares:int command:cmd configs:[]FileReference
   container_name:str credential_spec:CredentialSpec depends_on:{}Dependency deploy:Deploy
   device_cgroup_rules:strs devices:[]DeviceMapping dns:slist dns_opt:strs dns_search:slist dockerfile:str
   domainname:str entrypoint:cmd provider:Provider environment:env env_file:[]EnvFile expose:snlist
   extends:Extends external_links:strs extra_hosts:hosts group_add:strs gpus:[]DeviceRequest hostname:str
   healthcheck:Healthcheck image:str init:pbool ipc:str isolation:str labels:labels label_file:strs links:strs
   logging:Logging log_driver:str log_opt:options mem_limit:bytes mem_reservation:bytes memswap_limit:bytes
   mem_swappiness:bytes mac_address:str models:{}?ServiceModel net:str network_mode:str
   networks:{}?ServiceNetwork oom_kill_disable:bool oom_score_adj:int pid:str pids_limit:int platform:str
   ports:[]Port privileged:bool pull_policy:str read_only:bool restart:str runtime:str scale:pint
   secrets:[]FileReference security_opt:strs shm_size:bytes stdin_open:bool stop_grace_period:pdur
   stop_signal:str storage_opt:options sysctls:mapping tmpfs:slist tty:bool ulimits:{}ulimit
   use_api_socket:bool user:str userns_mode:str uts:str volume_driver:str volumes:[]ServiceVolume
   volumes_from:strs working_dir:str pre_start:[]Hook post_start:[]Hook pre_stop:[]Hook`,
);
struct('Provider', `type:str options:multi`);
struct(
  'Build',
  `context:str dockerfile:str dockerfile_inline:str entitlements:strs args:env provenance:str sbom:str ssh:ssh
   labels:labels cache_from:slist cache_to:slist no_cache:bool no_cache_filter:slist additional_contexts:mapping
   pull:bool extra_hosts:hosts isolation:str network:str target:str secrets:[]FileReference shm_size:bytes
   tags:slist ulimits:{}ulimit platforms:slist privileged:bool`,
);
struct('Develop', `watch:[]Trigger`);
struct('Trigger', `path!:str action!:str target:str exec:Hook include:strs ignore:strs initial_sync:bool`);
struct('Hook', `command:cmd image:str user:str privileged:bool working_dir:str environment:env per_replica:bool`);
struct(
  'Blkio',
  `weight:int weight_device:[]WeightDevice device_read_bps:[]ThrottleDevice device_read_iops:[]ThrottleDevice
   device_write_bps:[]ThrottleDevice device_write_iops:[]ThrottleDevice`,
);
// compose declares these two without names: YAML lowercases the field names, JSON keeps them capitalised.
struct('WeightDevice', `path!=Path:str weight!=Weight:int`);
struct('ThrottleDevice', `path!=Path:str rate!=Rate:bytes`);
struct('DeviceMapping', `source:str target:str permissions:str`);
struct('FileReference', `source:str target:str uid:str gid:str mode:mode`);
struct('CredentialSpec', `config:str file:str registry:str`);
struct('Dependency', `condition:str restart:bool required!:bool`);
struct(
  'Deploy',
  `mode:str replicas:pint labels:labels update_config:UpdateConfig rollback_config:UpdateConfig resources:Resources
   restart_policy:RestartPolicy placement:Placement endpoint_mode:str`,
);
struct('UpdateConfig', `parallelism:pint delay:dur failure_action:str monitor:dur max_failure_ratio:float order:str`);
struct('Resources', `limits:Resource reservations:Resource`, { byValue: true });
struct('Resource', `cpus:cpus memory:bytes pids:int devices:[]DeviceRequest generic_resources:[]GenericResource`);
struct('GenericResource', `discrete_resource_spec:DiscreteResource`);
struct('DiscreteResource', `kind!:str value!:int`);
struct('RestartPolicy', `condition:str delay:pdur max_attempts:pint window:pdur`);
struct('Placement', `constraints:strs preferences:[]PlacementPreference max_replicas_per_node:int`, { byValue: true });
struct('PlacementPreference', `spread:str`);
struct('DeviceRequest', `capabilities:strs driver:str count:count device_ids:strs options:mapping`, { extensions: false });
struct('EnvFile', `path:str required:optout format:str`, { extensions: false });
struct('Extends', `file:str service:str`, { extensions: false });
struct(
  'Healthcheck',
  `test:htest timeout:pdur interval:pdur retries:pint start_period:pdur start_interval:pdur disable:bool`,
);
struct('Logging', `driver:str options:options`);
struct('ServiceModel', `endpoint_var:str model_var:str`);
struct(
  'ServiceNetwork',
  `aliases:strs driver_opts:options gw_priority:int interface_name:str ipv4_address:str ipv6_address:str
   link_local_ips:strs mac_address:str priority:int`,
);
struct('Port', `name:str mode:str host_ip:str target:int published:str protocol:str app_protocol:str`);
struct(
  'ServiceVolume',
  `type:str source:str target:str read_only:bool consistency:str bind:VolumeBind volume:VolumeVolume
   tmpfs:VolumeTmpfs image:VolumeImage`,
);
struct('VolumeBind', `selinux:str propagation:str create_host_path:optout recursive:str`);
struct('VolumeVolume', `labels:mapping nocopy:bool subpath:str`);
struct('VolumeTmpfs', `size:bytes mode:int`);
struct('VolumeImage', `subpath:str`);
struct(
  'Network',
  `name:str driver:str driver_opts:options ipam:Ipam external:bool internal:bool attachable:bool labels:labels
   enable_ipv4:pbool enable_ipv6:pbool`,
  { byValue: true },
);
struct('Ipam', `driver:str config:[]IpamPool options:options`, { byValue: true });
struct('IpamPool', `subnet:str gateway:str ip_range:str aux_addresses:mapping`);
struct('Volume', `name:str driver:str driver_opts:options external:bool labels:labels`, { byValue: true });
// A secret's content is never written out; a config's inline content is.
struct(
  'Secret',
  `name:str file:str environment:str external:bool labels:labels driver:str driver_opts:options template_driver:str`,
  { byValue: true },
);
struct(
  'Config',
  `name:str file:str environment:str content:str external:bool labels:labels driver:str driver_opts:options
   template_driver:str`,
  { byValue: true },
);
struct('Model', `name:str model:str context_size:int runtime_flags:strs`, { byValue: true });
