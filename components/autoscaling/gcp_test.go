package autoscaling

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/season"
)

const (
	gcpAutoscaler = "gcp:compute/regionAutoscaler:RegionAutoscaler"
	gcpTemplate   = "gcp:compute/instanceTemplate:InstanceTemplate"
	gcpGroup      = "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager"
)

// gcpSimulate reads the autoscaler's recorded policy and runs it from now
// to the horizon's end.
func gcpSimulate(t *testing.T, r result, now time.Time) []season.Sample {
	t.Helper()
	a := r.one(t, gcpAutoscaler)
	var schedules []season.GCPScalingSchedule
	for _, raw := range lookupList(a, "autoscalingPolicy", "scalingSchedules") {
		s := raw.(map[string]any)
		schedules = append(schedules, season.GCPScalingSchedule{
			Name: s["name"].(string), Schedule: s["schedule"].(string), TimeZone: s["timeZone"].(string),
			DurationSec: int(s["durationSec"].(float64)), MinRequiredReplicas: int(s["minRequiredReplicas"].(float64)),
		})
	}
	if len(schedules) == 0 {
		t.Fatal("no scaling schedules in the plan")
	}
	_, to := r.args.Calendar.Horizon(now)
	samples, err := season.SimulateGCP(schedules, lookupInt(a, "autoscalingPolicy", "minReplicas"), lookupInt(a, "autoscalingPolicy", "maxReplicas"), now, to, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return samples
}

func TestGCPScalingSchedulesInThePlanFollowTheCalendarEveryHour(t *testing.T) {
	for _, now := range []time.Time{juneWednesday, time.Date(2026, 11, 1, 1, 0, 0, 0, london), time.Date(2027, 2, 3, 9, 0, 0, 0, london)} {
		t.Run(now.Format("2006-01-02T15:04"), func(t *testing.T) {
			r := planGroup(t, core.GCP, core.Prod, now, nil)
			samples := gcpSimulate(t, r, now)
			report(t, compare(r.args.Calendar, samples, minOnly))
			k := r.args.Calendar.Capacity
			for _, s := range samples {
				if s.Capacity.Max != max(k.OffSeason.Max, k.Peak.Max, k.WeddingDay.Max) {
					t.Fatalf("max %d at %s", s.Capacity.Max, s.Time)
				}
			}
		})
	}
}

func TestGCPPlan(t *testing.T) {
	now := juneWednesday
	r := planGroup(t, core.GCP, core.Prod, now, nil)
	tmpl := r.one(t, gcpTemplate)
	mig := r.one(t, gcpGroup)
	as := r.one(t, gcpAutoscaler)

	t.Run("prod_saturday_minimum_is_above_the_off_season_baseline", func(t *testing.T) {
		samples := gcpSimulate(t, r, now)
		for _, sat := range saturdayAfternoons {
			if got := sampleAt(t, samples, sat); got.Min <= r.args.Calendar.Capacity.OffSeason.Min {
				t.Errorf("%s: min %d", sat.Format("2006-01-02"), got.Min)
			}
		}
	})
	t.Run("boot_disk_is_encrypted_with_the_data_key", func(t *testing.T) {
		want(t, tmpl, testKeys[core.GCP], "disks", "0", "diskEncryptionKey", "kmsKeySelfLink")
		want(t, tmpl, testImages().GCP["europe-west2"], "disks", "0", "sourceImage")
		m := r.one(t, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
		want(t, m, testKeys[core.GCP], "cryptoKeyId")
		want(t, m, "serviceAccount:service-123456789012@compute-system.iam.gserviceaccount.com", "member")
	})
	t.Run("instances_are_shielded_private_and_tagged", func(t *testing.T) {
		for _, f := range []string{"enableSecureBoot", "enableVtpm", "enableIntegrityMonitoring"} {
			want(t, tmpl, true, "shieldedInstanceConfig", f)
		}
		if ac := lookupList(tmpl, "networkInterfaces", "0", "accessConfigs"); len(ac) != 0 {
			t.Errorf("external access configs %v", ac)
		}
		want(t, tmpl, testSubnets[core.GCP][0], "networkInterfaces", "0", "subnetwork")
		want(t, tmpl, "wedsync-app", "tags", "0")
		want(t, tmpl, "n2-standard-4", "machineType")
	})
	t.Run("group_spans_three_zones_with_autohealing_and_proactive_updates", func(t *testing.T) {
		if z := lookupList(mig, "distributionPolicyZones"); len(z) != 3 {
			t.Errorf("zones %v", z)
		}
		want(t, mig, "PROACTIVE", "updatePolicy", "type")
		want(t, mig, 0, "updatePolicy", "maxUnavailableFixed")
		if hc := lookupString(mig, "autoHealingPolicies", "healthCheck"); !strings.Contains(hc, "healthChecks/wedsync-prod-app") {
			t.Errorf("health check %q", hc)
		}
		hc := r.one(t, "gcp:compute/healthCheck:HealthCheck")
		want(t, hc, 8080, "httpHealthCheck", "port")
		want(t, hc, "/healthz", "httpHealthCheck", "requestPath")
		if _, set := mig.Inputs["targetSize"]; set {
			t.Error("the group sets a target size the autoscaler owns")
		}
	})
	t.Run("autoscaler_targets_cpu_and_says_until_when_it_is_valid", func(t *testing.T) {
		want(t, as, 0.6, "autoscalingPolicy", "cpuUtilization", "target")
		want(t, as, 2, "autoscalingPolicy", "minReplicas")
		want(t, as, 60, "autoscalingPolicy", "maxReplicas")
		if !strings.Contains(lookupString(as, "description"), "2027-06-30T23:00:00Z") {
			t.Errorf("description %q", lookupString(as, "description"))
		}
	})
	t.Run("identity_is_the_dedicated_service_account", func(t *testing.T) {
		// What the ingress's backend service names: the group's instance group.
		if r.out.InstanceGroup != "https://www.googleapis.com/compute/v1/projects/wedsync-prod/regions/europe-west2/instanceGroups/wedsync-prod-app" {
			t.Errorf("instance group %q", r.out.InstanceGroup)
		}
		if r.out.Identity != "wedsync-prod-app@wedsync-prod.iam.gserviceaccount.com" {
			t.Errorf("identity %q", r.out.Identity)
		}
		want(t, tmpl, r.out.Identity, "serviceAccount", "email")
		if len(r.out.Schedules) != len(lookupList(as, "autoscalingPolicy", "scalingSchedules")) {
			t.Errorf("schedules output %v", r.out.Schedules)
		}
	})
	t.Run("every_resource_uses_the_sites_provider", func(t *testing.T) {
		for _, res := range r.customResources() {
			if !strings.HasSuffix(res.Provider, "::gcp-primary") {
				t.Errorf("%s %s: provider %q", res.Type, res.Name, res.Provider)
			}
		}
	})
}

func TestGCPSchedulesHaveNoPerpetualDiff(t *testing.T) {
	a := planGroup(t, core.GCP, core.Prod, juneWednesday, nil).one(t, gcpAutoscaler)
	b := planGroup(t, core.GCP, core.Prod, juneWednesday.Add(time.Hour), nil).one(t, gcpAutoscaler)
	if !reflect.DeepEqual(a.Inputs, b.Inputs) {
		t.Fatalf("autoscaler inputs differ an hour apart:\n%v\n%v", a.Inputs, b.Inputs)
	}
}
