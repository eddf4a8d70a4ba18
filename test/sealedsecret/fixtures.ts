// Test fixtures for the SealedSecret rules: sealing certificates generated at test time and
// synthetic ciphertexts with the layout of crypto.HybridEncrypt (2-byte length, RSA block, AES-GCM).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import type { JsonObject } from '../../src/k8s/json.js';

export interface SealingCert {
  bits: number;
  certPem: string;
  publicKeyPem: string;
}

const certCache = new Map<number, SealingCert>();

/**
 * A self-signed sealing certificate like the controller's. The key comes from Node's crypto (fast even
 * for 4096 bits); node-forge only builds and signs the X.509 wrapper.
 */
export function sealingCert(bits: number): SealingCert {
  const cached = certCache.get(bits);
  if (cached !== undefined) return cached;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600_000);
  const attrs = [{ name: 'commonName', value: 'sealed-secret' }, { name: 'organizationName', value: 'sealed-secret' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  const result = { bits, certPem: forge.pki.certificateToPem(cert), publicKeyPem: publicKey };
  certCache.set(bits, result);
  return result;
}

/** Bytes laid out like kubeseal output: big-endian `header`, `rsaLength` random bytes, AES-GCM body of `valueLength` + 16. */
export function fakeCiphertextBytes(rsaLength: number, valueLength: number, header = rsaLength): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(header);
  return Buffer.concat([head, randomBytes(rsaLength + valueLength + 16)]);
}

export function fakeCiphertext(rsaLength: number, valueLength: number, header = rsaLength): string {
  return fakeCiphertextBytes(rsaLength, valueLength, header).toString('base64');
}

export function sealedSecret(
  encryptedData: Record<string, unknown> | undefined,
  extra: { name?: string; namespace?: string; annotations?: Record<string, string>; template?: JsonObject; spec?: JsonObject } = {},
): JsonObject {
  const metadata: JsonObject = { name: extra.name ?? 'db-credentials', namespace: extra.namespace ?? 'team-a' };
  if (extra.annotations !== undefined) metadata['annotations'] = extra.annotations;
  const spec: JsonObject = { ...(extra.spec ?? {}) };
  if (encryptedData !== undefined) spec['encryptedData'] = encryptedData as JsonObject;
  if (extra.template !== undefined) spec['template'] = extra.template;
  return { apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata, spec };
}
