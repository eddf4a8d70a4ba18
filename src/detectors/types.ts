/** One credential family: known token formats, PEM keys, generic "password = x", entropy. */
export interface Detector {
  /** Stable id shown in findings, e.g. `aws-access-key-id`. */
  id: string;
  /** Human words shown in findings, e.g. `AWS access key id`. */
  description: string;
  /**
   * True when `value` (already decoded text) under key name `key` holds this kind of credential.
   * Must be linear in the value's length: no regex that can backtrack catastrophically.
   */
  detect(value: string, key: string): boolean;
  /** A more precise description for this key (the generic detector says `generic password` for `DB_PASSWORD`). */
  describe?(key: string): string;
  /** Generic detectors yield to any specific detector that fires on the same place. */
  generic?: boolean;
  /**
   * Substrings one of which the value must contain for `detect` to return true, whatever the key.
   * detectCredentials tests them all in one pass and skips the detector when none is present.
   */
  requires?: readonly string[];
}

/** A detector's verdict about one key; deliberately carries no part of the value. */
export interface CredentialHit {
  detectorId: string;
  description: string;
  /** Where inside the value it was found when the value is structured, e.g. `config.json > db.password`. */
  path?: string;
}
