// additional_contexts for the classic builder: a named context that is an image (`docker-image://ref`, or another
// service's `service:name`) is given to the build by naming that image in the Dockerfile itself (its FROM lines and
// --from flags), which is what BuildKit does with it. Which contexts are images: src/plan/named-contexts.ts.

/**
 * The Dockerfile with each named context replaced by its image: `FROM name` (not a stage of the file) and
 * `--from=name`. Line continuations and other instructions are left as they are.
 */
export function substituteContexts(dockerfile: string, images: ReadonlyMap<string, string>): string {
  if (images.size === 0) return dockerfile;
  const stages = new Set<string>();
  return dockerfile
    .split('\n')
    .map((line) => {
      const from = /^(\s*FROM\s+(?:--\S+\s+)*)(\S+)(.*)$/i.exec(line);
      if (from) {
        const replaced = !stages.has(from[2]!.toLowerCase()) && images.has(from[2]!) ? `${from[1]}${images.get(from[2]!)}${from[3]}` : line;
        const stage = /\s+AS\s+(\S+)/i.exec(from[3]!)?.[1];
        if (stage) stages.add(stage.toLowerCase());
        return replaced;
      }
      return line.replace(/--from=(\S+)/g, (whole, name: string) => (!stages.has(name.toLowerCase()) && images.has(name) ? `--from=${images.get(name)}` : whole));
    })
    .join('\n');
}
