/**
 * The copy of an event (or result) a worker recorder posts: what the main
 * thread's record methods would have read from the same object.
 *
 * Structured cloning, like `{ ...event }`, keeps only an object's own
 * enumerable properties: an event of the application's own class, whose
 * fields are getters on its prototype (`get tool()`), arrived empty. The
 * record methods read fields by property access, getters included; so does
 * this copy, for the documented fields only (a getter may do more than
 * return a value, like a cursor's `nextPage`).
 */

/** Prototypes looked into for getters (a class hierarchy is rarely deeper; a long chain must not cost much). */
const MAX_PROTOTYPES = 8;

/**
 * Every field of an event or result type (`AgentCallEvent` … `HandoffEvent`,
 * their `EventBase`, and the `*Result` types): the only names read from a
 * class's getters.
 */
const EVENT_FIELDS: ReadonlySet<string> = new Set([
  'agent', 'args', 'code', 'content', 'context', 'cwd', 'endTime', 'error', 'exitCode', 'from', 'hasToolCalls', 'language',
  'metadata', 'model', 'output', 'path', 'result', 'role', 'sender', 'source', 'startTime', 'status', 'stepId', 'to', 'tool',
  'toolCallId',
]);

/**
 * A plain copy of `event`: its own enumerable fields, and the getters its
 * class (or a class it extends) defines for the event fields. Each field is
 * read once, by property access, as a record method reads it. Throws what
 * reading throws (a getter that throws, a proxy's trap): the caller counts
 * such an event as lost; nothing else is thrown. `null` or a primitive gives
 * an empty copy.
 */
export function copyEventFields(event: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (event === null || typeof event !== 'object') return out;
  const source = event as Record<string, unknown>;
  for (const key of Object.keys(source)) define(out, key, source[key]);
  let proto: unknown = Object.getPrototypeOf(event);
  for (let depth = 0; depth < MAX_PROTOTYPES && proto !== null && proto !== Object.prototype; depth++) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (!EVENT_FIELDS.has(key) || Object.prototype.hasOwnProperty.call(out, key)) continue;
      // Read through the event, not the prototype: the getter sees the instance (its private fields too).
      if (Object.getOwnPropertyDescriptor(proto, key)?.get !== undefined) define(out, key, source[key]);
    }
    proto = Object.getPrototypeOf(proto);
  }
  return out;
}

/** `out[key] = value`, defined rather than assigned: an own `__proto__` key must not set the copy's prototype. */
function define(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}
