import { partition } from '@aws-sdk/core/client';

/** Whether the AWS SDK's partition table names this region (a typo or a made-up name is not one). */
export function isKnownRegion(region: string): boolean {
  // The SDK falls back to a partition by pattern for names it does not list; only listed ones have a description.
  return /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region) && 'description' in partition(region);
}
