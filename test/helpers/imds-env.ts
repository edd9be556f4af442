/**
 * Points the AWS SDK's IMDS clients at a loopback URL for the duration of `run`, and keeps them
 * from reading the user's ~/.aws files. Tests never reach 169.254.169.254.
 */
export async function withImdsEndpoint<T>(url: string, run: () => Promise<T>, extra: Record<string, string> = {}): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_EC2_METADATA_SERVICE_ENDPOINT: url,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    ...extra,
  });
  delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE;
  delete process.env.AWS_EC2_METADATA_DISABLED;
  if (!extra.AWS_EC2_METADATA_V1_DISABLED) delete process.env.AWS_EC2_METADATA_V1_DISABLED;
  try {
    return await run();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}
