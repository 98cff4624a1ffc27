package database

// size is one row of the sizing table: a vCPU and memory class and the
// instance class each cloud runs it on.
type size struct {
	vCPU, memoryGiB  int
	aws              string // RDS instance class
	gcp              string // Cloud SQL tier
	azure, azureTier string // Flexible Server SKU name and tier
	// connections is the connection count that raises the connections
	// alarm: 80% of the lowest default max_connections among the clouds for
	// this memory (Cloud SQL's, in practice).
	connections int
	// burstable sizes have no HA on Azure and no SLA on shared cores, so
	// prod refuses them.
	burstable bool
}

// sizes is the one table mapping Settings.Size to each cloud's classes.
// General-purpose classes: WedSync's working set (2,000+ active weddings)
// fits in memory at medium, and peak season scales reads, not the writer.
var sizes = map[string]size{
	"xsmall": {vCPU: 2, memoryGiB: 2, aws: "db.t4g.small", gcp: "db-custom-1-3840", azure: "Standard_B2s", azureTier: "Burstable", connections: 80, burstable: true},
	"small":  {vCPU: 2, memoryGiB: 8, aws: "db.m7g.large", gcp: "db-custom-2-8192", azure: "Standard_D2ds_v5", azureTier: "GeneralPurpose", connections: 320},
	"medium": {vCPU: 4, memoryGiB: 16, aws: "db.m7g.xlarge", gcp: "db-custom-4-16384", azure: "Standard_D4ds_v5", azureTier: "GeneralPurpose", connections: 400},
	"large":  {vCPU: 8, memoryGiB: 32, aws: "db.m7g.2xlarge", gcp: "db-custom-8-32768", azure: "Standard_D8ds_v5", azureTier: "GeneralPurpose", connections: 480},
	"xlarge": {vCPU: 16, memoryGiB: 64, aws: "db.m7g.4xlarge", gcp: "db-custom-16-65536", azure: "Standard_D16ds_v5", azureTier: "GeneralPurpose", connections: 640},
}

// sizeNames lists sizes smallest first, for messages.
var sizeNames = []string{"xsmall", "small", "medium", "large", "xlarge"}

// connectionsTableShare is the share of the ceiling the sizing table's
// connections column holds (80%).
const connectionsTableShare = 0.8
