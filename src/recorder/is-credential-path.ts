// Role documents of the instance profile (legacy and extended) and the instance identity role,
// under any API version (docs/imds-behaviour.md §4).
const CREDENTIAL_PATH =
  /^\/[^/]+\/meta-data\/(?:iam\/security-credentials(?:-extended)?|identity-credentials\/ec2\/security-credentials)\/[^/]+\/?$/;

/**
 * Whether a cassette key or request path names a credentials document. A trailing slash does not
 * hide one: real IMDS answers `…/security-credentials/<role>/` with the same secrets.
 */
export function isCredentialPath(path: string): boolean {
  return CREDENTIAL_PATH.test(path.replace(/[?#].*$/, ''));
}
