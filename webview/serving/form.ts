import type { InferRequestBody, RequestInput, TensorSpec } from '../../src/shared/servingProtocol';
import {
  checkRequest,
  parseField,
  parseJsonRequest,
  type RequestProblem,
  shapeText,
} from '../../src/shared/servingRequest';

/** The request editors: one field per input of the signature, and the raw OIP v2 JSON. */

const idFor = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, '_');

export function renderFields(
  box: HTMLElement,
  inputs: TensorSpec[],
  texts: Record<string, string>,
  onInput: (name: string, text: string) => void,
): void {
  box.replaceChildren();
  for (const spec of inputs) {
    const id = idFor(spec.name);
    const div = document.createElement('div');
    div.className = 'field';
    div.dataset.input = spec.name;
    const label = document.createElement('label');
    label.htmlFor = `field-${id}`;
    label.textContent = `${spec.name} `;
    const specText = document.createElement('span');
    specText.className = 'spec';
    specText.textContent = `${spec.datatype} ${shapeText(spec.shape)}`;
    label.append(specText);
    const area = document.createElement('vscode-textarea') as HTMLElement & { value: string; rows: number };
    area.id = `field-${id}`;
    area.setAttribute('rows', '2');
    area.setAttribute('monospace', '');
    area.setAttribute('aria-describedby', `error-${id}`);
    area.setAttribute(
      'aria-label',
      `${spec.name}: ${spec.datatype} ${shapeText(spec.shape)}, values separated by commas`,
    );
    area.value = texts[spec.name] ?? '';
    area.addEventListener('input', () => onInput(spec.name, area.value));
    const err = document.createElement('p');
    err.className = 'field-error';
    err.id = `error-${id}`;
    err.setAttribute('role', 'alert');
    err.hidden = true;
    div.append(label, area, err);
    box.append(div);
  }
}

/** The form's request, or the problems (each shown next to its field). */
export function formRequest(
  inputs: TensorSpec[],
  texts: Record<string, string>,
): { ok: true; body: InferRequestBody } | { ok: false; problems: RequestProblem[] } {
  const problems: RequestProblem[] = [];
  const body: InferRequestBody = { inputs: [] };
  for (const spec of inputs) {
    const r = parseField(spec, texts[spec.name] ?? '');
    if (r.ok) body.inputs.push(r.input);
    else problems.push({ input: spec.name, message: r.message });
  }
  if (problems.length === 0) problems.push(...checkRequest(inputs, body));
  return problems.length ? { ok: false, problems } : { ok: true, body };
}

export function jsonRequest(inputs: TensorSpec[], text: string) {
  return parseJsonRequest(inputs, text);
}

/** Shows each problem next to the field it concerns; clears the others. */
export function showFieldProblems(box: HTMLElement, problems: RequestProblem[]): void {
  for (const div of box.querySelectorAll<HTMLElement>('.field')) {
    const mine = problems.filter((p) => p.input === div.dataset.input);
    const err = div.querySelector<HTMLElement>('.field-error')!;
    err.hidden = mine.length === 0;
    err.textContent = mine.map((p) => p.message).join(' ');
    div.classList.toggle('invalid', mine.length > 0);
  }
}

export function showJsonProblems(el: HTMLElement, problems: RequestProblem[]): void {
  el.hidden = problems.length === 0;
  el.textContent = problems.map((p) => p.message).join(' ');
}

export const exampleFields = (inputs: RequestInput[], text: (i: RequestInput) => string) =>
  Object.fromEntries(inputs.map((i) => [i.name, text(i)]));
