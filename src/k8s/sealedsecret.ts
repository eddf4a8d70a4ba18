// Shared knowledge about Sealed Secrets (bitnami.com/v1alpha1 SealedSecret), checked against
// bitnami-labs/sealed-secrets v0.36.6: pkg/crypto/crypto.go (HybridEncrypt) and
// pkg/apis/sealedsecrets/v1alpha1 (scope annotations, Unseal).
import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isCanonicalBase64 } from '../detectors/text.js';

export const SEALED_SECRET_KIND = { group: 'bitnami.com', kind: 'SealedSecret', versions: ['v1alpha1'] as readonly string[] };

export const CLUSTER_WIDE_ANNOTATION = 'sealedsecrets.bitnami.com/cluster-wide';
export const NAMESPACE_WIDE_ANNOTATION = 'sealedsecrets.bitnami.com/namespace-wide';

/** RSA block sizes in bytes the controller can produce keys for: 2048-, 3072- and 4096-bit. */
export const VALID_RSA_BLOCK_SIZES: readonly number[] = [256, 384, 512];
/** 2-byte big-endian length of the RSA block. */
export const HEADER_BYTES = 2;
/** AES-256-GCM tag at the end of every value. */
export const GCM_TAG_BYTES = 16;

export type Base64Problem = 'empty' | 'url-alphabet' | 'unpadded' | 'alphabet' | 'misplaced-padding';

export type CiphertextShape =
  | { ok: true; decodedLength: number; rsaLength: number }
  | { ok: false; problem: 'base64'; base64: Base64Problem }
  | { ok: false; problem: 'no-header'; decodedLength: number };

const STD_BODY = /^[A-Za-z0-9+/]*$/;
const URL_BODY = /^[A-Za-z0-9_-]*={0,2}$/;

function charIndex(c: number): number {
  // A-Z, a-z, 0-9, +, /
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c === 43) return 62;
  return 63;
}

/**
 * Read what can be read of a SealedSecret value without the private key, the way the controller
 * decodes it (Go's base64.StdEncoding, which skips CR and LF and requires padding). Only the header
 * is decoded; the value itself is never copied into the result.
 */
export function inspectCiphertext(value: string): CiphertextShape {
  const text = value.includes('\n') || value.includes('\r') ? value.replace(/[\r\n]/g, '') : value;
  if (text === '') return { ok: false, problem: 'base64', base64: 'empty' };
  const problem = base64Problem(text);
  if (problem !== undefined) return { ok: false, problem: 'base64', base64: problem };
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const decodedLength = (text.length / 4) * 3 - padding;
  if (decodedLength < HEADER_BYTES) return { ok: false, problem: 'no-header', decodedLength };
  // The first three characters carry the first two bytes (18 bits >= 16).
  const bits = (charIndex(text.charCodeAt(0)) << 12) | (charIndex(text.charCodeAt(1)) << 6) | charIndex(text.charCodeAt(2));
  return { ok: true, decodedLength, rsaLength: bits >> 2 };
}

function base64Problem(text: string): Base64Problem | undefined {
  // kubeseal output is canonical base64: the round trip settles it without a regex pass over the value.
  if (text.length % 4 === 0 && isCanonicalBase64(text)) return undefined;
  const unpadded = text.replace(/=+$/, '');
  const padding = text.length - unpadded.length;
  if (STD_BODY.test(unpadded)) {
    if (padding > 2) return 'misplaced-padding';
    // With at most two '=' and a length that is a multiple of 4, the last group is `xx==` or `xxx=`.
    return text.length % 4 === 0 ? undefined : 'unpadded';
  }
  if (URL_BODY.test(text) && /[-_]/.test(text)) return 'url-alphabet';
  if (unpadded.includes('=') && STD_BODY.test(unpadded.replaceAll('=', ''))) return 'misplaced-padding';
  return 'alphabet';
}

/** Key size in bits for an RSA block length in bytes. */
export function keyBits(rsaLength: number): number {
  return rsaLength * 8;
}

/** The minimum decoded length of a value sealed with an RSA block of `rsaLength` bytes (an empty value). */
export function minimumLength(rsaLength: number): number {
  return HEADER_BYTES + rsaLength + GCM_TAG_BYTES;
}

// ---------------------------------------------------------------------------------------------
// Sealing certificates from the config: PEM text or a file path, parsed once per options object.

export interface SealingCertificate {
  /** How the config refers to it: `options.certificates[0]`, a spoke name, a file path. Never PEM text. */
  label: string;
  /** Modulus size in bytes, which is the RSA block length kubeseal writes. */
  rsaLength: number;
}

export interface CertificateProblem {
  label: string;
  reason: string;
}

export interface CertificateSet {
  certificates: SealingCertificate[];
  problems: CertificateProblem[];
}

/** Parse a PEM certificate or public key, or read it from a file first. I/O happens here only. */
export function loadSealingCertificate(reference: string, label: string): SealingCertificate | CertificateProblem {
  let pem = reference;
  let where = label;
  if (!reference.includes('-----BEGIN')) {
    where = `${label} (${reference})`;
    try {
      pem = readFileSync(reference, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.name : 'error');
      return { label: where, reason: `cannot read the file: ${code}` };
    }
  }
  let key: KeyObject;
  try {
    key = pem.includes('-----BEGIN CERTIFICATE-----') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
  } catch {
    return { label: where, reason: 'not a PEM certificate or public key' };
  }
  const bits = key.asymmetricKeyType === 'rsa' ? key.asymmetricKeyDetails?.modulusLength : undefined;
  if (bits === undefined) return { label: where, reason: `not an RSA key (${key.asymmetricKeyType ?? 'unknown type'})` };
  return { label: where, rsaLength: Math.ceil(bits / 8) };
}

export function isCertificateProblem(value: SealingCertificate | CertificateProblem): value is CertificateProblem {
  return 'reason' in value;
}
