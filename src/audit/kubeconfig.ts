import { KubeConfig } from '@kubernetes/client-node';

/** A kubeconfig that cannot be used; the message quotes no part of the file (it holds credentials). */
export class KubeConfigError extends Error {
  override name = 'KubeConfigError';
}

/** The kubeconfig (file, or KUBECONFIG / ~/.kube/config / in-cluster) with the chosen context current. */
export function loadKubeConfig(file: string | undefined, context?: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (file !== undefined) kc.loadFromFile(file);
    else kc.loadFromDefault();
  } catch (error) {
    throw new KubeConfigError(`cannot read the kubeconfig (${error instanceof Error ? error.name : 'error'})`);
  }
  if (context !== undefined) {
    if (kc.getContextObject(context) === null) throw new KubeConfigError(`the kubeconfig has no context named ${JSON.stringify(context)}`);
    kc.setCurrentContext(context);
  }
  if (kc.getCurrentCluster() === null) throw new KubeConfigError('the kubeconfig names no current cluster');
  return kc;
}
