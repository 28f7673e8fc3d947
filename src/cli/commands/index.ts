import type { CommandSpec } from '../context';
import { driftCommand } from './drift';
import { exportCommand } from './export';
import { loadtestCommand } from './loadtest';
import { serveCommand } from './serve';
import { historyCommand, modelsCommand, showCommand, versionsCommand } from './registryRead';
import {
  archiveCommand,
  deleteCommand,
  gcCommand,
  initCommand,
  promoteCommand,
  pullCommand,
  pushCommand,
  restoreCommand,
  rollbackCommand,
  verifyCommand,
} from './registryWrite';
import { tagCommand } from './tag';

/** Every `mlops` command, in the order `mlops --help` lists them. */
export const COMMANDS: CommandSpec[] = [
  initCommand,
  pushCommand,
  modelsCommand,
  versionsCommand,
  showCommand,
  promoteCommand,
  rollbackCommand,
  historyCommand,
  tagCommand,
  archiveCommand,
  restoreCommand,
  deleteCommand,
  pullCommand,
  verifyCommand,
  gcCommand,
  driftCommand,
  serveCommand,
  loadtestCommand,
  exportCommand,
];
