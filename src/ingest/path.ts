// Field paths as the API reports them: `alerts[0].labels["service.name"]`.

const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names longer than this are shortened in error paths (a 5 MB label name must not come back). */
const SHOWN_NAME_CHARS = 64;

/** Formats a path as `alerts[0].labels["service.name"]`; control characters come out escaped. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    const name = String(key);
    if (SIMPLE_KEY.test(name) && name.length <= SHOWN_NAME_CHARS) return out ? `${out}.${name}` : name;
    const shown = name.length > SHOWN_NAME_CHARS ? `${name.slice(0, SHOWN_NAME_CHARS)}…` : name;
    return `${out}[${JSON.stringify(shown)}]`;
  }, '');
}
