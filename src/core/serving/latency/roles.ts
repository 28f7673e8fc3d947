import type { ServedModel } from '../deploy/servedModel';
import type { RoleInfo, ServingRole } from './types';

/** Primary first: the order roles are listed in, and which one a version serving two of them shows. */
export const ROLE_ORDER: readonly ServingRole[] = ['primary', 'canary', 'shadow'];

/** Primary, then canary, then shadow; stable within a role. */
export function sortRoles(roles: RoleInfo[]): RoleInfo[] {
  return [...roles].sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role));
}

/** The versions a served model answers with now, per role, and the canary's configured share. */
export function servedRoles(model: ServedModel | undefined): RoleInfo[] {
  if (!model) return [];
  const out: RoleInfo[] = [];
  const add = (role: ServingRole, version: number | undefined, share: number | null) => {
    if (version !== undefined) out.push({ version, role, share });
  };
  add('primary', model.primary.live?.served.version, null);
  if (model.canary) add('canary', model.canary.slot.live?.served.version, model.canary.share);
  add('shadow', model.shadow?.live?.served.version, null);
  return out;
}

/** A note for each shadow without a line of its own: why the panel shows no latency for it. */
export function shadowNotes(roles: RoleInfo[], lines: { version: number; role: ServingRole }[]): string[] {
  return roles
    .filter((r) => r.role === 'shadow' && !lines.some((l) => l.version === r.version && l.role === 'shadow'))
    .map(
      (r) =>
        `v${r.version} runs as a shadow: a copy of every request, compared with the answer but not timed, so it has no line.`,
    );
}
