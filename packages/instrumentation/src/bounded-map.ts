/**
 * A map that evicts its least recently used entries beyond `max`, handing
 * each evicted value to `onEvict` (so an adapter can end what the framework
 * never ended). Shared by the framework adapters and the processor's
 * foreign-span mapping: memory stays bounded however many runs never finish.
 */
export class BoundedMap<V> {
  private readonly map = new Map<string, V>();

  constructor(
    private readonly max: number,
    private readonly onEvict: (value: V) => void = () => undefined,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** The value, marked as recently used (an agent looked up by its children is not the first to go). */
  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) {
      const oldest = this.map.entries().next();
      if (oldest.done) break;
      this.map.delete(oldest.value[0]);
      this.onEvict(oldest.value[1]);
    }
  }

  delete(key: string): V | undefined {
    const value = this.map.get(key);
    this.map.delete(key);
    return value;
  }

  /** Removes and returns every value for which `pick` is true. */
  take(pick: (value: V) => boolean): V[] {
    const out: V[] = [];
    for (const [key, value] of this.map) {
      if (pick(value)) {
        this.map.delete(key);
        out.push(value);
      }
    }
    return out;
  }
}
