package network

import "github.com/wedsync/wedsync-infra/components/core"

// Destination is where an application instance's connection goes, in
// cloud-neutral terms; each cloud's file translates it into its own rules.
type Destination string

const (
	// ToDatabase is the database tier: the server and its pooler (AWS: the
	// database security group, where the RDS instance and RDS Proxy both
	// sit; GCP: the private services range Cloud SQL's private IP is in;
	// Azure: the subnet delegated to the flexible server).
	ToDatabase Destination = "database"
	// ToCloudAPIs are the provider's APIs through their private paths (AWS:
	// the interface endpoints' security group and the S3 gateway endpoint's
	// prefix list; GCP: Private Google Access's private.googleapis.com and
	// restricted.googleapis.com ranges; Azure: the private endpoints subnet).
	ToCloudAPIs Destination = "cloud-apis"
	// ToInternet is anywhere else, through NAT: only where the application
	// must (see AppEgress).
	ToInternet Destination = "internet"
)

// Egress is one kind of connection the application makes.
type Egress struct {
	Name string
	To   Destination
	// Port is the TCP destination port: nothing but TCP is ever allowed.
	Port int
	// Clouds are where the path crosses the network (nil: every cloud).
	Clouds []core.Cloud
	Why    string
}

// On says whether the row is a network path on cloud.
func (e Egress) On(cloud core.Cloud) bool {
	if len(e.Clouds) == 0 {
		return true
	}
	for _, c := range e.Clouds {
		if c == cloud {
			return true
		}
	}
	return false
}

// AppEgress is everything an application instance may open, on every
// cloud: the one table. Anything not in it is denied (AWS: security groups
// deny what they do not allow; GCP: a priority-65000 deny-all egress
// firewall; Azure: a deny-all outbound NSG rule). DNS, instance metadata
// and time are the platform's own and never filtered: AWS security groups
// do not filter Amazon DNS, the instance metadata service or Time Sync
// (docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html),
// GCP firewall rules always allow the metadata server 169.254.169.254
// (cloud.google.com/firewall/docs/firewalls#alwaysallowed), and Azure's
// host addresses 168.63.129.16 and 169.254.169.254 are not subject to
// network security groups
// (learn.microsoft.com/azure/virtual-network/network-security-groups-overview#azure-platform-considerations).
var AppEgress = []Egress{
	{Name: "postgres", To: ToDatabase, Port: PostgresPort,
		Why: "the database; on AWS also RDS Proxy, which listens on 5432 in the database group"},
	{Name: "pgbouncer", To: ToDatabase, Port: PgBouncerPort, Clouds: []core.Cloud{core.Azure},
		Why: "the flexible server's built-in PgBouncer (GCP's PgBouncer is a sidecar on 127.0.0.1, AWS's pooler is RDS Proxy on 5432)"},
	{Name: "cloud-apis", To: ToCloudAPIs, Port: 443,
		Why: "keys, secrets and backup storage through their private paths"},
	{Name: "internet-https", To: ToInternet, Port: 443,
		Why: "HTTPS only: OS and package updates, the suppliers' APIs (email, SMS, payments), and cloud APIs with no private path (monitoring agents)"},
}

// PgBouncerPort is where a PgBouncer pooler listens (Azure's built-in one;
// components/database's PgBouncerPort is the same port).
const PgBouncerPort = 6432

// appEgressOn is the table's rows that are network paths on cloud.
func appEgressOn(cloud core.Cloud) []Egress {
	var out []Egress
	for _, e := range AppEgress {
		if e.On(cloud) {
			out = append(out, e)
		}
	}
	return out
}
