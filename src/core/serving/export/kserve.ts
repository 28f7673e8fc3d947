/**
 * A KServe `InferenceService` for an ONNX model. KServe serves ONNX with its Triton runtime
 * (`kserve-tritonserver`, Open Inference Protocol v2), which loads a Triton model repository from
 * `storageUri`; the export writes that repository beside the manifest and leaves the URI for the user to
 * fill, since only they know their bucket.
 */

/** A Kubernetes object name (RFC 1123 label): lowercase letters, digits and '-', at most 63 characters. */
export function kubernetesName(name: string): string {
  const n = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return n || 'model';
}

export const STORAGE_URI_PLACEHOLDER = 's3://CHANGE-ME/path/to/repository';

export function kserveManifest(o: { name: string; source: string; repositoryDir: string }): string {
  return [
    `# KServe InferenceService for ${o.source}, exported by \`mlops export\`.`,
    `# 1. Upload the folder ${o.repositoryDir}/ (a Triton model repository: ${o.name}/config.pbtxt and`,
    `#    ${o.name}/<version>/model.onnx) to storage your cluster can read (S3, GCS, Azure Blob, a PVC).`,
    '# 2. Replace storageUri below with its URI, then: kubectl apply -f inferenceservice.yaml',
    `# The model answers the same Open Inference Protocol v2 as \`mlops serve\`: POST /v2/models/${o.name}/infer`,
    'apiVersion: serving.kserve.io/v1beta1',
    'kind: InferenceService',
    'metadata:',
    `  name: ${kubernetesName(o.name)}`,
    'spec:',
    '  predictor:',
    '    model:',
    '      modelFormat:',
    '        name: onnx',
    '      protocolVersion: v2',
    `      storageUri: ${STORAGE_URI_PLACEHOLDER}`,
    '',
  ].join('\n');
}
