package autoscaling

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/season"
)

// Settings are the cloud-neutral knobs users write under `wedsync:compute`.
// Capacity is not among them: it comes from the season calendar
// (`wedsync:season`), so there is one place to say how many instances run
// when.
type Settings struct {
	// Size is the instance class: xsmall (burstable, dev only), small,
	// medium or large (see sizes).
	Size string `json:"size,omitempty"`
	// Image is the machine image per cloud and region: the release the
	// group runs. The group launches its own region's image, so only the
	// stack's cloud needs images, and only in the stack's region
	// (core.Images).
	Image core.Images `json:"image"`
	// HealthCheckPath is the HTTP path, on the app port, that answers 2xx or
	// 3xx when an instance can serve.
	HealthCheckPath string `json:"healthCheckPath,omitempty"`
	// CPUTargetPercent is the average CPU utilisation reactive scaling aims
	// for, above the calendar's floor.
	CPUTargetPercent int `json:"cpuTargetPercent,omitempty"`
	// MinHealthyPercent is how much of the group stays in service while a
	// new image or template rolls out.
	MinHealthyPercent int `json:"minHealthyPercent,omitempty"`
	// MaxCapacityReason explains a prod calendar whose largest max capacity
	// is below ten times the off-season minimum (peak traffic is ten times
	// the baseline). Without it such a calendar is refused in prod.
	MaxCapacityReason string `json:"maxCapacityReason,omitempty"`
	// AdminSSHPublicKey is the break-glass SSH key of the admin user (Azure
	// only: a Linux scale set needs a credential at creation, and a key is
	// safer than a password). Operators reach instances through Bastion or
	// Run Command; AWS uses Session Manager and GCP OS Login instead.
	AdminSSHPublicKey string `json:"adminSshPublicKey,omitempty"`
}

// size is one row of the sizing table: a vCPU and memory class and the
// machine type each cloud runs it on.
type size struct {
	aws, gcp, azure string
	burstable       bool
}

// sizes is the one table mapping Settings.Size to each cloud's machine
// types. General-purpose x86 types with matching vCPU and memory, so a
// stack moved between clouds keeps its per-instance throughput.
var sizes = map[string]size{
	"xsmall": {aws: "t3.small", gcp: "e2-small", azure: "Standard_B2ls_v2", burstable: true}, // 2 vCPU, 2-4 GiB, burstable
	"small":  {aws: "m7i.large", gcp: "n2-standard-2", azure: "Standard_D2s_v5"},             // 2 vCPU, 8 GiB
	"medium": {aws: "m7i.xlarge", gcp: "n2-standard-4", azure: "Standard_D4s_v5"},            // 4 vCPU, 16 GiB
	"large":  {aws: "m7i.2xlarge", gcp: "n2-standard-8", azure: "Standard_D8s_v5"},           // 8 vCPU, 32 GiB
}

// sizeNames lists sizes smallest first, for messages.
var sizeNames = []string{"xsmall", "small", "medium", "large"}

// The limits settings are held to.
const (
	minCPUTarget       = 20
	maxCPUTarget       = 90
	maxMinHealthy      = 95 // a rollout must be able to replace at least 5% at a time (Azure's minimum batch)
	prodMinHealthy     = 90
	peakMultiple       = 10 // peak traffic is ten times the off-season baseline
	healthCheckPathMax = 1024
)

var (
	amiPattern      = regexp.MustCompile(`^ami-[0-9a-f]{8,17}$`)
	gcpImagePattern = regexp.MustCompile(`^projects/[a-z][-a-z0-9.:]*/global/images/(family/)?[a-z][-a-z0-9]*$`)
	azureIDPattern  = regexp.MustCompile(`^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/.+$`)
)

// ApplyDefaults fills every unset setting for env. Prod runs medium
// instances and rolls out keeping 90% in service; images have no default
// (a release is always named).
func (s *Settings) ApplyDefaults(env core.Environment) {
	if s.Size == "" {
		s.Size = map[core.Environment]string{core.Prod: "medium", core.Staging: "small"}[env]
		if s.Size == "" {
			s.Size = "xsmall"
		}
	}
	if s.HealthCheckPath == "" {
		s.HealthCheckPath = "/healthz"
	}
	if s.CPUTargetPercent == 0 {
		s.CPUTargetPercent = 60
	}
	if s.MinHealthyPercent == 0 {
		s.MinHealthyPercent = map[bool]int{true: prodMinHealthy, false: 50}[env.IsProd()]
	}
}

// Validate returns every problem with s for env on cloud at once: the
// images that are set, the image of cloud (the group's), and on Azure the
// admin key, so the stack's config is refused before anything is planned.
// ValidateCalendar checks the capacity rule.
func (s Settings) Validate(env core.Environment, cloud core.Cloud) error {
	p := &core.Problems{}
	pinned := env != core.Dev
	sz, known := sizes[s.Size]
	switch {
	case !known:
		p.Add("size", s.Size, "use %s", core.Join(sizeNames))
	case pinned && sz.burstable:
		p.Add("size", s.Size, "%s needs dedicated cores (CPU credits make the CPU target meaningless under load); use small or larger", env)
	}
	s.validateImages(p, env)
	if cloud.Valid() && len(s.Image.Of(cloud)) == 0 {
		p.Missing("image."+string(cloud), "the machine images the group runs on %s, by region (the release's images.%s, from environments/)", cloud.Title(), cloud)
	}
	if cloud == core.Azure && s.AdminSSHPublicKey == "" {
		p.Missing("adminSshPublicKey", "an Azure scale set needs an admin credential at creation; give a break-glass OpenSSH public key")
	}
	if !strings.HasPrefix(s.HealthCheckPath, "/") || len(s.HealthCheckPath) > healthCheckPathMax || strings.ContainsAny(s.HealthCheckPath, " ?#") {
		p.Add("healthCheckPath", s.HealthCheckPath, "use an absolute path without query, like /healthz")
	}
	if s.CPUTargetPercent < minCPUTarget || s.CPUTargetPercent > maxCPUTarget {
		p.Add("cpuTargetPercent", s.CPUTargetPercent, "use %d to %d", minCPUTarget, maxCPUTarget)
	}
	switch {
	case s.MinHealthyPercent < 0 || s.MinHealthyPercent > maxMinHealthy:
		p.Add("minHealthyPercent", s.MinHealthyPercent, "use 0 to %d", maxMinHealthy)
	case env.IsProd() && s.MinHealthyPercent < prodMinHealthy:
		p.Add("minHealthyPercent", s.MinHealthyPercent, "prod keeps at least %d%% in service during a rollout (a Saturday rollout must not drop wedding-day capacity); set %d to %d", prodMinHealthy, prodMinHealthy, maxMinHealthy)
	}
	if k := s.AdminSSHPublicKey; k != "" && !strings.HasPrefix(k, "ssh-rsa ") && !strings.HasPrefix(k, "ssh-ed25519 ") {
		p.Add("adminSshPublicKey", "(a key)", "use an OpenSSH public key starting with ssh-rsa or ssh-ed25519")
	}
	return p.Err()
}

// validateImages checks each image that is set, and that its region is
// one of its cloud's. Outside dev, an image must not move under the stack
// (a GCP family, an Azure "latest").
func (s Settings) validateImages(p *core.Problems, env core.Environment) {
	for _, c := range core.Clouds {
		for _, region := range s.Image.Regions(c) {
			field := fmt.Sprintf("image.%s.%s", c, region)
			if !core.ValidRegion(c, region) {
				p.Add(field, s.Image.For(c, region), "%s is not a region of %s%s", region, c.Title(), core.DidYouMean(region, core.Regions(c)))
			}
			validateImage(p, field, c, s.Image.For(c, region), env)
		}
	}
}

// validateImage checks one image of cloud c; outside dev it refuses one
// that moves.
func validateImage(p *core.Problems, field string, c core.Cloud, image string, env core.Environment) {
	pinned := env != core.Dev
	switch c {
	case core.AWS:
		if !amiPattern.MatchString(image) {
			p.Add(field, image, "use an AMI id like ami-0123456789abcdef0")
		}
	case core.GCP:
		switch {
		case !gcpImagePattern.MatchString(image):
			p.Add(field, image, "use projects/PROJECT/global/images/NAME")
		case pinned && strings.Contains(image, "/family/"):
			p.Add(field, image, "%s runs a promoted release, and a family moves; name the image (projects/PROJECT/global/images/NAME)", env)
		}
	case core.Azure:
		ref, err := parseAzureImage(image)
		switch {
		case err != nil:
			p.Add(field, image, "%v", err)
		case pinned && strings.EqualFold(ref.version, "latest"):
			p.Add(field, image, "%s runs a promoted release, and \"latest\" moves; name the version", env)
		}
	}
}

// ValidateRegion checks that the group has an image in region, the
// region it launches in (its site's): an image elsewhere cannot boot it.
func (s Settings) ValidateRegion(cloud core.Cloud, region string) error {
	p := &core.Problems{}
	if cloud.Valid() && region != "" && len(s.Image.Of(cloud)) > 0 && s.Image.For(cloud, region) == "" {
		p.Missing(fmt.Sprintf("image.%s.%s", cloud, region), "the group launches in %s and no image is named there (images in: %s); copy the image to %s and add it to the release's images.%s in environments/",
			region, strings.Join(s.Image.Regions(cloud), ", "), region, cloud)
	}
	return p.Err()
}

// ValidateCalendar checks the group's capacity rule against the season
// calendar: in prod, the largest max capacity of any window must be at
// least ten times the off-season minimum (peak traffic is ten times the
// baseline), unless MaxCapacityReason says why not. Call it with the
// defaulted calendar.
func (s Settings) ValidateCalendar(env core.Environment, cal season.Config) error {
	p := &core.Problems{}
	k := cal.Capacity
	largest := max(k.OffSeason.Max, k.Peak.Max, k.WeddingDay.Max)
	if env.IsProd() && largest < peakMultiple*k.OffSeason.Min && strings.TrimSpace(s.MaxCapacityReason) == "" {
		p.Add("maxCapacityReason", s.MaxCapacityReason,
			"prod's largest max capacity in wedsync:season (%d) is below %dx the off-season minimum (%d, so at least %d); raise capacity.weddingDay.max or capacity.peak.max, or say here why prod does not need it",
			largest, peakMultiple, k.OffSeason.Min, peakMultiple*k.OffSeason.Min)
	}
	return p.Err()
}

// azureImage is a parsed Images.Azure.
type azureImage struct {
	id                             string
	publisher, offer, sku, version string
}

func parseAzureImage(s string) (azureImage, error) {
	if strings.HasPrefix(s, "/") {
		if !azureIDPattern.MatchString(s) {
			return azureImage{}, fmt.Errorf("use a Microsoft.Compute image or gallery image version id (/subscriptions/.../providers/Microsoft.Compute/...)")
		}
		return azureImage{id: s}, nil
	}
	parts := strings.Split(s, ":")
	if len(parts) != 4 || slices.Contains(parts, "") {
		return azureImage{}, fmt.Errorf("use an image id or a marketplace URN publisher:offer:sku:version")
	}
	return azureImage{publisher: parts[0], offer: parts[1], sku: parts[2], version: parts[3]}, nil
}
