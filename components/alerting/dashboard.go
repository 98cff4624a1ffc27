package alerting

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// DashboardArgs name what the dashboard watches.
type DashboardArgs struct {
	Deployment core.Deployment
	// Database is the database's MetricsID.
	Database pulumi.StringOutput
	// Group is the app group's name (ASG, managed instance group or scale
	// set name).
	Group pulumi.StringOutput
	// Buckets are the backup buckets' names (storage account names on Azure).
	Buckets pulumi.StringArrayOutput
}

// Dashboard is the stack's one page for on-call.
type Dashboard struct {
	pulumi.ResourceState

	// URL opens the dashboard in the cloud's console.
	URL pulumi.StringOutput
}

// panel is one chart: the golden signals on-call reads first, the same on
// every cloud; each cloud says which of its metrics draw it.
type panel string

// The panels, in the order they are laid out.
const (
	dbSaturation  panel = "Database: CPU % and free storage (saturation)"
	dbTraffic     panel = "Database: connections (traffic)"
	dbLatency     panel = "Database: replication lag and I/O latency"
	groupCapacity panel = "App group: desired vs in service vs max (capacity, errors)"
	groupCPU      panel = "App group: CPU % (saturation)"
	backupWrites  panel = "Backups: objects written per day (freshness)"
)

var panels = []panel{dbSaturation, dbTraffic, dbLatency, groupCapacity, groupCPU, backupWrites}

// watched are the resolved names the dashboard is drawn from.
type watched struct {
	database, group string
	buckets         []string
}

// NewDashboard creates the stack's dashboard at the primary site.
func NewDashboard(ctx *pulumi.Context, name string, args *DashboardArgs, opts ...pulumi.ResourceOption) (*Dashboard, error) {
	if args == nil || args.Deployment.Primary.Provider == nil {
		return nil, fmt.Errorf("dashboard %s: args with the primary site's provider are required", name)
	}
	c := &Dashboard{}
	if err := ctx.RegisterComponentResource(DashboardType, name, c, opts...); err != nil {
		return nil, err
	}
	dep := args.Deployment
	buckets := args.Buckets
	if dep.Primary.Cloud == core.Azure {
		// Workbooks chart resources by id; storage account ids follow from
		// the subscription, resource group and name.
		sub, err := azureSubscription(ctx, dep)
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", name, err)
		}
		buckets = pulumi.All(sub, dep.Primary.AzureResourceGroup, args.Buckets).ApplyT(func(vs []any) []string {
			var ids []string
			for _, n := range vs[2].([]string) {
				ids = append(ids, fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Storage/storageAccounts/%s", vs[0], vs[1], n))
			}
			return ids
		}).(pulumi.StringArrayOutput)
	}
	body := pulumi.All(args.Database, args.Group, buckets).ApplyT(func(vs []any) (string, error) {
		w := watched{database: vs[0].(string), group: vs[1].(string), buckets: vs[2].([]string)}
		var doc any
		switch dep.Primary.Cloud {
		case core.AWS:
			doc = awsDashboard(dep, w)
		case core.GCP:
			doc = gcpDashboard(dep, w)
		default:
			doc = azureWorkbook(w)
		}
		b, err := json.Marshal(doc)
		return string(b), err
	}).(pulumi.StringOutput)
	o := dep.Primary.With(pulumi.Parent(c))
	var err error
	switch dep.Primary.Cloud {
	case core.AWS:
		c.URL, err = awsDashboardResource(ctx, name, dep, body, o)
	case core.GCP:
		c.URL, err = gcpDashboardResource(ctx, name, dep, body, o)
	case core.Azure:
		c.URL, err = azureWorkbookResource(ctx, name, dep, body, o)
	default:
		err = fmt.Errorf("cloud %q is not supported", dep.Primary.Cloud)
	}
	if err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", name, err)
	}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"url": c.URL})
}

// stableUUID is a UUID derived from s: Azure workbooks are named by GUID,
// and re-running must not rename one.
func stableUUID(s string) string {
	sum := sha256.Sum256([]byte(s))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
