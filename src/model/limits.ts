// The bounds the loader puts on what a compose file may ask of it, in one place. Compose files come from anywhere
// (a cloned repository, stdin, an include of another project), so every cost a file can multiply is capped here and
// refused with a clear error instead of a hang, a crash or a stack overflow. Every pass is linear in the size of the
// document once these hold, and a document at the limits loads in about a second. Each bound is far above what a
// real project writes: a 200-service project is about 7,000 values, ten levels deep, 65 KB.

/** Nesting of mappings and lists, counted after aliases are expanded. */
export const MAX_DEPTH = 64;

/** Nodes (mappings, lists, scalars, keys) in one document after aliases and merge keys are expanded. */
export const MAX_NODES = 100_000;

/** One compose, env or label file, in bytes. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** Files read while loading one project through `include` and `extends`. */
export const MAX_FILES = 1000;

/** Characters one interpolated value may grow to. */
export const MAX_INTERPOLATED_VALUE = 1024 * 1024;

/** Characters all values interpolated in one file (a compose file or an env file) may add up to. */
export const MAX_INTERPOLATED_TOTAL = 16 * 1024 * 1024;

/** `${a:-${b:-...}}`: expressions nested inside one another. */
export const MAX_INTERPOLATION_NESTING = 32;

/**
 * Containers one service may ask for (`scale`, `deploy.replicas`). A container needs an address: a default
 * /20 network holds 4094, and no engine runs more than a few thousand containers per host.
 */
export const MAX_REPLICAS = 10_000;

/** The longest duration, in nanoseconds: what Go's `time.Duration` (an int64) holds; compose refuses longer ones. */
export const MAX_DURATION_NANOSECONDS = 2 ** 63 - 1;
