package core

import (
	"slices"
	"strings"
)

// regions lists the regions each cloud offers, so a typo ("eu-west-9") is
// caught before any deploy rather than by the provider half way through.
var regions = map[Cloud][]string{
	AWS: {
		"af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
		"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
		"ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "ca-central-1", "ca-west-1",
		"eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
		"eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
		"me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2",
		"us-west-1", "us-west-2",
	},
	GCP: {
		"africa-south1", "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2",
		"asia-northeast3", "asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2",
		"australia-southeast1", "australia-southeast2", "europe-central2", "europe-north1",
		"europe-north2", "europe-southwest1", "europe-west1", "europe-west10", "europe-west12",
		"europe-west2", "europe-west3", "europe-west4", "europe-west6", "europe-west8",
		"europe-west9", "me-central1", "me-central2", "me-west1", "northamerica-northeast1",
		"northamerica-northeast2", "northamerica-south1", "southamerica-east1",
		"southamerica-west1", "us-central1", "us-east1", "us-east4", "us-east5", "us-south1",
		"us-west1", "us-west2", "us-west3", "us-west4",
	},
	Azure: {
		"australiaeast", "australiasoutheast", "brazilsouth", "canadacentral", "canadaeast",
		"centralindia", "centralus", "eastasia", "eastus", "eastus2", "francecentral",
		"francesouth", "germanynorth", "germanywestcentral", "israelcentral", "italynorth",
		"japaneast", "japanwest", "koreacentral", "mexicocentral", "newzealandnorth",
		"northcentralus", "northeurope", "norwayeast", "norwaywest", "polandcentral",
		"qatarcentral", "southafricanorth", "southcentralus", "southeastasia", "southindia",
		"spaincentral", "swedencentral", "switzerlandnorth", "switzerlandwest", "uaenorth",
		"uksouth", "ukwest", "westcentralus", "westeurope", "westus", "westus2", "westus3",
	},
}

// azureEurope are the Azure regions inside the EU, EEA, UK or Switzerland.
var azureEurope = []string{
	"francecentral", "francesouth", "germanynorth", "germanywestcentral", "italynorth",
	"northeurope", "norwayeast", "norwaywest", "polandcentral", "spaincentral",
	"swedencentral", "switzerlandnorth", "switzerlandwest", "uksouth", "ukwest", "westeurope",
}

// Regions returns the regions of cloud, sorted.
func Regions(c Cloud) []string { return regions[c] }

// ValidRegion reports whether region exists on cloud.
func ValidRegion(c Cloud, region string) bool { return slices.Contains(regions[c], region) }

// InEurope reports whether region is in the EU, EEA, UK or Switzerland: where
// GDPR lets WedSync keep guest data without further transfer safeguards.
func InEurope(c Cloud, region string) bool {
	switch c {
	case AWS:
		return strings.HasPrefix(region, "eu-")
	case GCP:
		return strings.HasPrefix(region, "europe-")
	case Azure:
		return slices.Contains(azureEurope, region)
	}
	return false
}

// azureWithoutZones are the Azure regions that have no availability zones:
// zonal settings there are refused by the API, so components fall back to
// what the region offers (same-zone HA, unzoned scale sets).
var azureWithoutZones = []string{
	"australiasoutheast", "canadaeast", "francesouth", "germanynorth", "japanwest",
	"northcentralus", "norwaywest", "southindia", "switzerlandwest", "ukwest",
	"westcentralus", "westus",
}

// Zones returns three availability zones of region, as the cloud names them,
// or none where the region has no zones. Prod spreads databases and groups
// over them.
func Zones(c Cloud, region string) []string {
	switch c {
	case AWS:
		return []string{region + "a", region + "b", region + "c"}
	case GCP:
		// A few older regions have no zone "a".
		switch region {
		case "europe-west1", "us-east1":
			return []string{region + "-b", region + "-c", region + "-d"}
		}
		return []string{region + "-a", region + "-b", region + "-c"}
	case Azure:
		if slices.Contains(azureWithoutZones, region) {
			return nil
		}
		return []string{"1", "2", "3"}
	}
	return nil
}

// ShortRegion abbreviates region for names that must be globally unique and
// short (storage accounts, key vaults): "eu-west-2" -> "euw2",
// "europe-west2" -> "euw2", "uksouth" -> "uks".
func ShortRegion(region string) string {
	words := map[string]string{
		"europe": "eu", "north": "n", "south": "s", "east": "e", "west": "w",
		"central": "c", "northeast": "ne", "southeast": "se", "northwest": "nw",
		"southwest": "sw", "northcentral": "nc", "southcentral": "sc", "westcentral": "wc",
		"america": "am", "northamerica": "na", "southamerica": "sa", "australia": "au",
		"asia": "as", "africa": "af", "germany": "de", "france": "fr", "switzerland": "ch",
		"norway": "no", "sweden": "se", "poland": "pl", "italy": "it", "spain": "es",
		"canada": "ca", "brazil": "br", "japan": "jp", "korea": "kr", "india": "in",
		"uae": "ae", "qatar": "qa", "israel": "il", "mexico": "mx", "newzealand": "nz",
	}
	var b strings.Builder
	for _, part := range strings.Split(strings.ReplaceAll(region, "-", " "), " ") {
		word, digits := strings.TrimRight(part, "0123456789"), strings.TrimLeft(part, "abcdefghijklmnopqrstuvwxyz")
		if w, ok := words[word]; ok {
			b.WriteString(w)
		} else {
			b.WriteString(azureShort(word))
		}
		b.WriteString(digits)
	}
	return b.String()
}

// azureShort abbreviates Azure's run-together names ("uksouth", "westeurope").
func azureShort(word string) string {
	for _, pair := range [][2]string{
		{"uk", "uk"}, {"west", "w"}, {"east", "e"}, {"north", "n"}, {"south", "s"}, {"central", "c"},
		{"europe", "eu"}, {"us", "us"},
	} {
		if rest, ok := strings.CutPrefix(word, pair[0]); ok && rest != word {
			if rest == "" {
				return pair[1]
			}
			return pair[1] + azureShort(rest)
		}
	}
	if len(word) > 3 {
		return word[:3]
	}
	return word
}
