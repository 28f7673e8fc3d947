import * as vscode from 'vscode';
import type { InferRequestBody } from '../../shared/servingProtocol';
import type { Endpoint } from './endpoints';
import { endpointSignature } from './signature';

/**
 * An endpoint's URL as the user may use it: through env.asExternalUri, so it works in remote and
 * code-server sessions (it sets up the port forwarding). Asked each time, never cached (vscode #81131).
 */
export async function externalUrl(url: string): Promise<string> {
  const ext = await vscode.env.asExternalUri(vscode.Uri.parse(url));
  return ext.toString(true).replace(/\/$/, '');
}

/** A shell-safe single-quoted string. */
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function curlFor(e: Endpoint, body: InferRequestBody): Promise<string> {
  const base = await externalUrl(e.url);
  return `curl -s -X POST ${quote(`${base}/v2/models/${encodeURIComponent(e.model)}/infer`)} -H 'content-type: application/json' -d ${quote(JSON.stringify(body))}`;
}

/** A curl command that sends a valid example request to the endpoint. */
export async function curlExample(e: Endpoint): Promise<string> {
  const sig = await endpointSignature(e);
  return curlFor(e, sig.example);
}
