/**
 * A matcher for fault paths. `*` matches within one segment, `**` across segments. A pattern that
 * starts with `/` is matched against the whole path (`/latest/meta-data/spot/instance-action`);
 * otherwise against the path after the version (`meta-data/spot/…`, `api/token`) and after
 * `meta-data/` (`spot/*`), so `spot/*` works for every API version.
 */
export function createPathMatcher(pattern: string): (path: string) => boolean {
  const source = pattern
    .replace(/\/+$/, '')
    .split(/(\*\*|\*|\?)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source}$`);
  if (pattern.startsWith('/')) return (path) => regex.test(path);
  return (path) => {
    const afterVersion = path.slice(path.indexOf('/', 1) + 1);
    if (path.indexOf('/', 1) !== -1 && regex.test(afterVersion)) return true;
    return afterVersion.startsWith('meta-data/') && regex.test(afterVersion.slice('meta-data/'.length));
  };
}
