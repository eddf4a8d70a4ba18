/** Synthetic credentials for tests: realistic shapes, never real, each with a recognisable canary body. */

const b64url = (text: string): string => Buffer.from(text).toString('base64url');
export const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** Every 5-character window of a secret: none may appear in any output (the "any part longer than 4"). */
export function canaryParts(secret: string): string[] {
  const parts = new Set<string>();
  for (let i = 0; i + 5 <= secret.length; i++) parts.add(secret.slice(i, i + 5));
  return [...parts];
}

export const AWS_KEY_ID = 'AKIAQ7C4N2RY5KWX3TZV';
export const AWS_SECRET = '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';
export const GITHUB_CLASSIC = 'ghp_Cn7Rq2Wv9Xk4Lm8Tz1Bp6Hd3Fs0Jy5Ga2Ue7';
export const GITHUB_FINE = 'github_pat_11AQ7C4N2R0Yq5KWx3TZVb_' + 'Rq2Wv9Xk4Lm8Tz1Bp6Hd3Fs0Jy5Ga2Ue7QCn7Rq2Wv9Xk4Lm8Tz1Bp6Hd3Fs0J';
export const GITLAB = 'glpat-Xk4Lm8Tz1Bp6Hd3Fs0Jy';
export const SLACK_BOT = 'xoxb-2749163850-5820394716253-Qn8Rw2Lk9Zr4Xn8Tb1Mc6Pd3';
export const SLACK_HOOK = 'https://hooks.slack.com/services/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';
export const STRIPE_LIVE = 'sk_live_51Hq7Vw2Lk9Zr4Xn8Tb1Mc6Pd3Hs0Fj5Gy2Ua7Ie9RQn8Rw';
export const STRIPE_TEST_SEED = 'sk_test_123456';
export const SENDGRID = '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';
export const GOOGLE_API = 'AIzaSyQn8Rw2Lk9Zr4Xn8Tb1Mc6Pd3Hs0Fj5Gy2';
export const AZURE_KEY = 'Qn8Rw2Lk9Zr4Xn8Tb1Mc6Pd3Hs0Fj5Gy2Ua7Ie9RQn8Rw2Lk9Zr4Xn8Tb1Mc6Pd3Hs0Fj5Gy2Ua7Ie9RQn8Rw2==';
export const AZURE_CONN = `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${AZURE_KEY};EndpointSuffix=core.windows.net`;
export const NPM = 'npm_Qn8Rw2Lk9Zr4Xn8Tb1Mc6Pd3Hs0Fj5Gy2Ua7';
export const NPMRC = '//registry.npmjs.org/:_authToken=Rw2Lk9Zr-4Xn8-Tb1M-c6Pd-3Hs0Fj5Gy2Ua\nregistry=https://registry.npmjs.org/\n';

export const KEY_BODY =
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCanaryQn8Rw2Lk9\n' +
  'Zr4Xn8Tb1Mc6Pd3Hs0Fj5Gy2Ua7Ie9RQn8Rw2Lk9Zr4Xn8Tb1Mc6Pd3Hs0Fj5Gy2U\n' +
  'a7Ie9RQn8Rw2Lk9Zr4Xn8Tb1Mc6Pd3Hs0Fj5Gy2Ua7Ie9R==\n';
export const pem = (label: string): string => `-----BEGIN ${label}-----\n${KEY_BODY}-----END ${label}-----\n`;
export const RSA_KEY = pem('RSA PRIVATE KEY');
export const EC_KEY = pem('EC PRIVATE KEY');
export const OPENSSH_KEY = pem('OPENSSH PRIVATE KEY');
export const PKCS8_KEY = pem('PRIVATE KEY');
export const ENCRYPTED_PKCS8_KEY = pem('ENCRYPTED PRIVATE KEY');
export const ENCRYPTED_RSA_KEY = `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,4F7A2C9E1B3D5F60718293A4B5C6D7E8\n\n${KEY_BODY}-----END RSA PRIVATE KEY-----\n`;

export const SIGNATURE = 'Qn8Rw2Lk9Zr4Xn8Tb1Mc6Pd3Hs0Fj5Gy2Ua7Ie9R_sig-Canary';
export const JWT = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"1234567890","name":"svc","iat":1716239022}')}.${SIGNATURE}`;
export const SA_TOKEN = `${b64url('{"alg":"RS256","kid":"k1"}')}.${b64url(
  '{"iss":"kubernetes/serviceaccount","kubernetes.io/serviceaccount/namespace":"argocd","kubernetes.io/serviceaccount/service-account.name":"argocd-manager","sub":"system:serviceaccount:kube-system:argocd-manager"}',
)}.${SIGNATURE}`;
export const GCP_SA_JSON = JSON.stringify(
  {
    type: 'service_account',
    project_id: 'acme-prod',
    private_key_id: '4f7a2c9e1b3d5f60718293a4b5c6d7e8f9012345',
    private_key: PKCS8_KEY,
    client_email: 'deployer@acme-prod.iam.gserviceaccount.com',
    client_id: '104857362918273645012',
  },
  null,
  2,
);
export const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://prod.example.com
    certificate-authority-data: ${b64('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')}
users:
- name: admin
  user:
    token: Zr4Xn8Tb1Mc6Pd3Hs0Fj5Gy2
contexts:
- name: prod
  context: {cluster: prod, user: admin}
current-context: prod
`;
export const DB_PASSWORD = 'Pv8qLz2Wx9kR';
export const DB_URL = `postgres://app:${DB_PASSWORD}@db.internal:5432/app?sslmode=require`;
export const BASIC_AUTH_URL = 'https://deploy:Tb1Mc6Pd3Hs0@git.example.com/org/repo.git';
export const HIGH_ENTROPY = 'Kq8vT2mZ9xLw4bN7pR1sY6hJ3fD0cA5g';

/** A real-shaped public certificate (self-signed, public by nature: must never be flagged). */
export const PUBLIC_CERT = `-----BEGIN CERTIFICATE-----
MIIDXTCCAkWgAwIBAgIJAKL0UG+mRKSzMA0GCSqGSIb3DQEBCwUAMEUxCzAJBgNV
BAYTAkFVMRMwEQYDVQQIDApTb21lLVN0YXRlMSEwHwYDVQQKDBhJbnRlcm5ldCBX
aWRnaXRzIFB0eSBMdGQwHhcNMTcwODI3MjM1NTEyWhcNMjcwODI1MjM1NTEyWjBF
MQswCQYDVQQGEwJBVTETMBEGA1UECAwKU29tZS1TdGF0ZTEhMB8GA1UECgwYSW50
ZXJuZXQgV2lkZ2l0cyBQdHkgTHRkMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIB
CgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onL
RnrqCxIXZgDVwYPqBuR0nL6Ru4ofTI/RtSoNNLBBpJsuBu1MEhiWZwMyDy62yg2h
-----END CERTIFICATE-----
`;

/** The secret-bearing parts of the fixtures: no 5-character slice of these may appear in any output. */
export const SECRET_PARTS: readonly string[] = [
  AWS_KEY_ID.slice(4), AWS_SECRET, GITHUB_CLASSIC.slice(4), GITHUB_FINE.slice(11), GITLAB.slice(6), SLACK_BOT.slice(5),
  SLACK_HOOK.slice(33), STRIPE_LIVE.slice(8), SENDGRID.slice(3), GOOGLE_API.slice(4), AZURE_KEY, NPM.slice(4),
  'Rw2Lk9Zr-4Xn8-Tb1M-c6Pd-3Hs0Fj5Gy2Ua', ...KEY_BODY.split('\n').filter((l) => l !== ''), SIGNATURE, 'Zr4Xn8Tb1Mc6Pd3Hs0Fj5Gy2',
  DB_PASSWORD, 'Tb1Mc6Pd3Hs0', HIGH_ENTROPY, 'Qn8Rw2Lk9Zr4',
];

/** Canary slices of every fixture secret contained in `value`. */
export function canariesIn(value: string): string[] {
  return SECRET_PARTS.filter((s) => value.includes(s) || value.includes(b64(s))).flatMap(canaryParts);
}
