import type { JsonObject } from '../k8s/json.js';
import type { Operation } from '../engine/types.js';

/** `request` of an admission.k8s.io/v1 AdmissionReview, as far as secretguard reads it. */
export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  requestKind?: { group: string; version: string; kind: string };
  requestResource?: { group: string; version: string; resource: string };
  requestSubResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  object?: JsonObject | null;
  oldObject?: JsonObject | null;
  dryRun?: boolean;
  options?: JsonObject | null;
}

export interface AdmissionReviewRequest {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  request: AdmissionRequest;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string };
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
  patchType?: 'JSONPatch';
  patch?: string;
}

export interface AdmissionReviewResponse {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

/**
 * The answer's schema, for fastify's compiled serializer (fast-json-stringify), which writes only the
 * properties named here: `satisfies` makes a field added to AdmissionResponse fail to compile until it is.
 */
const admissionResponseProperties = {
  uid: { type: 'string' },
  allowed: { type: 'boolean' },
  status: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'integer' }, message: { type: 'string' } } },
  warnings: { type: 'array', items: { type: 'string' } },
  auditAnnotations: { type: 'object', additionalProperties: { type: 'string' } },
  patchType: { type: 'string' },
  patch: { type: 'string' },
} as const satisfies Record<keyof AdmissionResponse, unknown>;

export const admissionReviewResponseSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'response'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    response: { type: 'object', required: ['uid', 'allowed'], properties: admissionResponseProperties },
  },
} as const satisfies { type: 'object'; required: readonly string[]; properties: Record<keyof AdmissionReviewResponse, unknown> };

const gvk = {
  type: 'object',
  required: ['group', 'version', 'kind'],
  properties: { group: { type: 'string' }, version: { type: 'string' }, kind: { type: 'string', minLength: 1 } },
} as const;
const gvr = {
  type: 'object',
  required: ['group', 'version', 'resource'],
  properties: { group: { type: 'string' }, version: { type: 'string' }, resource: { type: 'string', minLength: 1 } },
} as const;
const objectOrNull = { type: ['object', 'null'] } as const;

/**
 * JSON schema of an AdmissionReview v1 request. Unknown fields are allowed (the API server may add
 * some in later versions); the fields secretguard reads are typed.
 */
export const admissionReviewSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'request'],
  properties: {
    apiVersion: { const: 'admission.k8s.io/v1' },
    kind: { const: 'AdmissionReview' },
    request: {
      type: 'object',
      required: ['uid', 'kind', 'resource', 'operation', 'userInfo'],
      properties: {
        uid: { type: 'string', minLength: 1, maxLength: 256 },
        kind: gvk,
        resource: gvr,
        subResource: { type: 'string' },
        requestKind: gvk,
        requestResource: gvr,
        requestSubResource: { type: 'string' },
        name: { type: 'string' },
        namespace: { type: 'string' },
        operation: { enum: ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] },
        userInfo: {
          type: 'object',
          properties: {
            username: { type: 'string' },
            uid: { type: 'string' },
            groups: { type: 'array', items: { type: 'string' } },
            extra: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
          },
        },
        object: objectOrNull,
        oldObject: objectOrNull,
        dryRun: { type: 'boolean' },
        options: objectOrNull,
      },
    },
  },
} as const;
