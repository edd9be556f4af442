/** Path segments, decoded; undefined when a segment cannot be decoded or would climb out (`..`). */
export function decodeSegments(path: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of path.split('/').filter((part) => part !== '')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === '.' || segment === '..' || /[/\\]/.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments;
}
