import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface CertificateRequest {
  /** Service name the API server calls. */
  service: string;
  namespace: string;
  /** Extra SANs: DNS names, or IP addresses (127.0.0.1, ::1) which become IP SANs. */
  hosts?: readonly string[];
  validityDays?: number;
  clusterDomain?: string;
  /** RSA modulus size, 2048 by default. */
  bits?: number;
}

export interface GeneratedCertificates {
  /** PEM of the CA certificate (ca.crt); its key is not kept. */
  caCert: string;
  /** PEM of the serving certificate (tls.crt). */
  cert: string;
  /** PEM of the serving key (tls.key). */
  key: string;
  /** base64 of ca.crt, for the webhook configurations' clientConfig.caBundle. */
  caBundle: string;
  dnsNames: string[];
  ipAddresses: string[];
  notAfter: Date;
}

/** DNS SANs the API server may use to reach `<service>.<namespace>.svc`, plus the extras. */
export function serviceDnsNames(service: string, namespace: string, clusterDomain = 'cluster.local'): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.${clusterDomain}`];
}

function rsaKeyPair(bits: number): forge.pki.rsa.KeyPair {
  // Node's OpenSSL generates in milliseconds what forge's pure-JS generator needs seconds for.
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey);
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

/** A positive 128-bit serial in hex (the top bit cleared so DER does not read it as negative). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

/** A fresh CA and a serving certificate signed by it, for installs without cert-manager. */
/** A certificate for these keys and this validity, with a random serial; subject, extensions and signature to come. */
function unsignedCertificate(keys: forge.pki.rsa.KeyPair, notBefore: Date, notAfter: Date): forge.pki.Certificate {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = keys.publicKey;
  certificate.serialNumber = randomSerial();
  certificate.validity.notBefore = notBefore;
  certificate.validity.notAfter = notAfter;
  return certificate;
}

export function generateCertificates(request: CertificateRequest): GeneratedCertificates {
  const validityDays = request.validityDays ?? 365;
  const bits = request.bits ?? 2048;
  const now = new Date();
  const notBefore = new Date(now.getTime() - 5 * 60 * 1000);
  const notAfter = new Date(now.getTime() + validityDays * 24 * 60 * 60 * 1000);

  const caKeys = rsaKeyPair(bits);
  const ca = unsignedCertificate(caKeys, notBefore, notAfter);
  const caSubject = [{ name: 'commonName', value: `secretguard-ca ${request.service}.${request.namespace}` }];
  ca.setSubject(caSubject);
  ca.setIssuer(caSubject);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true, pathLenConstraint: 0 },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const dnsNames = serviceDnsNames(request.service, request.namespace, request.clusterDomain);
  const ipAddresses: string[] = [];
  for (const host of request.hosts ?? []) {
    if (isIP(host) !== 0) {
      if (!ipAddresses.includes(host)) ipAddresses.push(host);
    } else if (!dnsNames.includes(host)) dnsNames.push(host);
  }

  const leafKeys = rsaKeyPair(bits);
  const leaf = unsignedCertificate(leafKeys, notBefore, notAfter);
  leaf.setSubject([{ name: 'commonName', value: `${request.service}.${request.namespace}.svc` }]);
  leaf.setIssuer(caSubject);
  leaf.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...dnsNames.map((value) => ({ type: 2, value })), ...ipAddresses.map((ip) => ({ type: 7, ip }))],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  leaf.sign(caKeys.privateKey, forge.md.sha256.create());

  const caCert = forge.pki.certificateToPem(ca);
  return {
    caCert,
    cert: forge.pki.certificateToPem(leaf),
    key: forge.pki.privateKeyToPem(leafKeys.privateKey),
    caBundle: Buffer.from(caCert, 'utf8').toString('base64'),
    dnsNames,
    ipAddresses,
    notAfter,
  };
}
