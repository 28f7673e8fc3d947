import type { Page } from './types';

/** The largest page either backend serves (MLflow caps max_results at 1000). */
const MAX_PAGE = 1000;

/**
 * Pages through a listing until `limit` items are in hand (all of them without a limit). `more` says
 * whether the listing goes on past what was collected, so a view can offer "Load more…".
 */
export async function collectPages<T>(
  list: (pageToken: string | undefined, maxResults: number) => Promise<Page<T>>,
  limit = Infinity,
): Promise<{ items: T[]; more: boolean }> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await list(token, Math.min(MAX_PAGE, limit - items.length));
    items.push(...page.items);
    token = page.nextPageToken;
  } while (token && items.length < limit);
  return { items, more: token !== undefined };
}
