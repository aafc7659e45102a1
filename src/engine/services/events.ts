// Engine events (container, image, volume and network lifecycle) for GET /events: kept in a bounded history and pushed to listeners.
export interface EngineEvent {
  readonly Type: 'container' | 'image' | 'volume' | 'network';
  readonly Action: string;
  readonly Actor: { readonly ID: string; readonly Attributes: Readonly<Record<string, string>> };
  readonly scope: 'local';
  readonly time: number;
  readonly timeNano: number;
  // The older fields the docker CLI still reads.
  readonly status: string;
  readonly id: string;
  readonly from?: string;
}

const HISTORY = 1000;

export class EventBus {
  private readonly history: EngineEvent[] = [];
  private readonly listeners = new Set<(event: EngineEvent) => void>();

  emit(type: EngineEvent['Type'], action: string, id: string, attributes: Record<string, string>): void {
    const nanos = BigInt(Date.now()) * 1_000_000n + process.hrtime.bigint() % 1_000_000n;
    const event: EngineEvent = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: 'local',
      time: Number(nanos / 1_000_000_000n),
      timeNano: Number(nanos),
      status: action,
      id,
      ...(attributes.image ? { from: attributes.image } : {}),
    };
    this.history.push(event);
    if (this.history.length > HISTORY) this.history.shift();
    for (const listener of this.listeners) listener(event);
  }

  since(seconds: number): EngineEvent[] {
    return this.history.filter((event) => event.timeNano >= seconds * 1e9);
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
