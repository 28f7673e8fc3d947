import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { UserCancelled } from '../boundary';

/** Thin wrappers over quick picks and input boxes; Escape anywhere cancels the whole command quietly. */

export interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

export async function pickOne<T>(items: PickItem<T>[], opts: { title: string; placeHolder?: string }): Promise<T> {
  const picked = await vscode.window.showQuickPick(items, {
    title: opts.title,
    placeHolder: opts.placeHolder,
    ignoreFocusOut: true,
    matchOnDescription: true,
  });
  if (!picked) throw new UserCancelled();
  return picked.value;
}

/** An input box whose `validate` (a core validator that throws MlopsError) explains what is wrong. */
export async function askText(opts: {
  title: string;
  prompt: string;
  placeHolder?: string;
  value?: string;
  validate?: (value: string) => unknown;
}): Promise<string> {
  const v = await vscode.window.showInputBox({
    title: opts.title,
    prompt: opts.prompt,
    placeHolder: opts.placeHolder,
    value: opts.value,
    ignoreFocusOut: true,
    validateInput: opts.validate
      ? (s) => {
          try {
            opts.validate?.(s);
            return undefined;
          } catch (e) {
            return errorMessage(e);
          }
        }
      : undefined,
  });
  if (v === undefined) throw new UserCancelled();
  return v;
}

/** The optional one-line reason every transition records in the audit history ("" = none). */
export async function askReason(title: string): Promise<string> {
  const r = await askText({
    title,
    prompt: 'Reason (optional, one line): it is recorded in the audit history. Press Enter to continue.',
    placeHolder: 'e.g. better AUC on the March holdout',
  });
  return r.trim();
}

/**
 * A quick pick that also accepts typed text not in the list (a new model name, a new alias): typing
 * adds a first item "New …: <text>".
 */
export async function pickOrType(opts: {
  title: string;
  placeHolder: string;
  items: string[];
  newLabel: string;
  value?: string;
  validate?: (s: string) => unknown;
}): Promise<string> {
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { value: string }>();
  qp.title = opts.title;
  qp.placeholder = opts.placeHolder;
  qp.ignoreFocusOut = true;
  const fixed = opts.items.map((s) => ({ label: s, value: s }));
  const update = () => {
    const typed = qp.value.trim();
    let problem: string | undefined;
    if (typed && opts.validate) {
      try {
        opts.validate(typed);
      } catch (e) {
        problem = errorMessage(e);
      }
    }
    const extra =
      typed && !opts.items.includes(typed)
        ? [
            {
              label: `$(add) ${opts.newLabel}: ${typed}`,
              description: problem,
              value: problem ? '' : typed,
              alwaysShow: true,
            },
          ]
        : [];
    qp.items = [...extra, ...fixed];
  };
  qp.onDidChangeValue(update);
  if (opts.value) qp.value = opts.value;
  update();
  qp.show();
  try {
    return await new Promise<string>((resolve, reject) => {
      qp.onDidAccept(() => {
        const v = qp.selectedItems[0]?.value ?? qp.activeItems[0]?.value;
        if (v) resolve(v);
      });
      qp.onDidHide(() => reject(new UserCancelled()));
    });
  } finally {
    qp.dispose();
  }
}

/** A password input box (tokens, passwords): the text is hidden and must not be empty. */
export async function askSecret(title: string, prompt: string): Promise<string> {
  const v = await vscode.window.showInputBox({
    title,
    prompt,
    password: true,
    ignoreFocusOut: true,
    validateInput: (s) => (s ? undefined : 'It is empty.'),
  });
  if (v === undefined) throw new UserCancelled();
  return v;
}
