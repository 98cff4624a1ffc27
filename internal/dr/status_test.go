package dr

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/backupbucket"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/policies/rules"
	"github.com/wedsync/wedsync-infra/stacks"
)

// databaseTiers are the database's tiers of a status, by their name.
func databaseTiers(cfg stacks.Config) map[string]Tier {
	out := map[string]Tier{}
	for _, t := range Status(cfg) {
		if t.Data != "database" {
			continue
		}
		name, _, _ := strings.Cut(t.Copy, ":")
		out[name] = t
	}
	return out
}

func TestStatusListsTheFourDatabaseTiersWithTheirRPO(t *testing.T) {
	cfg := stacks.Config{StackSettings: rules.StackSettings{Environment: core.Prod}, Cloud: core.AWS, Region: "eu-west-2", DRRegion: "eu-west-1",
		Backup: backupbucket.Settings{RetentionDays: 365, Offsite: &backupbucket.Offsite{Cloud: core.GCP, Region: "europe-west2"}}}
	tiers := databaseTiers(cfg)
	for _, name := range []string{"native PITR", "vault", "bucket", "offsite"} {
		tier, ok := tiers[name]
		if !ok || tier.RPO == "" {
			t.Errorf("status lacks the %s tier (or its RPO): %+v", name, tiers)
		}
	}
	if v := tiers["vault"]; !strings.Contains(v.Where, "eu-west-1") || !strings.Contains(v.Basis, "compliance") {
		t.Errorf("prod AWS vault tier %+v: want the DR copy and a compliance lock", v)
	}
	if o := tiers["offsite"]; !o.Replicated || !strings.Contains(o.Where, "GCP") {
		t.Errorf("offsite tier %+v: want GCP", o)
	}
	// Broken variant: without wedsync:backup.offsite there is no offsite copy.
	cfg.Backup.Offsite = nil
	if o := databaseTiers(cfg)["offsite"]; o.Replicated || o.Where != "" {
		t.Errorf("a stack without an offsite site reports one: %+v", o)
	}
}

// TestShippedProdStacksListTheirOffsiteTier: dr status lists the offsite
// tier, with its RPO and how it is read, for every prod stack that has one.
func TestShippedProdStacksListTheirOffsiteTier(t *testing.T) {
	for stack, want := range map[string][2]string{"prod": {"GCP", "from S3"}, "prod-azure": {"GCP", "from Azure Blob"}, "prod-gcp": {"Azure", "Data Factory from GCS"},
		// The recovery stacks copy their own region's backups offsite.
		"prod-dr": {"GCP", "from S3"}, "prod-azure-dr": {"GCP", "from Azure Blob"}, "prod-gcp-dr": {"Azure", "Data Factory from GCS"}} {
		o := databaseTiers(planOf(t, stack).Config)["offsite"]
		if !strings.Contains(o.Where, want[0]) || !strings.Contains(o.Copy, want[1]) || !strings.HasPrefix(o.RPO, "24 h") {
			t.Errorf("%s offsite tier %+v: want %s, a copy %s and a 24 h RPO", stack, o, want[0], want[1])
		}
	}
	// Broken variant: a stack without wedsync:backup.offsite lists none.
	cfg := planOf(t, "prod-azure-dr").Config
	cfg.Backup.Offsite = nil
	if o := databaseTiers(cfg)["offsite"]; o.Where != "" {
		t.Errorf("a stack without an offsite site reports an offsite tier: %+v", o)
	}
}

// dr status says where each shipped prod stack's hostname points: the AWS
// pair by failover routing, the GCP and Azure DR stacks as standbys that
// take it by the runbook.
func TestStatusSaysWhereTheHostnamePoints(t *testing.T) {
	for stack, want := range map[string]string{
		"prod": "PRIMARY", "prod-dr": "SECONDARY", "prod-gcp": "plain record", "prod-gcp-dr": "standby", "prod-azure": "plain record", "prod-azure-dr": "standby",
	} {
		res := planOf(t, stack)
		var b strings.Builder
		if err := WriteStatus(&b, stack, res.Config); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if !strings.Contains(out, "traffic: app.wedsync.co.uk") || !strings.Contains(out, want) {
			t.Errorf("dr status %s: want traffic app.wedsync.co.uk and %q in\n%s", stack, want, out)
		}
	}
}
