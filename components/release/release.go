// Package release is the shape of an environment's `release` block: what
// `wedsync-infra promote` moves dev -> staging -> prod, and what the program
// reads as the stack config key `wedsync:release`. Its images are
// core.Images, the type the autoscaling group launches from, so a promoted
// release reaches the group without a copy.
//
//	release:
//	  application: "2026.11.3"
//	  images:                   # by cloud, then region (core.Images)
//	    aws:
//	      eu-west-2: ami-0a7e9c1b3d5f7a9c2
//	      eu-west-1: ami-0b8f0d2c4e6a8b0d3   # the copy in the DR region
//	    gcp:
//	      europe-west2: projects/wedsync-images/global/images/wedsync-app-2026-11-3
//	      europe-west1: projects/wedsync-images/global/images/wedsync-app-2026-11-3
//	    azure:
//	      uksouth: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Compute/galleries/<g>/images/<i>/versions/2026.11.3
//	      ukwest: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Compute/galleries/<g>/images/<i>/versions/2026.11.3
//	  postgresVersion: "16"
//
// The old form, one image per cloud (aws: ami-...), is refused with how to
// write it per region (core.Images.UnmarshalJSON): an AMI boots only in
// its own region, so guessing which region it is for would let a DR stack
// plan an image it cannot boot.
package release

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Key is the stack config key the environments set from their release block.
const Key = "wedsync:release"

// Release is everything versioned that moves between environments together.
// Sizes, regions and retention are not here: they stay per environment.
type Release struct {
	// Application is the application release, e.g. "2026.11.3".
	Application string `json:"application"`
	// Images are the machine images the application runs from, per cloud
	// and region: every region a stack of the environment runs in, the DR
	// region included.
	Images core.Images `json:"images"`
	// PostgresVersion is the database engine's major version, e.g. "16".
	PostgresVersion string `json:"postgresVersion"`
}

// PostgresVersions are the major versions a release may name: the
// database component's, from the one list (core.PostgresVersions).
var PostgresVersions = core.PostgresVersions

var (
	applicationRe = regexp.MustCompile(`^[0-9]{4}\.[0-9]{1,2}\.[0-9]+(-[0-9A-Za-z.]+)?$`)
	// imagePatterns are what a release's image is on each cloud: a named,
	// immutable image (never a family or "latest"), so what is promoted is
	// what was tested.
	imagePatterns = map[core.Cloud]struct {
		pattern *regexp.Regexp
		help    string
	}{
		core.AWS:   {regexp.MustCompile(`^ami-([0-9a-f]{8}|[0-9a-f]{17})$`), "not an AMI id; use ami- and 8 or 17 hex digits"},
		core.GCP:   {regexp.MustCompile(`^projects/[a-z][-a-z0-9]{4,28}[a-z0-9]/global/images/[a-z]([-a-z0-9]*[a-z0-9])?$`), "not an image self link; use projects/<project>/global/images/<name>"},
		core.Azure: {regexp.MustCompile(`(?i)^/subscriptions/[0-9a-f-]{36}/resourceGroups/[^/]+/providers/Microsoft\.Compute/(images/[^/]+|galleries/[^/]+/images/[^/]+/versions/[^/]+)$`), "not an image resource id; use /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Compute/galleries/<g>/images/<i>/versions/<v>"},
	}
)

// Decode reads a release from its JSON form (the stack config value),
// rejecting unknown fields so a misspelt key is not silently dropped, and
// validates it.
func Decode(raw string) (Release, error) {
	var r Release
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Release{}, fmt.Errorf("%s: %w", Key, err)
	}
	if dec.More() {
		return Release{}, fmt.Errorf("%s: unexpected data after the object", Key)
	}
	return r, r.Validate()
}

// Validate reports every problem at once, each naming the field, the value
// and what is allowed.
func (r Release) Validate() error {
	var errs []error
	bad := func(field, value, format string, args ...any) {
		errs = append(errs, fmt.Errorf("release.%s = %q: %s", field, value, fmt.Sprintf(format, args...)))
	}
	if !applicationRe.MatchString(r.Application) {
		bad("application", r.Application, "use the release version YYYY.M.N, e.g. 2026.11.3")
	}
	if r.Images.IsZero() {
		errs = append(errs, errors.New("release.images: required: the image of each cloud the environment runs on, in each of its regions (the DR region included)"))
	}
	for _, c := range core.Clouds {
		for _, region := range r.Images.Regions(c) {
			field, image := fmt.Sprintf("images.%s.%s", c, region), r.Images.For(c, region)
			if !core.ValidRegion(c, region) {
				bad(field, image, "%s is not a region of %s%s", region, c.Title(), core.DidYouMean(region, core.Regions(c)))
			}
			if re := imagePatterns[c]; !re.pattern.MatchString(image) {
				bad(field, image, "%s", re.help)
			}
		}
	}
	if !slices.Contains(PostgresVersions, r.PostgresVersion) {
		bad("postgresVersion", r.PostgresVersion, "use a major version every cloud offers: %s", strings.Join(PostgresVersions, ", "))
	}
	return errors.Join(errs...)
}

// IsZero reports whether r is unset (no release block).
func (r Release) IsZero() bool {
	return r.Application == "" && r.Images.IsZero() && r.PostgresVersion == ""
}

// Canonical is v (a decoded release block of any shape) as JSON with sorted
// keys, so two blocks compare equal exactly when their values are equal,
// however they were written.
func Canonical(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return strings.TrimSpace(buf.String())
}
