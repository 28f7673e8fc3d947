import { promises as fsp } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { hasReason, MlopsError } from '../../core/errors';
import type { Registry } from '../../core/registry/registry';
import { readConfig } from '../config';
import { COMMANDS, CONTEXT_KEYS, type RegistryState } from '../ids';
import type { Log } from '../log';
import type { MlflowSecrets } from '../secrets';
import { userSentence } from '../boundary';
import { showError } from '../ui/toast';
import { loadCore } from './loadCore';
import type { RegistryLocation } from './core';

/**
 * Owns the open registry: opens it lazily on first use (the Models view shown, a command run), read-only
 * in an untrusted workspace, re-opens it when `mlops.registry.uri` or trust changes, and turns the
 * core's change notifications into one event the views listen to. A registry that is missing or
 * unreadable is watched with a cheap stat poll, so creating or repairing it shows up by itself.
 */
export class RegistryService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the registry's content or this service's state changed. */
  readonly onDidChange = this.changed.event;
  private readonly stateChanged = new vscode.EventEmitter<RegistryState>();
  /** Fires when the state (loading, missing, error...) changed; views update their message, not their rows. */
  readonly onDidChangeState = this.stateChanged.event;
  /** The last failed open of this generation: views do not retry until something changes (no loops). */
  private failure: { gen: number; error: unknown } | undefined;
  private registry: Registry | undefined;
  private opening: { promise: Promise<Registry>; create: boolean } | undefined;
  private watcher: { dispose(): void } | undefined;
  private poll: NodeJS.Timeout | undefined;
  private generation = 0;
  private stateValue: RegistryState = 'idle';
  private lastError: unknown;
  /** Background failures already shown, so a broken registry does not raise a message per refresh. */
  private readonly notified = new Set<string>();

  constructor(
    private readonly log: Log,
    private readonly secrets: MlflowSecrets,
    /** Where downloads from an MLflow server are cached (the extension's global storage). */
    private readonly cacheDir: string,
  ) {
    void this.setState('idle');
  }

  get state(): RegistryState {
    return this.stateValue;
  }

  get readOnly(): boolean {
    return !vscode.workspace.isTrusted;
  }

  /** The sentence describing why the registry is unusable, when it is. */
  get problem(): string | undefined {
    return this.stateValue === 'error' && this.lastError !== undefined
      ? userSentence('Opening the registry', this.lastError)
      : undefined;
  }

  /** The open registry, opened on first use. Rejects with an MlopsError when it cannot be opened. */
  async get(opts: { create?: boolean } = {}): Promise<Registry> {
    if (this.registry) return this.registry;
    const create = opts.create === true;
    const f = this.failure;
    // A failed open is not retried until something changes (reopen, the file appears), except to create it.
    if (!this.opening && f && f.gen === this.generation && !(create && this.isMissing(f.error))) throw f.error;
    let attempt = this.opening;
    if (!attempt) {
      attempt = { promise: this.open(create), create };
      this.opening = attempt;
    }
    try {
      return await attempt.promise;
    } catch (e) {
      if (this.opening === attempt) this.opening = undefined;
      // Someone else's plain open found no registry while this caller (a push) may create one.
      if (create && !attempt.create && this.isMissing(e)) return this.get(opts);
      throw e;
    } finally {
      if (this.opening === attempt && this.registry) this.opening = undefined;
    }
  }

  /** Whether `r` is still the open registry (a re-open closes the old one under whoever still reads it). */
  isCurrent(r: Registry): boolean {
    return this.registry === r;
  }

  /** For views: the registry, or undefined after logging (and showing once) why not. */
  async tryGet(): Promise<Registry | undefined> {
    try {
      return await this.get();
    } catch (e) {
      this.noteFailure('Opening the registry', e);
      return undefined;
    }
  }

  /** Where the configured registry lives (no registry is opened). */
  async location(): Promise<RegistryLocation> {
    const core = await loadCore();
    return core.parseRegistryUri(readConfig().registryUri, workspaceRoot());
  }

  /** Forgets the open registry; the next `get` opens the configured one. Views refresh. */
  async reopen(reason: string): Promise<void> {
    this.log.info(`Re-opening the registry (${reason}).`);
    this.generation++;
    this.opening = undefined;
    this.notified.clear();
    this.stopPoll();
    await this.closeCurrent();
    await this.setState('idle');
    this.changed.fire();
  }

  /** A view or task failed to read an open registry (e.g. its file was corrupted since it was opened). */
  noteFailure(scope: string, e: unknown): void {
    if (this.isMissing(e)) return;
    this.lastError = e;
    void this.setState('error');
    const sentence = userSentence(scope, e);
    if (this.notified.has(sentence)) {
      this.log.debug(`[${scope}] still failing: ${sentence}`);
      return;
    }
    this.notified.add(sentence);
    this.log.error(scope, e);
    void showError(
      sentence,
      { title: 'Show Log', run: () => this.log.show() },
      { title: 'Select Registry', run: () => vscode.commands.executeCommand(COMMANDS.selectRegistry) },
    );
  }

  /** Called by the views after a successful read: clears an error state left by an earlier failure. */
  noteSuccess(hasModels: boolean): void {
    if (!this.registry) return;
    this.lastError = undefined;
    this.notified.clear();
    void this.setState(hasModels ? 'ready' : 'empty');
  }

  private async open(create: boolean): Promise<Registry> {
    const gen = this.generation;
    await this.setState('loading');
    const started = Date.now();
    try {
      const core = await loadCore();
      const cfg = readConfig();
      const cwd = workspaceRoot();
      if (cfg.registryUri === '' && cwd === undefined) {
        await this.setState('noFolder');
        throw new MlopsError(
          'INVALID_STATE',
          'No folder is open, so there is no workspace registry.',
          'Open a folder, or set mlops.registry.uri.',
        );
      }
      const loc = core.parseRegistryUri(cfg.registryUri || undefined, cwd);
      // MLflow: the credentials from "Connect to MLflow…" (SecretStorage), else MLflow's own variables.
      const credentials = loc.kind === 'mlflow' ? await this.secrets.get(loc.url) : undefined;
      const reg = await core.openRegistry(cfg.registryUri || undefined, {
        cwd,
        create,
        readOnly: this.readOnly,
        env: process.env,
        credentials,
        mlflow: {
          cacheDir: path.join(this.cacheDir, 'mlflow-cache'),
          log: (level, message) => this.log[level](message),
        },
      });
      if (gen !== this.generation) {
        // The setting changed while opening: this one is stale.
        await reg.close().catch(() => undefined);
        return this.get({ create });
      }
      this.registry = reg;
      this.lastError = undefined;
      this.stopPoll();
      this.watcher = reg.watch(() => this.changed.fire());
      this.log.info(
        `Opened the ${reg.kind} registry at ${reg.location}${this.readOnly ? ' read-only (untrusted workspace)' : ''} in ${Date.now() - started} ms.`,
      );
      await this.setState('ready');
      this.changed.fire();
      return reg;
    } catch (e) {
      if (gen === this.generation) {
        this.failure = { gen, error: e };
        await this.onOpenFailed(e);
      }
      throw e;
    }
  }

  private async onOpenFailed(e: unknown): Promise<void> {
    if (this.stateValue === 'noFolder') return;
    let dbFile: string | undefined;
    try {
      const core = await loadCore();
      const loc = await this.location();
      if (loc.kind === 'embedded') dbFile = path.join(loc.dir, core.DB_FILE);
    } catch {
      // An invalid URI: nothing to watch.
    }
    if (this.isMissing(e)) {
      this.log.info(`No registry yet: ${(e as MlopsError).message}`);
      await this.setState('missing');
    } else {
      this.lastError = e;
      await this.setState('error');
    }
    if (dbFile) this.startPoll(dbFile);
  }

  private isMissing(e: unknown): boolean {
    return hasReason(e, 'NO_REGISTRY');
  }

  /** Re-opens when the database file appears or changes (created by the CLI, restored from a backup). */
  private startPoll(file: string): void {
    this.stopPoll();
    const gen = this.generation;
    let last: string | undefined;
    const check = async () => {
      const s = await fsp.stat(file).then(
        (st) => `${st.ino}:${st.size}:${st.mtimeMs}`,
        () => 'none',
      );
      if (gen !== this.generation) return;
      if (last !== undefined && s !== last) void this.reopen(`${file} changed`);
      last = s;
    };
    void check();
    this.poll = setInterval(() => void check(), 400);
    this.poll.unref?.();
  }

  private stopPoll(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
  }

  private async closeCurrent(): Promise<void> {
    this.watcher?.dispose();
    this.watcher = undefined;
    const r = this.registry;
    this.registry = undefined;
    await r?.close().catch((e) => this.log.error('Closing the registry', e));
  }

  private async setState(s: RegistryState): Promise<void> {
    if (s === this.stateValue && s !== 'idle') return;
    this.stateValue = s;
    this.stateChanged.fire(s);
    await vscode.commands.executeCommand('setContext', CONTEXT_KEYS.registryState, s);
    await vscode.commands.executeCommand('setContext', CONTEXT_KEYS.readOnly, this.readOnly);
  }

  dispose(): void {
    this.generation++;
    this.stopPoll();
    void this.closeCurrent();
    this.changed.dispose();
    this.stateChanged.dispose();
  }
}

/** The first workspace folder's path: the base of relative registry paths and of the default `.mlops`. */
export function workspaceRoot(): string | undefined {
  const f = vscode.workspace.workspaceFolders?.find((w) => w.uri.scheme === 'file');
  return f?.uri.fsPath;
}
