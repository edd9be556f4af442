/** A security group attached to a network interface. */
export interface SecurityGroupSpec {
  /** Group id, `sg-…`. */
  id: string;
  /** Group name, as listed in `security-groups`. */
  name: string;
}

/** One network interface, as IMDS shows it under `network/interfaces/macs/<mac>/`. */
export interface NetworkInterfaceSpec {
  /** MAC address, lower-case colon-separated; also the directory name. */
  mac: string;
  /** Attachment index: 0 is eth0. */
  deviceNumber: number;
  /** Network card index; served only when the instance has more than one card. Default 0. */
  networkCard?: number;
  /** Interface id, `eni-…`. */
  interfaceId: string;
  /** Account that owns the interface; defaults to the instance's account. */
  ownerId?: string;
  /** Private IPv4 addresses, primary first; empty for an IPv6-only interface. */
  privateIpv4s: readonly string[];
  /** Public IPv4 associated with the primary private address, if any. */
  publicIpv4?: string;
  /** IPv6 addresses assigned to the interface. */
  ipv6s?: readonly string[];
  /** Delegated IPv4 prefixes (CIDRs). */
  ipv4Prefixes?: readonly string[];
  /** Delegated IPv6 prefixes (CIDRs). */
  ipv6Prefixes?: readonly string[];
  /** Subnet id, `subnet-…`. */
  subnetId: string;
  /** The subnet's IPv4 CIDR. */
  subnetIpv4CidrBlock: string;
  /** The subnet's IPv6 CIDRs, if it has any. */
  subnetIpv6CidrBlocks?: readonly string[];
  /** VPC id, `vpc-…`. */
  vpcId: string;
  /** The VPC's IPv4 CIDRs, primary first. */
  vpcIpv4CidrBlocks: readonly [string, ...string[]];
  /** The VPC's IPv6 CIDRs, if it has any. */
  vpcIpv6CidrBlocks?: readonly string[];
  /** Security groups on the interface. */
  securityGroups: readonly SecurityGroupSpec[];
}

/** The instance profile attached to the instance. */
export interface IamRoleSpec {
  /** Instance profile name; used to build the ARN when `instanceProfileArn` is absent. */
  instanceProfileName: string;
  /** Instance profile ARN; defaults to `arn:<partition>:iam::<account>:instance-profile/<name>`. */
  instanceProfileArn?: string;
  /** Instance profile id, `AIPA…`. */
  instanceProfileId: string;
  /** Role name, the single entry of `iam/security-credentials/`. */
  roleName: string;
}

/** The key pair given at launch, served as `public-keys/0`. */
export interface KeyPairSpec {
  /** Key pair name, listed as `0=<name>`. */
  name: string;
  /** OpenSSH public key text served at `public-keys/0/openssh-key`. */
  openSshKey: string;
}

/** One maintenance event, as listed in `events/maintenance/scheduled` or `history`. */
export interface MaintenanceEventSpec {
  /** `instance-reboot`, `system-reboot`, `system-maintenance`, `instance-retirement` or `instance-stop`. */
  code: string;
  /** Free text; history entries start with `[Completed] ` or `[Canceled] `. */
  description: string;
  /** Event id, `instance-event-…`. */
  eventId: string;
  /** Earliest start, in IMDS's `21 Jan 2019 09:00:43 GMT` form. */
  notBefore: string;
  /** Latest end, same form as `notBefore`. */
  notAfter: string;
  /** `active` for scheduled events; `completed` or `canceled` in history. */
  state: string;
}

/** A Spot interruption EC2 has scheduled, as `spot/instance-action` shows it. */
export interface SpotInterruptionSpec {
  /** What happens to the instance. */
  action: 'terminate' | 'stop' | 'hibernate';
  /** When it happens, `YYYY-MM-DDTHH:MM:SSZ`: about two minutes after the notice, except for hibernation. */
  time: string;
}

/** Everything that describes one synthetic instance; the generator adds nothing that is not derived from it. */
export interface InstanceSpec {
  /** When the cassette claims to have been recorded, `YYYY-MM-DDTHH:MM:SSZ`. */
  recordedAt: string;
  /** Instance id, `i-…`. */
  instanceId: string;
  /** Instance type, e.g. `m5.large`. */
  instanceType: string;
  /** CPU architecture reported in the identity document. */
  architecture: 'x86_64' | 'arm64';
  /** AMI id, `ami-…`. */
  amiId: string;
  /** Launch index within the reservation. Default 0. */
  amiLaunchIndex?: number;
  /** Reservation id, `r-…`. */
  reservationId: string;
  /** 12-digit AWS account id. */
  accountId: string;
  /** Region, e.g. `us-east-1`. */
  region: string;
  /** Availability zone name, e.g. `us-east-1a`. */
  availabilityZone: string;
  /** Availability zone id, e.g. `use1-az4`. */
  availabilityZoneId: string;
  /** Placement group name, served only when set. */
  placementGroupName?: string;
  /** Partition number within a partition placement group, served only when set. */
  partitionNumber?: number;
  /** Dedicated host id, served only when set. */
  hostId?: string;
  /** Launch time (identity document `pendingTime`), `YYYY-MM-DDTHH:MM:SSZ`. */
  launchTime: string;
  /** Purchasing option served as `instance-life-cycle`. */
  lifecycle: 'on-demand' | 'spot';
  /** Value of the `system` leaf. Default `nitro`. */
  system?: string;
  /** Network cards of the instance type; `network-card` is served per ENI only when above 1. Default 1. */
  networkCardCount?: number;
  /** Network interfaces; the first is the primary one (eth0) that top-level keys describe. */
  networkInterfaces: readonly [NetworkInterfaceSpec, ...NetworkInterfaceSpec[]];
  /** Instance profile; absent means no `iam/` directory. */
  iamRole?: IamRoleSpec;
  /** `LastUpdated` of the IAM and identity credentials; Expiration is 6 h later. Default `recordedAt`. */
  credentialsUpdatedAt?: string;
  /** Key pair; absent means no `public-keys/` directory. */
  keyPair?: KeyPairSpec;
  /** Instance tags; absent means tags are not enabled in metadata. Keys must be IMDS-legal (no `/`). */
  tags?: Readonly<Record<string, string>>;
  /** `block-device-mapping/` leaves by name (`ami`, `root`, `ebs1`, `ephemeral0`, `swap`) → device. */
  blockDeviceMapping: Readonly<Record<string, string>>;
  /** User data as text or raw bytes; absent means no `user-data`. */
  userData?: string | Uint8Array;
  /** Kernel id, `aki-…`, for paravirtual AMIs only. */
  kernelId?: string;
  /** Ramdisk id, `ari-…`, for paravirtual AMIs only. */
  ramdiskId?: string;
  /** Marketplace product codes; also the identity document's `marketplaceProductCodes`. */
  productCodes?: readonly string[];
  /** Billing products for the identity document (e.g. `bp-6ba54002`). */
  billingProducts?: readonly string[];
  /** Maintenance events; both lists default to empty. */
  events?: { history?: readonly MaintenanceEventSpec[]; scheduled?: readonly MaintenanceEventSpec[] };
  /** A scheduled Spot interruption; absent means no `spot/` directory. */
  spotInterruption?: SpotInterruptionSpec;
  /** When EC2 recommended a rebalance (`events/recommendations/rebalance`), `YYYY-MM-DDTHH:MM:SSZ`; absent means none. */
  rebalanceNoticeTime?: string;
}
