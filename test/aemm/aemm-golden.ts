/**
 * What AEMM v1.12 prints, byte for byte: its e2e golden files (`test/e2e/golden/*`), the error
 * pages in its `pkg/server`, and the responses its README shows. The drop-in must match these.
 */

/** AEMM's 404: the iso-8859-1 page real IMDS sends, plus the newline Go's http.Error adds. */
export const NOT_FOUND_PAGE =
  '<?xml version="1.0" encoding="iso-8859-1"?>\n' +
  '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n' +
  '\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n' +
  '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n' +
  ' <head>\n' +
  '  <title>404 - Not Found</title>\n' +
  ' </head>\n' +
  ' <body>\n' +
  '  <h1>404 - Not Found</h1>\n' +
  ' </body>\n' +
  '</html>\n';

function utf8Page(title: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n' +
    '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n' +
    '   <head>\n' +
    `      <title>${title}</title>\n` +
    '   </head>\n' +
    '   <body>\n' +
    `      <h1>${title}</h1>\n` +
    '   </body>\n' +
    '</html>\n'
  );
}

/** `test/e2e/golden/401_response.golden` (353 bytes). */
export const UNAUTHORIZED_PAGE = utf8Page('401 - Unauthorized');
/** `test/e2e/golden/400_response.golden` (351 bytes). */
export const BAD_REQUEST_PAGE = utf8Page('400 - Bad Request');

const lines = (...names: string[]): string => names.join('\n');

const STATIC_TOP = [
  'ami-id',
  'ami-launch-index',
  'ami-manifest-path',
  'block-device-mapping/',
  'elastic-inference/',
  'hostname',
  'iam/',
  'instance-action',
  'instance-id',
  'instance-life-cycle',
  'instance-type',
  'kernel-id',
  'local-hostname',
  'local-ipv4',
  'mac',
  'network/',
  'placement/',
  'product-codes',
  'public-hostname',
  'public-ipv4',
  'public-keys/',
  'ramdisk-id',
  'reservation-id',
  'security-groups',
  'services/',
  'tags/',
];
const withTop = (...extra: string[]): string => `${lines(...[...STATIC_TOP, ...extra].sort())}\n`;

/** `GET /latest/meta-data` of the root command (`golden/default/latest/meta-data/index.golden`, README), with its final newline. */
export const ROOT_META_LISTING = withTop('autoscaling/', 'events/', 'spot/');
/** The same for `spot` (`golden/spot/…`): rebalance lives under events/. */
export const SPOT_META_LISTING = withTop('events/', 'spot/');
/** The same for `events` (`golden/events/…`). */
export const EVENTS_META_LISTING = withTop('events/');
/** The same for `asglifecycle` (`golden/asglifecycle/…`). */
export const ASG_META_LISTING = withTop('autoscaling/');

/** `golden/dynamic/index.golden` and `instance-identity.golden`. */
export const DYNAMIC_LISTING = 'fws/\ninstance-identity/\n';
export const IDENTITY_LISTING = lines('document', 'pkcs7', 'signature');
/** `golden/spot/latest/meta-data/spot.golden`. */
export const SPOT_LISTING = lines('instance-action', 'termination-time');

/** `network/interfaces/macs/<mac>/` of AEMM's default instance. */
export const MAC_LISTING = lines(
  'device-number',
  'interface-id',
  'ipv4-associations/',
  'ipv6s',
  'local-hostname',
  'local-ipv4s',
  'mac',
  'network-card-index',
  'owner-id',
  'public-hostname',
  'public-ipv4s',
  'security-group-ids',
  'security-groups',
  'subnet-id',
  'subnet-ipv4-cidr-block',
  'subnet-ipv6-cidr-blocks',
  'vpc-id',
  'vpc-ipv4-cidr-block',
  'vpc-ipv4-cidr-blocks',
  'vpc-ipv6-cidr-blocks',
);

/** AEMM's default credentials: `json.MarshalIndent` with a tab, no final newline. */
export const CREDENTIALS_JSON =
  '{\n' +
  '\t"Code": "Success",\n' +
  '\t"LastUpdated": "2020-04-02T18:50:40Z",\n' +
  '\t"Type": "AWS-HMAC",\n' +
  '\t"AccessKeyId": "12345678901",\n' +
  '\t"SecretAccessKey": "v/12345678901",\n' +
  '\t"Token": "TEST92test48TEST+y6RpoTEST92test48TEST/8oWVAiBqTEsT5Ky7ty2tEStxC1T==",\n' +
  '\t"Expiration": "2020-04-02T00:49:51Z"\n' +
  '}';

/** AEMM's default identity document: struct field order, nulls kept. */
export const IDENTITY_DOCUMENT_JSON =
  '{\n' +
  '\t"accountId": "0123456789",\n' +
  '\t"imageId": "ami-0b69ea66ff7391e80",\n' +
  '\t"availabilityZone": "us-east-1f",\n' +
  '\t"ramdiskId": null,\n' +
  '\t"kernelId": null,\n' +
  '\t"devpayProductCodes": null,\n' +
  '\t"marketplaceProductCodes": null,\n' +
  '\t"version": "2017-09-30",\n' +
  '\t"privateIp": "10.0.7.10",\n' +
  '\t"billingProducts": null,\n' +
  '\t"instanceId": "i-1234567890abcdef0",\n' +
  '\t"pendingTime": "2019-10-31T07:02:24Z",\n' +
  '\t"architecture": "x86_64",\n' +
  '\t"instanceType": "m4.xlarge",\n' +
  '\t"region": "us-east-1"\n' +
  '}';

/** The README's `events` example (`--code instance-reboot -a 2020-01-07T01:03:47Z -b 2020-01-01T01:03:47Z -l 2020-01-10T01:03:47Z --state completed`), as the one-element array AEMM serves. */
export const README_EVENT_JSON =
  '[\n' +
  '\t{\n' +
  '\t\t"Code": "instance-reboot",\n' +
  '\t\t"Description": "The instance is scheduled for instance-reboot",\n' +
  '\t\t"State": "completed",\n' +
  '\t\t"EventId": "instance-event-1234567890abcdef0",\n' +
  '\t\t"NotBefore": "1 Jan 2020 01:03:47 GMT",\n' +
  '\t\t"NotAfter": "7 Jan 2020 01:03:47 GMT",\n' +
  '\t\t"NotBeforeDeadline": "10 Jan 2020 01:03:47 GMT"\n' +
  '\t}\n' +
  ']';
