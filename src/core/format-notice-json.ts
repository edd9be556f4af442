/**
 * Serialises a flat notice the way the EC2 guide prints Spot and rebalance notices:
 * `{"action": "terminate", "time": "2017-09-18T08:22:00Z"}`, on one line (docs/imds-behaviour.md §5).
 */
export function formatNoticeJson(notice: Readonly<Record<string, string>>): string {
  return `{${Object.entries(notice)
    .map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`)
    .join(', ')}}`;
}
