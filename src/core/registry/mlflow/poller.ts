import { createHash } from 'node:crypto';
import type { Disposable } from '../registry';
import type { MlflowClient } from './client';
import type { Logger } from './transport';

/**
 * watch() for a server: MLflow pushes no notifications, so we poll a cheap fingerprint — every
 * registered model's name, update time, tags (our history events change them on every alias or status
 * change) and aliases, plus the most recently updated model version — and call the listener when it
 * changes. A failed poll (server down) changes nothing; the next one tries again.
 */
export function pollForChanges(
  client: MlflowClient,
  intervalMs: number,
  listener: () => void,
  log?: Logger,
): Disposable {
  let last: string | undefined;
  let busy = false;
  let disposed = false;
  const tick = async () => {
    if (busy || disposed) return;
    busy = true;
    try {
      const fp = await fingerprint(client);
      if (!disposed && last !== undefined && fp !== last) listener();
      last = fp;
    } catch (e) {
      log?.('debug', `watch: poll failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return {
    dispose: () => {
      disposed = true;
      clearInterval(timer);
    },
  };
}

export async function fingerprint(client: MlflowClient): Promise<string> {
  const h = createHash('sha256');
  let pageToken: string | undefined;
  do {
    const page = await client.searchModels({ maxResults: 1000, pageToken });
    for (const m of page.registered_models ?? []) {
      const tags = (m.tags ?? [])
        .map((t) => `${t.key}=${t.value}`)
        .sort()
        .join('\u0001');
      const aliases = (m.aliases ?? [])
        .map((a) => `${a.alias}:${a.version}`)
        .sort()
        .join(',');
      const latest = (m.latest_versions ?? [])
        .map((v) => v.version)
        .sort()
        .join(',');
      h.update(`${m.name}\u0000${m.last_updated_timestamp ?? ''}\u0000${tags}\u0000${aliases}\u0000${latest}\n`);
    }
    pageToken = page.next_page_token || undefined;
  } while (pageToken);
  const top = await client.searchVersions({ maxResults: 1, orderBy: ['last_updated_timestamp DESC'] });
  for (const v of top.model_versions ?? [])
    h.update(`${v.name}\u0000${v.version}\u0000${v.last_updated_timestamp ?? ''}`);
  return h.digest('hex');
}
