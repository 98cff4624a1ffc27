package alerting

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// DashboardType is the dashboard's type token.
const DashboardType = "wedsync:alerting:Dashboard"

// oldDashboardType is the dashboard's token before the package and the
// token's module agreed; kept as an alias so deployed stacks update in place.
const oldDashboardType = "wedsync:monitoring:Dashboard"

// DashboardArgs name what the dashboard watches.
type DashboardArgs struct {
	Deployment core.Deployment
	// Database is the database's MetricsID.
	Database pulumi.StringOutput
	// Replicas are the database's ReplicaMetricsIDs, whose lag the
	// replication panel charts (AWS, GCP); unset charts none.
	Replicas pulumi.StringArrayOutput
	// Group is the app group's name (ASG, managed instance group or scale
	// set name).
	Group pulumi.StringOutput
	// Buckets are the backup buckets' names (storage account names on Azure).
	Buckets pulumi.StringArrayOutput
	// LoadBalancer is the ingress's MetricsID (the ALB's ARN suffix, the
	// URL map's name, the gateway's id); unset draws no traffic panels.
	LoadBalancer pulumi.StringOutput
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
	// The traffic panels: what couples and suppliers see (components/ingress).
	lbRequests panel = "Traffic in: requests (traffic)"
	lbErrors   panel = "Traffic in: 5xx responses (errors; objective 99.9% without)"
	lbLatency  panel = "Traffic in: p99 latency (target 500 ms)"
	lbBudget   panel = "Traffic in: availability per day (error budget: 0.1%)"
)

var panels = []panel{dbSaturation, dbTraffic, dbLatency, groupCapacity, groupCPU, backupWrites}

// trafficPanels are drawn when the dashboard knows the load balancer.
var trafficPanels = []panel{lbRequests, lbErrors, lbLatency, lbBudget}

// shown are the panels of w, in layout order.
func (w watched) shown() []panel {
	if w.lb == "" {
		return panels
	}
	return append(append([]panel{}, trafficPanels...), panels...)
}

// watched are the resolved names the dashboard is drawn from.
type watched struct {
	database, group, lb string
	buckets, replicas   []string
}

// NewDashboard creates the stack's dashboard at the primary site.
func NewDashboard(ctx *pulumi.Context, name string, args *DashboardArgs, opts ...pulumi.ResourceOption) (*Dashboard, error) {
	if args == nil || args.Deployment.Primary.Provider == nil {
		return nil, fmt.Errorf("dashboard %s: args with the primary site's provider are required", name)
	}
	c := &Dashboard{}
	if err := ctx.RegisterComponentResource(DashboardType, name, c, core.Aliased(opts, oldDashboardType)...); err != nil {
		return nil, err
	}
	b := &dashboardBuilder{ctx: ctx, name: name, a: args, c: c}
	out, err := core.Implementations[dashboardOutputs]{AWS: b.aws, GCP: b.gcp, Azure: b.azure}.Build(args.Deployment.Primary.Cloud)
	if err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", name, err)
	}
	c.URL = out.url
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"url": c.URL})
}

// dashboardBuilder is one build of the dashboard.
type dashboardBuilder struct {
	ctx  *pulumi.Context
	name string
	a    *DashboardArgs
	c    *Dashboard
}

// dashboardOutputs are what a cloud's implementation returns.
type dashboardOutputs struct {
	url pulumi.StringOutput
}

// opts are a child's options: parented to the dashboard, on the primary
// site's provider.
func (b *dashboardBuilder) opts() []pulumi.ResourceOption {
	return b.a.Deployment.Primary.With(pulumi.Parent(b.c))
}

// body is the dashboard's document once the names it watches are known:
// draw lays the panels out the cloud's way. buckets are the backup
// buckets as the cloud charts them.
func (b *dashboardBuilder) body(buckets pulumi.StringArrayOutput, draw func(watched) any) pulumi.StringOutput {
	lb := b.a.LoadBalancer
	if lb.OutputState == nil {
		lb = pulumi.String("").ToStringOutput()
	}
	replicas := b.a.Replicas
	if replicas == (pulumi.StringArrayOutput{}) {
		replicas = pulumi.StringArray{}.ToStringArrayOutput()
	}
	return pulumi.All(b.a.Database, b.a.Group, buckets, lb, replicas).ApplyT(func(vs []any) (string, error) {
		doc, err := json.Marshal(draw(watched{database: vs[0].(string), group: vs[1].(string), buckets: vs[2].([]string), lb: vs[3].(string), replicas: vs[4].([]string)}))
		return string(doc), err
	}).(pulumi.StringOutput)
}

// stableUUID is a UUID derived from s: Azure workbooks are named by GUID,
// and re-running must not rename one.
func stableUUID(s string) string {
	sum := sha256.Sum256([]byte(s))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
