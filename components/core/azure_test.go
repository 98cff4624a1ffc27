package core

import (
	"regexp"
	"testing"
)

func TestAzureSubscriptionOf(t *testing.T) {
	for id, want := range map[string]string{
		"/subscriptions/0000-1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv": "/subscriptions/0000-1",
		"/SUBSCRIPTIONS/0000-1/resourceGroups/rg":                                        "/subscriptions/0000-1",
		"resourceGroups/rg/providers/x":                                                  "",
		"":                                                                               "",
	} {
		if got := AzureSubscriptionOf(id); got != want {
			t.Errorf("AzureSubscriptionOf(%q) = %q, want %q", id, got, want)
		}
	}
}

// A role assignment's name must be a GUID and the same on every run, or
// each up would add a second assignment.
func TestStableGUID(t *testing.T) {
	a := StableGUID("wedsync-prod-backup-db-uks-key")
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(a) {
		t.Errorf("%q is not a GUID", a)
	}
	if StableGUID("wedsync-prod-backup-db-uks-key") != a || StableGUID("wedsync-prod-backup-ledger-uks-key") == a {
		t.Error("the GUID is not stable per name, or two names share one")
	}
}
