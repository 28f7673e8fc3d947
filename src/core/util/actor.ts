import os from 'node:os';

/** Who is acting, for the audit history: MLOPS_ACTOR, else the OS user name. */
export function defaultActor(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.MLOPS_ACTOR?.trim();
  if (fromEnv) return fromEnv;
  try {
    return os.userInfo().username || 'unknown';
  } catch {
    return env.USER || env.USERNAME || 'unknown';
  }
}
