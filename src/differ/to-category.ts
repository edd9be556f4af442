/**
 * The category a path belongs to: its top-level meta-data category (`network`, `iam`, `ami-id`),
 * `meta-data` for the meta-data listing itself, `dynamic`, `user-data`, or `versions` for `/` and
 * the version roots. Dated versions (`/2021-03-23/…`) fall into the same categories as `latest`.
 */
export function toCategory(path: string): string {
  const versionEnd = path.indexOf('/', 1);
  if (path === '/' || versionEnd === -1 || versionEnd === path.length - 1) return 'versions';
  const rest = path.slice(versionEnd + 1);
  if (rest.startsWith('meta-data/') && rest !== 'meta-data/') return firstSegment(rest.slice('meta-data/'.length));
  return firstSegment(rest);
}

function firstSegment(path: string): string {
  const slash = path.indexOf('/');
  return slash === -1 ? path : path.slice(0, slash);
}
