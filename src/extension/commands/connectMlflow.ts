import type * as vscode from 'vscode';
import type { MlflowCredentials } from '../../core/registry/mlflow/credentials';
import { registerCommand } from '../boundary';
import { readConfig, writeSetting } from '../config';
import { COMMANDS } from '../ids';
import { loadCore } from '../registry/loadCore';
import { withProgress } from '../ui/progress';
import { askSecret, askText, pickOne } from '../ui/prompt';
import { showInfo } from '../ui/toast';
import type { Deps } from './deps';

/** Answers given up front (tests, other extensions): skips the prompts, like the CLI's flags. */
export interface ConnectAnswers {
  url?: string;
  auth?: MlflowCredentials['kind'];
  username?: string;
  password?: string;
  token?: string;
}

/**
 * MLOps: Connect to MLflow…: asks for the server and how to sign in, checks /health, /version and a
 * registry read with those credentials, and only then keeps the secret in SecretStorage and points
 * mlops.registry.uri at the server (a URL without credentials).
 */
export function registerConnectMlflow(d: Deps): vscode.Disposable {
  return registerCommand(d.log, COMMANDS.connectMlflow, async (answers: ConnectAnswers = {}) => {
    const core = await loadCore();
    const current = readConfig().registryUri;
    const raw =
      answers.url ??
      (await askText({
        title: 'Connect to MLflow (1/3): server',
        prompt: "The tracking server's base URL. Credentials are asked next and kept in VS Code's secret storage.",
        placeHolder: 'https://mlflow.example.com',
        value: /^https?:\/\//i.test(current) ? current : undefined,
        validate: (s) => core.normalizeMlflowUrl(s),
      }));
    const { url, credentials: fromUrl } = core.normalizeMlflowUrl(raw);
    const credentials = fromUrl ?? (await askCredentials(answers));
    const info = await withProgress(`Connecting to MLflow at ${url}…`, (_report, signal) =>
      core.checkMlflowConnection(url, credentials, { env: process.env, signal }),
    );
    await d.secrets.store(url, credentials);
    d.log.info(
      `Connected to MLflow ${info.serverVersion} at ${info.url} (${credentials.kind === 'none' ? 'no credentials' : `${credentials.kind} credentials in secret storage`}).`,
    );
    if (current === url) await d.service.reopen('MLflow credentials changed');
    else await writeSetting('registryUri', url); // the setting change re-opens the registry
    showInfo(`Connected to MLflow ${info.serverVersion} at ${info.url}.${info.warning ? ` ${info.warning}` : ''}`);
    return info;
  });
}

async function askCredentials(a: ConnectAnswers): Promise<MlflowCredentials> {
  const kind =
    a.auth ??
    (await pickOne<MlflowCredentials['kind']>(
      [
        { label: 'No sign-in', description: "or MLFLOW_TRACKING_* variables in VS Code's environment", value: 'none' },
        {
          label: 'Username and password',
          description: 'HTTP Basic, as MLFLOW_TRACKING_USERNAME/PASSWORD',
          value: 'basic',
        },
        { label: 'Token', description: 'Bearer, as MLFLOW_TRACKING_TOKEN', value: 'bearer' },
      ],
      { title: 'Connect to MLflow (2/3): sign-in', placeHolder: 'How does this server authenticate?' },
    ));
  const required = (what: string) => (s: string) => {
    if (!s.trim()) throw new Error(`The ${what} is empty.`);
  };
  if (kind === 'basic') {
    const username =
      a.username ??
      (await askText({
        title: 'Connect to MLflow (3/3): username',
        prompt: 'Username',
        validate: required('username'),
      }));
    const password =
      a.password ??
      (await askSecret('Connect to MLflow (3/3): password', "Password (kept in VS Code's secret storage)"));
    return { kind, username, password };
  }
  if (kind === 'bearer') {
    return {
      kind,
      token:
        a.token ??
        (await askSecret('Connect to MLflow (3/3): token', "Access token (kept in VS Code's secret storage)")),
    };
  }
  return { kind: 'none' };
}
