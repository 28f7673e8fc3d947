import { randomBytes } from 'node:crypto';

/**
 * In-memory state of the MLflow tracking-server TEST DOUBLE, with the registry's rules as observed on
 * real servers (shared/reference/mlflow-rest.md). Every refusal is a DoubleError carrying the status and
 * MLflow error code a real server sends.
 */
export class DoubleError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface DoubleModel {
  name: string;
  description: string;
  createdAt: number;
  updatedAt: number;
  tags: Map<string, string>;
  /** alias -> version; left dangling when a version is deleted, as MLflow does. */
  aliases: Map<string, number>;
  /** Highest number ever given: deleted numbers are never reused. */
  lastVersion: number;
}

export interface DoubleVersion {
  name: string;
  version: number;
  createdAt: number;
  updatedAt: number;
  userId: string;
  stage: 'None' | 'Staging' | 'Production' | 'Archived';
  description: string;
  source: string;
  runId: string;
  status: 'READY' | 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION';
  tags: Map<string, string>;
  runLink: string;
}

export interface DoubleRun {
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  status: 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED' | 'SCHEDULED';
  startTime: number;
  endTime?: number;
  lifecycleStage: 'active' | 'deleted';
  artifactUri: string;
  metrics: { key: string; value: number; timestamp: number; step: number }[];
  params: Map<string, string>;
  tags: Map<string, string>;
}

const ALIAS_RE = /^[\w-]*$/;

export class DoubleStore {
  readonly models = new Map<string, DoubleModel>();
  /** key: `${name}\u0000${version}` */
  readonly versions = new Map<string, DoubleVersion>();
  readonly runs = new Map<string, DoubleRun>();
  /** experiment id -> artifact location ("mlflow-artifacts:/0" when proxied). */
  readonly experiments = new Map<string, string>([['0', 'mlflow-artifacts:/0']]);
  /** Files behind the artifact proxy, by path below mlflow-artifacts:/ */
  readonly artifacts = new Map<string, Buffer>();
  private clock = 1_700_000_000_000;

  /** Strictly increasing milliseconds, so ordering by time is deterministic in tests. */
  now(): number {
    this.clock = Math.max(this.clock + 1, Date.now());
    return this.clock;
  }

  model(name: string): DoubleModel {
    const m = this.models.get(name);
    if (!m) throw new DoubleError(404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);
    return m;
  }

  version(name: string, version: number): DoubleVersion {
    const v = this.versions.get(`${name}\u0000${version}`);
    if (!v)
      throw new DoubleError(
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `Model Version (name=${name}, version=${version}) not found`,
      );
    return v;
  }

  versionsOf(name: string): DoubleVersion[] {
    return [...this.versions.values()].filter((v) => v.name === name);
  }

  createModel(name: string, description: string, tags: { key: string; value: string }[]): DoubleModel {
    if (!name) throw new DoubleError(400, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'name'.");
    // MLflow 2.17 accepts '/' and ':' in model names (checked on a real server); some newer releases refuse them.
    if (this.models.has(name))
      throw new DoubleError(400, 'RESOURCE_ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`);
    const t = this.now();
    const m: DoubleModel = {
      name,
      description,
      createdAt: t,
      updatedAt: t,
      tags: new Map(tags.map((x) => [x.key, x.value])),
      aliases: new Map(),
      lastVersion: 0,
    };
    this.models.set(name, m);
    return m;
  }

  deleteModel(name: string): void {
    this.model(name);
    for (const v of this.versionsOf(name)) this.versions.delete(`${name}\u0000${v.version}`);
    this.models.delete(name);
  }

  createVersion(
    name: string,
    source: string,
    runId: string,
    description: string,
    tags: { key: string; value: string }[],
  ): DoubleVersion {
    const m = this.model(name);
    if (!source)
      throw new DoubleError(400, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'source'.");
    const t = this.now();
    m.lastVersion += 1;
    m.updatedAt = t;
    const v: DoubleVersion = {
      name,
      version: m.lastVersion,
      createdAt: t,
      updatedAt: t,
      userId: '',
      stage: 'None',
      description,
      source,
      runId,
      status: 'READY',
      tags: new Map(tags.map((x) => [x.key, x.value])),
      runLink: '',
    };
    this.versions.set(`${name}\u0000${v.version}`, v);
    return v;
  }

  /** MLflow deletes the version but leaves aliases pointing at it (dangling). */
  deleteVersion(name: string, version: number): void {
    this.version(name, version);
    this.versions.delete(`${name}\u0000${version}`);
    this.model(name).updatedAt = this.now();
  }

  setAlias(name: string, alias: string, version: number): void {
    validateAlias(alias);
    const m = this.model(name);
    this.version(name, version);
    // An alias change leaves the model's last_updated_timestamp as it was, as on MLflow 2.17.
    m.aliases.set(alias, version);
  }

  deleteAlias(name: string, alias: string): void {
    this.model(name).aliases.delete(alias);
  }

  createRun(
    experimentId: string,
    runName: string,
    userId: string,
    startTime: number,
    tags: { key: string; value: string }[],
  ): DoubleRun {
    const location = this.experiments.get(experimentId);
    if (location === undefined)
      throw new DoubleError(404, 'RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${experimentId} exists`);
    const runId = randomBytes(16).toString('hex');
    const r: DoubleRun = {
      runId,
      experimentId,
      runName: runName || `run-${runId.slice(0, 6)}`,
      userId,
      status: 'RUNNING',
      startTime: startTime || this.now(),
      lifecycleStage: 'active',
      artifactUri: `${location}/${runId}/artifacts`,
      metrics: [],
      params: new Map(),
      tags: new Map(tags.map((x) => [x.key, x.value])),
    };
    this.runs.set(runId, r);
    return r;
  }

  run(runId: string): DoubleRun {
    const r = this.runs.get(runId);
    if (!r) throw new DoubleError(404, 'RESOURCE_DOES_NOT_EXIST', `Run '${runId}' not found`);
    return r;
  }

  logParam(r: DoubleRun, key: string, value: string): void {
    const old = r.params.get(key);
    if (old !== undefined && old !== value) {
      throw new DoubleError(
        400,
        'INVALID_PARAMETER_VALUE',
        `Changing param values is not allowed. Param with key='${key}' was already logged with value='${old}' for run ID='${r.runId}'. Attempted logging new value '${value}'.`,
      );
    }
    r.params.set(key, value);
  }
}

export function validateAlias(alias: string): void {
  if (!alias || alias.length > 255 || !ALIAS_RE.test(alias)) {
    throw new DoubleError(
      400,
      'INVALID_PARAMETER_VALUE',
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
    );
  }
  if (alias.toLowerCase() === 'latest' || /^v\d+$/i.test(alias)) {
    throw new DoubleError(400, 'INVALID_PARAMETER_VALUE', `'${alias}' alias name (case insensitive) is reserved.`);
  }
}

export function validateTagKey(key: unknown): string {
  if (typeof key !== 'string' || key === '')
    throw new DoubleError(400, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'key'.");
  if (key.length > 250)
    throw new DoubleError(
      400,
      'INVALID_PARAMETER_VALUE',
      `Tag key '${key.slice(0, 20)}...' had length ${key.length}, which exceeded length limit of 250`,
    );
  return key;
}

export function validateTagValue(key: string, value: unknown): string {
  const v = typeof value === 'string' ? value : '';
  if (v.length > 5000)
    throw new DoubleError(
      400,
      'INVALID_PARAMETER_VALUE',
      `Tag value for key '${key}' had length ${v.length}, which exceeded length limit of 5000`,
    );
  return v;
}
