/** The Kubernetes calls self-managed mode makes, and their client-node implementation. */
import {
  AdmissionregistrationV1Api,
  ApiException,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  V1Secret,
} from '@kubernetes/client-node';
import type { JsonPatchOperation, SecretObject, WebhookConfigurationKind, WebhookConfigurationLike } from './decisions.js';

/** The Kubernetes calls the loop makes; a fake in the unit tests, client-node against a real API server. */
export interface CertificateApi {
  readSecret(namespace: string, name: string): Promise<SecretObject | undefined>;
  /** Resolves to undefined on 409 (someone else created it first). */
  createSecret(namespace: string, body: SecretObject): Promise<SecretObject | undefined>;
  /** Resolves to undefined on 409 (someone else changed it since it was read). */
  replaceSecret(namespace: string, name: string, body: SecretObject): Promise<SecretObject | undefined>;
  readWebhookConfiguration(kind: WebhookConfigurationKind, name: string): Promise<WebhookConfigurationLike | undefined>;
  patchWebhookConfiguration(kind: WebhookConfigurationKind, name: string, patch: JsonPatchOperation[]): Promise<void>;
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

async function orUndefinedOn<T>(codes: readonly number[], call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    const code = statusOf(error);
    if (code !== undefined && codes.includes(code)) return undefined;
    throw error;
  }
}

/** CertificateApi through @kubernetes/client-node. */
export function kubeCertificateApi(kubeConfig: KubeConfig): CertificateApi {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const admission = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
  return {
    readSecret: (namespace, name) => orUndefinedOn([404], () => core.readNamespacedSecret({ name, namespace })),
    createSecret: (namespace, body) => orUndefinedOn([409], () => core.createNamespacedSecret({ namespace, body: Object.assign(new V1Secret(), body) })),
    replaceSecret: (namespace, name, body) => orUndefinedOn([409], () => core.replaceNamespacedSecret({ name, namespace, body: Object.assign(new V1Secret(), body) })),
    readWebhookConfiguration: (kind, name) =>
      orUndefinedOn([404], async () =>
        kind === 'ValidatingWebhookConfiguration'
          ? ((await admission.readValidatingWebhookConfiguration({ name })) as WebhookConfigurationLike)
          : ((await admission.readMutatingWebhookConfiguration({ name })) as WebhookConfigurationLike),
      ),
    async patchWebhookConfiguration(kind, name, patch) {
      if (kind === 'ValidatingWebhookConfiguration') await admission.patchValidatingWebhookConfiguration({ name, body: patch }, jsonPatch);
      else await admission.patchMutatingWebhookConfiguration({ name, body: patch }, jsonPatch);
    },
  };
}
