// `${ENV_VAR}` references in static targets (crds.md "Static targets"): a file can name a secret
// without holding it. Expanded at load time; a missing variable stops start-up naming the key
// and the variable, never a value.

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Where a reference could not be expanded. */
export interface ExpansionProblem {
  path: string;
  variable: string;
}

function expandValue(value: unknown, path: string, ctx: { env: Readonly<Record<string, string | undefined>>; problems: ExpansionProblem[] }): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (_match, name: string) => {
      const found = ctx.env[name];
      if (found === undefined || found === '') ctx.problems.push({ path, variable: name });
      return found ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandValue(v, `${path}[${i}]`, ctx));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandValue(v, `${path}.${k}`, ctx)]));
  }
  return value;
}

/** Expands the references under `publishing.targets`; returns the new document and any problems. */
export function expandTargetReferences(
  doc: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
): { doc: Record<string, unknown>; problems: ExpansionProblem[] } {
  const publishing = doc.publishing;
  if (typeof publishing !== 'object' || publishing === null || !('targets' in publishing)) return { doc, problems: [] };
  const problems: ExpansionProblem[] = [];
  const targets = expandValue(publishing.targets, 'publishing.targets', { env, problems });
  return { doc: { ...doc, publishing: { ...publishing, targets } }, problems };
}
