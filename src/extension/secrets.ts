import type * as vscode from 'vscode';
import type { MlflowCredentials } from '../core/registry/mlflow/credentials';

/**
 * MLflow credentials in VS Code's SecretStorage (CONVENTIONS 9), one entry per server origin, behind a
 * typed key. They never reach settings, logs or webviews.
 */
export const SECRET_KEYS = {
  mlflowCredentials: (serverUrl: string) => `mlops.mlflow.credentials:${new URL(serverUrl).origin}`,
} as const;

export class MlflowSecrets {
  constructor(private readonly storage: vscode.SecretStorage) {}

  async get(serverUrl: string): Promise<MlflowCredentials | undefined> {
    const raw = await this.storage.get(SECRET_KEYS.mlflowCredentials(serverUrl));
    if (!raw) return undefined;
    try {
      const c = JSON.parse(raw) as MlflowCredentials;
      if (c.kind === 'basic' || c.kind === 'bearer' || c.kind === 'none') return c;
    } catch {
      // A damaged entry is treated as absent: the server then asks again (401 -> Connect to MLflow…).
    }
    return undefined;
  }

  /** Stores the credentials; `none` removes any stored ones (so MLflow's env variables apply again). */
  async store(serverUrl: string, c: MlflowCredentials): Promise<void> {
    const key = SECRET_KEYS.mlflowCredentials(serverUrl);
    if (c.kind === 'none') await this.storage.delete(key);
    else await this.storage.store(key, JSON.stringify(c));
  }
}
