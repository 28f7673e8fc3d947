import { modelVersionJson, registeredModelJson } from './builders';
import type { Params } from './http';
import { checkMaxResults, matchClause, orderBy, page, parseFilter } from './search';
import { DoubleError, validateTagKey, validateTagValue, type DoubleStore, type DoubleVersion } from './store';

/** The TEST DOUBLE's Model Registry endpoints: "METHOD path below /api/2.0/mlflow/" -> handler. */
export type Handler = (p: Params, s: DoubleStore) => unknown;

const MODEL_FILTER_KEYS = new Set(['name']);
const VERSION_FILTER_KEYS = new Set(['name', 'version_number', 'run_id', 'source_path']);

function modelJson(s: DoubleStore, name: string) {
  return registeredModelJson(s.model(name), s.versionsOf(name));
}

function aliasesOf(s: DoubleStore, v: DoubleVersion): string[] {
  return [...s.model(v.name).aliases.entries()].filter(([, n]) => n === v.version).map(([a]) => a);
}

export const registryRoutes: Record<string, Handler> = {
  'POST registered-models/create': (p, s) => {
    const tags = p.tags();
    for (const t of tags) validateTagValue(validateTagKey(t.key), t.value);
    const m = s.createModel(p.str('name'), p.optStr('description'), tags);
    return { registered_model: registeredModelJson(m, []) };
  },
  'GET registered-models/get': (p, s) => ({ registered_model: modelJson(s, p.str('name')) }),
  'GET registered-models/search': (p, s) => {
    const max = p.int('max_results', 100);
    checkMaxResults(max, 1000);
    const clauses = parseFilter(p.optStr('filter'), MODEL_FILTER_KEYS);
    const all = [...s.models.values()].filter((m) => clauses.every((c) => matchClause(m.name, c)));
    const sorted = orderBy(
      all,
      p.list('order_by'),
      { name: (m) => m.name, last_updated_timestamp: (m) => m.updatedAt, timestamp: (m) => m.updatedAt },
      ['name ASC'],
    );
    const pg = page(sorted, max, p.optStr('page_token') || undefined);
    const out: Record<string, unknown> = {};
    if (pg.items.length) out.registered_models = pg.items.map((m) => registeredModelJson(m, s.versionsOf(m.name)));
    if (pg.next) out.next_page_token = pg.next;
    return out;
  },
  'PATCH registered-models/update': (p, s) => {
    const m = s.model(p.str('name'));
    if (p.has('description')) m.description = p.optStr('description');
    m.updatedAt = s.now();
    return { registered_model: modelJson(s, m.name) };
  },
  'POST registered-models/rename': (p, s) => {
    const m = s.model(p.str('name'));
    const to = p.str('new_name');
    if (s.models.has(to))
      throw new DoubleError(400, 'RESOURCE_ALREADY_EXISTS', `Registered Model (name=${to}) already exists.`);
    for (const v of s.versionsOf(m.name)) {
      s.versions.delete(`${m.name}\u0000${v.version}`);
      v.name = to;
      s.versions.set(`${to}\u0000${v.version}`, v);
    }
    s.models.delete(m.name);
    m.name = to;
    s.models.set(to, m);
    return { registered_model: modelJson(s, to) };
  },
  'DELETE registered-models/delete': (p, s) => {
    s.deleteModel(p.str('name'));
    return {};
  },
  'POST registered-models/set-tag': (p, s) => {
    const m = s.model(p.str('name'));
    const key = validateTagKey(p.raw('key'));
    m.tags.set(key, validateTagValue(key, p.raw('value')));
    return {};
  },
  'DELETE registered-models/delete-tag': (p, s) => {
    s.model(p.str('name')).tags.delete(p.str('key'));
    return {};
  },
  'POST registered-models/alias': (p, s) => {
    s.setAlias(p.str('name'), p.str('alias'), p.version());
    return {};
  },
  'DELETE registered-models/alias': (p, s) => {
    s.deleteAlias(p.str('name'), p.str('alias'));
    return {};
  },
  'GET registered-models/alias': (p, s) => {
    const m = s.model(p.str('name'));
    const alias = p.str('alias');
    const v = m.aliases.get(alias);
    // A missing alias is a 400 INVALID_PARAMETER_VALUE on real servers, not a 404.
    if (v === undefined)
      throw new DoubleError(400, 'INVALID_PARAMETER_VALUE', `Registered model alias ${alias} not found.`);
    const mv = s.version(m.name, v);
    return { model_version: modelVersionJson(mv, { aliases: aliasesOf(s, mv) }) };
  },

  'POST model-versions/create': (p, s) => {
    const tags = p.tags();
    for (const t of tags) validateTagValue(validateTagKey(t.key), t.value);
    const v = s.createVersion(p.str('name'), p.str('source'), p.optStr('run_id'), p.optStr('description'), tags);
    return { model_version: modelVersionJson(v) };
  },
  'GET model-versions/get': (p, s) => {
    const v = s.version(p.str('name'), p.version());
    return { model_version: modelVersionJson(v, { aliases: aliasesOf(s, v) }) };
  },
  'GET model-versions/search': (p, s) => {
    const max = p.int('max_results', 10_000);
    checkMaxResults(max, 200_000);
    const clauses = parseFilter(p.optStr('filter'), VERSION_FILTER_KEYS);
    const field = (v: DoubleVersion, key: string): string | number | undefined => {
      if (key.startsWith('tags.')) return v.tags.get(key.slice(5));
      return (
        { name: v.name, version_number: v.version, run_id: v.runId, source_path: v.source } as Record<
          string,
          string | number
        >
      )[key];
    };
    const all = [...s.versions.values()].filter((v) => clauses.every((c) => matchClause(field(v, c.key), c)));
    const sorted = orderBy(
      all,
      p.list('order_by'),
      {
        name: (v) => v.name,
        version_number: (v) => v.version,
        creation_timestamp: (v) => v.createdAt,
        last_updated_timestamp: (v) => v.updatedAt,
      },
      ['last_updated_timestamp DESC', 'name ASC', 'version_number DESC'],
    );
    const pg = page(sorted, max, p.optStr('page_token') || undefined);
    const out: Record<string, unknown> = {};
    // Search results never carry aliases (a real-server quirk): clients take them from the model.
    if (pg.items.length) out.model_versions = pg.items.map((v) => modelVersionJson(v));
    if (pg.next) out.next_page_token = pg.next;
    return out;
  },
  'PATCH model-versions/update': (p, s) => {
    const v = s.version(p.str('name'), p.version());
    if (p.has('description')) v.description = p.optStr('description');
    v.updatedAt = s.now();
    return { model_version: modelVersionJson(v) };
  },
  'DELETE model-versions/delete': (p, s) => {
    s.deleteVersion(p.str('name'), p.version());
    return {};
  },
  'POST model-versions/set-tag': (p, s) => {
    const v = s.version(p.str('name'), p.version());
    const key = validateTagKey(p.raw('key'));
    v.tags.set(key, validateTagValue(key, p.raw('value')));
    return {};
  },
  'DELETE model-versions/delete-tag': (p, s) => {
    s.version(p.str('name'), p.version()).tags.delete(p.str('key'));
    return {};
  },
  'GET model-versions/get-download-uri': (p, s) => ({ artifact_uri: s.version(p.str('name'), p.version()).source }),
  'POST model-versions/transition-stage': (p, s) => {
    const v = s.version(p.str('name'), p.version());
    const stage = p.str('stage');
    const canonical = ['None', 'Staging', 'Production', 'Archived'].find(
      (x) => x.toLowerCase() === stage.toLowerCase(),
    );
    if (!canonical) throw new DoubleError(400, 'INVALID_PARAMETER_VALUE', `Invalid Model Version stage: ${stage}.`);
    v.stage = canonical as DoubleVersion['stage'];
    v.updatedAt = s.now();
    return { model_version: modelVersionJson(v) };
  },
};
