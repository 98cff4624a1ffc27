package backupbucket

import (
	"fmt"
	"math"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

// writeTimes are times of day a backup is written (days into day 0): at
// midnight, in the nightly window, and just before the next midnight.
var writeTimes = []float64{0, 0.08, 0.5, 0.99}

// retentions are the stated retentions checked, one per environment.
var retentions = []struct {
	env  core.Environment
	days int
}{{core.Dev, 7}, {core.Staging, 60}, {core.Prod, 365}}

// withinADay fails unless every write time's lifetime, by simulate, is the
// stated retention to within a day (never less: the lock promises it).
func withinADay(t *testing.T, what string, days int, simulate func(written float64) float64) {
	t.Helper()
	for _, w := range writeTimes {
		life := simulate(w) - w
		if life < float64(days)-1e-9 || life > float64(days)+1 {
			t.Errorf("%s: a backup written at day %.2f lives %.2f days; stated retention is %d", what, w, life, days)
		}
	}
}

func intAt(t *testing.T, r result, typ, name string, path ...string) int {
	t.Helper()
	v := get(t, r.one(typ, name), path...)
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("%s %s %v = %v is not a number", typ, name, path, v)
	}
	return int(f)
}

// TestS3LifetimeEqualsRetention runs the S3 simulator over the rules the
// component plans, for every environment's retention.
func TestS3LifetimeEqualsRetention(t *testing.T) {
	for _, c := range retentions {
		r := fixture{cloud: core.AWS, env: c.env, noDR: c.env == core.Dev, settings: Settings{RetentionDays: c.days}}.run(t)
		rules := s3Rules{
			expirationDays: intAt(t, r, s3Lifecycle, "db-exports", "rules", "0", "expiration", "days"),
			noncurrentDays: intAt(t, r, s3Lifecycle, "db-exports", "rules", "0", "noncurrentVersionExpiration", "noncurrentDays"),
			lockDays:       intAt(t, r, s3Lock, "db-exports", "rule", "defaultRetention", "days"),
		}
		withinADay(t, fmt.Sprintf("S3 %s %+v", c.env, rules), c.days, func(w float64) float64 { return simulateS3(rules, w) })
	}
}

// TestGCSLifetimeEqualsRetention runs the GCS simulator over the planned
// bucket, with GCS acting at once and a full day late.
func TestGCSLifetimeEqualsRetention(t *testing.T) {
	for _, c := range retentions {
		r := fixture{cloud: core.GCP, env: c.env, noDR: c.env == core.Dev, settings: Settings{RetentionDays: c.days}}.run(t)
		gcsWithinADay(t, fmt.Sprintf("GCS %s", c.env), c.days, r.one(gcsBucketT, "db-exports"))
	}
}

// TestOffsiteLifetimeEqualsRetention runs the GCS simulator over the
// offsite buckets, fed from S3 and from Azure Blob: the offsite copy ends
// when the stated retention does, like every other tier.
func TestOffsiteLifetimeEqualsRetention(t *testing.T) {
	for _, cloud := range []core.Cloud{core.AWS, core.Azure} {
		for _, c := range retentions[1:] {
			r := fixture{cloud: cloud, env: c.env, offsite: true, settings: Settings{RetentionDays: c.days}}.run(t)
			gcsWithinADay(t, fmt.Sprintf("offsite from %s, %s", cloud, c.env), c.days, r.one(gcsBucketT, "db-exports-offsite"))
		}
	}
}

// gcsWithinADay reads the rules of the planned bucket b and checks its
// lifetime with GCS acting at once and a full day late.
func gcsWithinADay(t *testing.T, what string, days int, b plan.Resource) {
	t.Helper()
	rules := gcsRules{
		retentionDays:  get(t, b, "retentionPolicy", "retentionPeriod").(float64) / 86400,
		softDeleteDays: get(t, b, "softDeletePolicy", "retentionDurationSeconds").(float64) / 86400,
	}
	for _, rule := range get(t, b, "lifecycleRules").([]any) {
		m := rule.(map[string]any)
		if m["action"].(map[string]any)["type"] == "Delete" {
			if age, ok := m["condition"].(map[string]any)["age"].(float64); ok && !rules.hasDeleteAction {
				rules.deleteAgeDays, rules.hasDeleteAction = int(age), true
			}
		}
	}
	for _, lag := range []float64{0, 1} {
		rules.actionLagDays = lag
		withinADay(t, fmt.Sprintf("%s %+v", what, rules), days, func(w float64) float64 { return simulateGCS(rules, w) })
	}
}

// TestAzureLifetimeEqualsRetention runs the Azure simulator over the
// planned account, with the daily policy run at any time of day.
func TestAzureLifetimeEqualsRetention(t *testing.T) {
	for _, c := range retentions {
		r := fixture{cloud: core.Azure, env: c.env, noDR: c.env == core.Dev, settings: Settings{RetentionDays: c.days}}.run(t)
		azureWithinADay(t, fmt.Sprintf("Azure %s", c.env), c.days, r, "db-exports")
	}
}

// TestOffsiteOnAzureLifetimeEqualsRetention runs the Azure simulator over
// prod-gcp's offsite container (fed by Data Factory from GCS).
func TestOffsiteOnAzureLifetimeEqualsRetention(t *testing.T) {
	for _, c := range retentions[1:] {
		r := fixture{cloud: core.GCP, env: c.env, offsite: true, settings: Settings{RetentionDays: c.days}}.run(t)
		azureWithinADay(t, fmt.Sprintf("offsite from gcp, %s", c.env), c.days, r, "db-exports-offsite")
	}
}

// azureWithinADay reads the rules of the planned account name and checks
// its lifetime with the daily policy run at any time of day.
func azureWithinADay(t *testing.T, what string, days int, r result, name string) {
	t.Helper()
	actions := []string{"policy", "rules", "0", "definition", "actions"}
	rules := azureRules{
		baseDeleteAfter:    intAt(t, r, azLifecycle, name, append(actions, "baseBlob", "delete", "daysAfterCreationGreaterThan")...),
		versionDeleteAfter: intAt(t, r, azLifecycle, name, append(actions, "version", "delete", "daysAfterCreationGreaterThan")...),
		immutableDays:      intAt(t, r, azAccount, name, "immutableStorageWithVersioning", "immutabilityPolicy", "immutabilityPeriodSinceCreationInDays"),
	}
	if on, _ := get(t, r.one(azBlobProps, name), "deleteRetentionPolicy", "enabled").(bool); on {
		rules.softDeleteDays = intAt(t, r, azBlobProps, name, "deleteRetentionPolicy", "days")
	}
	for _, offset := range []float64{0, 0.5, 0.99} {
		rules.runOffset = offset
		withinADay(t, fmt.Sprintf("%s %+v", what, rules), days, func(w float64) float64 { return simulateAzure(rules, w) })
	}
}

// TestSimulatorsCatchOverRetention is the broken variant: the rules the
// component planned before (S3 expiry plus a noncurrent rule of the full
// retention; GCS and Azure soft delete of 30 days after retention) must
// fail the same check, or the checks above prove nothing.
func TestSimulatorsCatchOverRetention(t *testing.T) {
	const days = 365
	over := func(what string, end float64) {
		if life := end; life <= days+1 {
			t.Errorf("%s: lifetime %.2f passes as within a day of %d", what, life, days)
		}
	}
	over("S3 expiry+noncurrent at retention", simulateS3(s3Rules{expirationDays: days, noncurrentDays: days, lockDays: days}, 0))
	over("GCS with 30 days of soft delete", simulateGCS(gcsRules{deleteAgeDays: days, retentionDays: days, softDeleteDays: 30, hasDeleteAction: true}, 0))
	over("GCS without a delete rule", simulateGCS(gcsRules{retentionDays: days}, 0))
	over("Azure with 30 days of soft delete", simulateAzure(azureRules{baseDeleteAfter: days, versionDeleteAfter: days, immutableDays: days, softDeleteDays: 30}, 0))
	if got := simulateS3(s3Rules{expirationDays: days, noncurrentDays: days, lockDays: days}, 0.5); math.Abs(got-(2*days+1)) > 1 {
		t.Errorf("S3 simulator: the old rules end at %.2f, want about 2x retention (%d)", got, 2*days+1)
	}
}
