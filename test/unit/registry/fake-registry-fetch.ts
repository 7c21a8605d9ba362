/**
 * An in-memory Confluent-compatible registry behind a `fetch` function, for
 * RegistryAdmin tests. Compatibility is reduced to the BACKWARD rule that
 * matters here: a new version may not add a field without a default.
 * `style: 'apicurio'` answers NONE (not 404) for the level of an existing
 * subject without one, as Apicurio's ccompat API does.
 */
interface Subject {
  versions: Array<{ id: number; schema: string }>;
}

export function fakeRegistryFetch(options: { style?: 'confluent' | 'apicurio' } = {}) {
  const subjects = new Map<string, Subject>();
  const levels = new Map<string, string>();
  const ids = new Map<string, number>();
  const requests: string[] = [];
  const state = { down: false };

  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fieldsOf = (schema: string) => (JSON.parse(schema) as { fields: Array<{ name: string; default?: unknown }> }).fields;

  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const path = decodeURIComponent(url.pathname.replace(/^\/api/, ''));
    requests.push(`${method} ${path}`);
    if (state.down) throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const body = init?.body ? (JSON.parse(String(init.body)) as Record<string, string>) : {};
    let m: RegExpExecArray | null;
    if ((m = /^\/config\/(.+)$/.exec(path))) {
      const subject = m[1]!;
      if (method === 'PUT') {
        levels.set(subject, body.compatibility!);
        return json(200, { compatibility: body.compatibility });
      }
      const level = levels.get(subject);
      if (level) return json(200, { compatibilityLevel: level });
      if (options.style === 'apicurio' && subjects.has(subject)) return json(200, { compatibilityLevel: 'NONE' });
      return json(404, { error_code: 40401, message: `Subject '${subject}' not found.` });
    }
    if ((m = /^\/subjects\/(.+)\/versions$/.exec(path)) && method === 'POST') {
      const subject = subjects.get(m[1]!) ?? { versions: [] };
      const existing = subject.versions.find((v) => v.schema === body.schema);
      if (existing) return json(200, { id: existing.id });
      const latest = subject.versions.at(-1);
      const level = levels.get(m[1]!) ?? 'NONE';
      if (latest && level.startsWith('BACKWARD')) {
        const old = new Set(fieldsOf(latest.schema).map((f) => f.name));
        const added = fieldsOf(body.schema!).filter((f) => !old.has(f.name) && !('default' in f));
        if (added.length > 0) return json(409, { error_code: 409, message: `Schema being registered is incompatible: ${added.map((f) => f.name).join(', ')} has no default` });
      }
      const id = ids.get(body.schema!) ?? ids.size + 1;
      ids.set(body.schema!, id);
      subject.versions.push({ id, schema: body.schema! });
      subjects.set(m[1]!, subject);
      return json(200, { id });
    }
    if ((m = /^\/subjects\/(.+)$/.exec(path)) && method === 'POST') {
      const subject = subjects.get(m[1]!);
      if (!subject) return json(404, { error_code: 40401, message: `Subject '${m[1]}' not found.` });
      const i = subject.versions.findIndex((v) => v.schema === body.schema);
      if (i < 0) return json(404, { error_code: 40403, message: 'Schema not found' });
      return json(200, { subject: m[1], id: subject.versions[i]!.id, version: i + 1, schema: body.schema });
    }
    return new Response('<html>Not Found</html>', { status: 404 });
  };
  return { fetch: fetchFn as typeof fetch, requests, subjects, levels, state };
}
