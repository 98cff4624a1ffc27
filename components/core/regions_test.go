package core

import "testing"

func TestZones(t *testing.T) {
	tests := []struct {
		cloud  Cloud
		region string
		want   int
	}{
		{AWS, "eu-west-2", 3},
		{GCP, "europe-west1", 3},
		{Azure, "uksouth", 3},
		{Azure, "ukwest", 0}, // no availability zones: where prod-azure is rebuilt
	}
	for _, tt := range tests {
		if got := Zones(tt.cloud, tt.region); len(got) != tt.want {
			t.Errorf("Zones(%s, %s) = %v, want %d zones", tt.cloud, tt.region, got, tt.want)
		}
	}
	if got := Zones(GCP, "europe-west1"); got[0] != "europe-west1-b" {
		t.Errorf("europe-west1 has no zone a; got %v", got)
	}
}

func TestShortRegion(t *testing.T) {
	for region, want := range map[string]string{"eu-west-2": "euw2", "europe-west2": "euw2", "uksouth": "uks", "ukwest": "ukw", "westeurope": "weu"} {
		if got := ShortRegion(region); got != want {
			t.Errorf("ShortRegion(%q) = %q, want %q", region, got, want)
		}
	}
}
