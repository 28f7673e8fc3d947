/**
 * Which model the status bar follows and which of its aliases it names. No `vscode` import: the choice
 * is unit-tested. The status bar reads the registry only once something else opened it (the Models
 * view, a command) or the setting names a model, so activation stays free of the registry core.
 */

/** The model to show: the setting's, else the one last used in this workspace, else the only model. */
export function statusBarModel(opts: {
  /** `mlops.statusBar.model` ("" = automatic). */
  setting: string;
  /** The model last used in this workspace, when it still exists. */
  lastUsed: string | undefined;
  /** The first models of the registry (at most two are needed) and whether there are more. */
  models: readonly string[];
  more: boolean;
}): string | undefined {
  if (opts.setting) return opts.setting;
  if (opts.lastUsed) return opts.lastUsed;
  return opts.models.length === 1 && !opts.more ? opts.models[0] : undefined;
}

/** The alias the status bar follows: production if the model has it, else the first configured one it has. */
export function statusBarAlias(aliases: Record<string, number>, promotionAliases: string[]): string | undefined {
  if (aliases.production !== undefined) return 'production';
  return promotionAliases.find((a) => aliases[a] !== undefined);
}
