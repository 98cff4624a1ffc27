package autoscaling

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/season"
)

const (
	azureSetting = "azure-native:insights:AutoscaleSetting"
	azureVMSS    = "azure-native:compute:VirtualMachineScaleSet"
)

// azurePlannedProfiles reads the autoscale setting's recorded profiles.
func azurePlannedProfiles(t *testing.T, r result) []season.AzureProfile {
	t.Helper()
	atoi := func(v any) int {
		n, err := strconv.Atoi(v.(string))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	ints := func(v any) []int {
		var out []int
		for _, x := range v.([]any) {
			out = append(out, int(x.(float64)))
		}
		return out
	}
	var out []season.AzureProfile
	for _, raw := range lookupList(r.one(t, azureSetting), "profiles") {
		p := raw.(map[string]any)
		k := p["capacity"].(map[string]any)
		ap := season.AzureProfile{Name: p["name"].(string), Capacity: season.AzureCapacity{Minimum: atoi(k["minimum"]), Maximum: atoi(k["maximum"]), Default: atoi(k["default"])}}
		if rec, ok := p["recurrence"].(map[string]any); ok {
			s := rec["schedule"].(map[string]any)
			var days []string
			for _, d := range s["days"].([]any) {
				days = append(days, d.(string))
			}
			ap.Recurrence = &season.AzureRecurrence{Frequency: rec["frequency"].(string), Schedule: season.AzureRecurrentSchedule{
				TimeZone: s["timeZone"].(string), Days: days, Hours: ints(s["hours"]), Minutes: ints(s["minutes"]),
			}}
		}
		if fd, ok := p["fixedDate"].(map[string]any); ok {
			start, err1 := time.Parse(time.RFC3339, fd["start"].(string))
			end, err2 := time.Parse(time.RFC3339, fd["end"].(string))
			if err1 != nil || err2 != nil {
				t.Fatalf("fixed date %v", fd)
			}
			ap.FixedDate = &season.AzureFixedDate{TimeZone: fd["timeZone"].(string), Start: start, End: end}
		}
		out = append(out, ap)
	}
	return out
}

func azureSimulate(t *testing.T, r result, now time.Time) []season.Sample {
	t.Helper()
	until, err := time.Parse(time.RFC3339, r.out.ValidUntil)
	if err != nil {
		t.Fatal(err)
	}
	samples, err := season.SimulateAzure(azurePlannedProfiles(t, r), now, until, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return samples
}

func TestAzureProfilesInThePlanFollowTheCalendarUntilValidUntil(t *testing.T) {
	for _, now := range []time.Time{juneWednesday, time.Date(2026, 10, 31, 22, 0, 0, 0, london), time.Date(2027, 2, 3, 9, 0, 0, 0, london)} {
		t.Run(now.Format("2006-01-02T15:04"), func(t *testing.T) {
			r := planGroup(t, core.Azure, core.Prod, now, nil)
			samples := azureSimulate(t, r, now)
			// A monthly re-apply must always be inside the plan's validity.
			if len(samples) < 31*24 {
				t.Fatalf("valid for only %d hours from %s", len(samples), now)
			}
			report(t, compare(r.args.Calendar, samples, allFields))
		})
	}
}

func TestAzurePlan(t *testing.T) {
	now := juneWednesday
	r := planGroup(t, core.Azure, core.Prod, now, nil)
	vmss := r.one(t, azureVMSS)
	setting := r.one(t, azureSetting)

	t.Run("prod_saturday_minimum_is_above_the_off_season_baseline", func(t *testing.T) {
		samples := azureSimulate(t, r, now)
		checked := 0
		for _, sat := range saturdayAfternoons {
			if sat.After(samples[len(samples)-1].Time) {
				continue
			}
			checked++
			if got := sampleAt(t, samples, sat); got.Min <= r.args.Calendar.Capacity.OffSeason.Min {
				t.Errorf("%s: min %d", sat.Format("2006-01-02"), got.Min)
			}
		}
		if checked == 0 {
			t.Fatal("no Saturday inside the plan's validity")
		}
	})
	t.Run("disks_are_encrypted_at_host_and_with_the_data_key", func(t *testing.T) {
		want(t, vmss, true, "virtualMachineProfile", "securityProfile", "encryptionAtHost")
		des := r.one(t, "azure-native:compute:DiskEncryptionSet")
		want(t, des, testKeys[core.Azure], "activeKey", "keyUrl")
		want(t, des, testVault, "activeKey", "sourceVault", "id")
		want(t, des, "EncryptionAtRestWithCustomerKey", "encryptionType")
		if id := lookupString(vmss, "virtualMachineProfile", "storageProfile", "osDisk", "managedDisk", "diskEncryptionSet", "id"); !strings.Contains(id, "diskEncryptionSets/") {
			t.Errorf("os disk encryption set %q", id)
		}
		ra := r.one(t, "azure-native:authorization:RoleAssignment")
		want(t, ra, testVault, "scope")
		if !strings.HasSuffix(lookupString(ra, "roleDefinitionId"), keyVaultCryptoServiceEncryptionUser) {
			t.Errorf("role %q", lookupString(ra, "roleDefinitionId"))
		}
	})
	t.Run("scale_set_spans_three_zones_and_repairs_itself", func(t *testing.T) {
		if z := lookupList(vmss, "zones"); len(z) != 3 {
			t.Errorf("zones %v", z)
		}
		want(t, vmss, true, "automaticRepairsPolicy", "enabled")
		want(t, vmss, "Rolling", "upgradePolicy", "mode")
		want(t, vmss, 10, "upgradePolicy", "rollingUpgradePolicy", "maxUnhealthyInstancePercent")
		want(t, vmss, "ApplicationHealthLinux", "virtualMachineProfile", "extensionProfile", "extensions", "0", "type")
		want(t, vmss, 8080, "virtualMachineProfile", "extensionProfile", "extensions", "0", "settings", "port")
		want(t, vmss, testSubnets[core.Azure][0], "virtualMachineProfile", "networkProfile", "networkInterfaceConfigurations", "0", "ipConfigurations", "0", "subnet", "id")
		// Traffic reaches the instances through the ingress's gateway pool.
		want(t, vmss, testBackendPool, "virtualMachineProfile", "networkProfile", "networkInterfaceConfigurations", "0", "ipConfigurations", "0", "applicationGatewayBackendAddressPools", "0", "id")
		if _, set := plan.Lookup(vmss.Inputs, "virtualMachineProfile", "networkProfile", "networkInterfaceConfigurations", "0", "ipConfigurations", "0", "publicIPAddressConfiguration"); set {
			t.Error("instances get public IPs")
		}
		want(t, vmss, "UserAssigned", "identity", "type")
		want(t, vmss, float64(r.args.Calendar.CapacityAt(now).Desired), "sku", "capacity")
	})
	t.Run("every_profile_carries_the_cpu_rules_within_azures_quotas", func(t *testing.T) {
		profiles := lookupList(setting, "profiles")
		if len(profiles) > season.AzureMaxProfiles {
			t.Errorf("%d profiles; Azure allows %d per autoscale setting", len(profiles), season.AzureMaxProfiles)
		}
		for i, raw := range profiles {
			rules := raw.(map[string]any)["rules"].([]any)
			if len(rules) != 2 || len(rules) > season.AzureMaxRulesPerProfile {
				t.Errorf("profile %d has %d rules; want the 2 CPU rules (Azure allows %d per profile)", i, len(rules), season.AzureMaxRulesPerProfile)
			}
		}
		want(t, setting, 60, "profiles", "0", "rules", "0", "metricTrigger", "threshold")
		want(t, setting, "Percentage CPU", "profiles", "0", "rules", "0", "metricTrigger", "metricName")
	})
	t.Run("valid_until_is_an_output_and_a_tag", func(t *testing.T) {
		if r.out.ValidUntil == "" {
			t.Fatal("no valid-until output")
		}
		want(t, setting, r.out.ValidUntil, "tags", validUntilTag)
		if len(r.out.Schedules) != len(lookupList(setting, "profiles")) {
			t.Errorf("schedules output %v", r.out.Schedules)
		}
	})
	t.Run("identity_is_the_user_assigned_identitys_principal", func(t *testing.T) {
		if len(r.out.Identity) != 36 {
			t.Errorf("identity %q", r.out.Identity)
		}
	})
	t.Run("every_taggable_resource_is_tagged_and_uses_the_sites_provider", func(t *testing.T) {
		for _, res := range r.customResources() {
			if !strings.HasSuffix(res.Provider, "::azure-primary") {
				t.Errorf("%s %s: provider %q", res.Type, res.Name, res.Provider)
			}
			if res.Type != "azure-native:authorization:RoleAssignment" && lookupString(res, "tags", "environment") != "prod" {
				t.Errorf("%s %s is not tagged", res.Type, res.Name)
			}
		}
	})
}

func TestAzureProfilesHaveNoPerpetualDiff(t *testing.T) {
	a := planGroup(t, core.Azure, core.Prod, juneWednesday, nil).one(t, azureSetting)
	b := planGroup(t, core.Azure, core.Prod, juneWednesday.Add(time.Hour), nil).one(t, azureSetting)
	if !reflect.DeepEqual(a.Inputs, b.Inputs) {
		t.Fatalf("autoscale setting inputs differ an hour apart:\n%v\n%v", a.Inputs, b.Inputs)
	}
}
