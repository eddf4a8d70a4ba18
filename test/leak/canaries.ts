// Canary secret values and a scanner for every output channel (issue 12). Plant the canaries in test
// inputs; feed everything secretguard writes (log lines, HTTP bodies, warnings, audit annotations,
// reports, error messages, metrics) to a LeakScanner; expect zero hits. A hit is any canary, its
// base64 form, or any 8-character slice of either. Not a test file.

/** Values every detector family recognizes, so rules report them and every message path is exercised. */
export const CANARIES = {
  githubToken: 'ghp_Kq7Zx2Lm9Vb4Nc8Xw1Rt6Yp3Hs5Jd0Fg2Aa9',
  awsAccessKeyId: 'AKIAZ7QX4K2M9VB6NW3T',
  awsSecretAccessKey: 'wJz7Qk2Lx9Vm4Nc8Bw1Rt6Yp3Hs5Jd0FgAq2Ea9',
  password: 'Tr0ub4dor-Xq9Lw2Zm7Kp5Vn',
  databasePassword: 'Pw9xQ2rT7vK4mZ8nB3cL',
  bearerToken: 'sg7Hq2Lx9Vm4Kc8Zb1Nw6Rt3Yp5Jd0FsUe4Wi',
  slackToken: 'xoxb-2048193650-7291836450-Qa8Zx3Lk9Vm2Nc7Bw4Rt6Yp1',
  privateKeyBody: 'Qz7Kx2Vb9Lm4Nc8Xw1Rt6Yp3Hs5Jd0FgWq2Ea9Tu4Io7Pa3Sd6Fg1Hj5Kl8Zx0Cv',
  sealedTemplateValue: 'Ht5Rk8Lw2Zq9Vm4Xc7Bn3Yp6Jd1Fs0Ga',
} as const;

export const CANARY_VALUES: readonly string[] = Object.values(CANARIES);

export function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** A PEM private key whose body is the canary. */
export function pemKey(): string {
  const body = (CANARIES.privateKeyBody + CANARIES.privateKeyBody.split('').reverse().join('')).repeat(4);
  const lines = body.match(/.{1,64}/g) ?? [];
  return ['-----BEGIN PRIVATE KEY-----', ...lines, '-----END PRIVATE KEY-----', ''].join('\n');
}

export interface LeakHit {
  channel: string;
  needle: string;
  context: string;
}

/** Every needle: each canary and its base64 form, and every 8-character slice of both. */
function needles(): string[] {
  const out = new Set<string>();
  for (const canary of CANARY_VALUES) {
    for (const form of [canary, b64(canary).replace(/=+$/, '')]) {
      for (let i = 0; i + 8 <= form.length; i++) out.add(form.slice(i, i + 8));
    }
  }
  return [...out];
}

export class LeakScanner {
  readonly hits: LeakHit[] = [];
  bytes = 0;
  readonly channels = new Map<string, number>();
  private readonly needles = needles();

  scan(channel: string, text: string | Buffer | undefined | null): void {
    if (text === undefined || text === null) return;
    const value = typeof text === 'string' ? text : text.toString('utf8');
    this.bytes += Buffer.byteLength(value);
    this.channels.set(channel, (this.channels.get(channel) ?? 0) + Buffer.byteLength(value));
    for (const needle of this.needles) {
      const at = value.indexOf(needle);
      if (at !== -1) this.hits.push({ channel, needle, context: value.slice(Math.max(0, at - 60), at + 60) });
    }
  }

  /** Scan a JSON value's text (responses, reports). */
  scanJson(channel: string, value: unknown): void {
    this.scan(channel, JSON.stringify(value));
  }
}
