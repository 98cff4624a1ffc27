package core

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// Images are the machine images the application runs from, per cloud and
// region: what a release names and promotes (the environments'
// `release.images`), and what the autoscaling group launches. A group
// launches the image of its own region, so a DR stack boots from an image
// in the DR region:
//
//	images:
//	  aws: {eu-west-2: ami-0a7e9c1b3d5f7a9c2, eu-west-1: ami-0b8f0d2c4e6a8b0d3}
//
// Per region because that is where the clouds keep images: an AMI exists in
// one region and is copied to another under a new id (EC2 CopyImage,
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/CopyingAMIs.html); an
// Azure gallery image version boots only in the regions it is replicated
// to (its target regions,
// https://learn.microsoft.com/azure/virtual-machines/shared-image-galleries);
// a GCP image is global
// (https://cloud.google.com/compute/docs/images/image-management-best-practices),
// so its regions name the same path, and saying so per region keeps the DR
// check the same on every cloud. A cloud no stack of the environment runs
// on may be left out.
type Images struct {
	// AWS are AMI ids by region: {"eu-west-2": "ami-0123456789abcdef0"}.
	AWS RegionImages `json:"aws,omitempty"`
	// GCP are image paths by region: "projects/P/global/images/NAME", or
	// (dev only, in a stack's own setting) a family
	// "projects/P/global/images/family/F".
	GCP RegionImages `json:"gcp,omitempty"`
	// Azure are image resource ids by region ("/subscriptions/.../images/NAME"
	// or a gallery image version id replicated to the region) or (in a
	// stack's own setting) a marketplace URN "publisher:offer:sku:version"
	// (version "latest" in dev only).
	Azure RegionImages `json:"azure,omitempty"`
}

// RegionImages are one cloud's images by region.
type RegionImages map[string]string

// Of returns cloud's images by region (nil for an unknown cloud).
func (i Images) Of(c Cloud) RegionImages {
	switch c {
	case AWS:
		return i.AWS
	case GCP:
		return i.GCP
	case Azure:
		return i.Azure
	}
	return nil
}

// For returns the image for cloud in region ("" if there is none).
func (i Images) For(c Cloud, region string) string { return i.Of(c)[region] }

// IsZero reports whether no image is named on any cloud.
func (i Images) IsZero() bool { return len(i.AWS)+len(i.GCP)+len(i.Azure) == 0 }

// Regions are the regions cloud has an image in, sorted.
func (i Images) Regions(c Cloud) []string { return slices.Sorted(maps.Keys(i.Of(c))) }

// UnmarshalJSON reads one cloud's images by region. The single image per
// cloud an older release block wrote ({aws: ami-...}) is refused with how
// to write it now, rather than guessed into a region: the one region it
// would fit is the primary's, and a DR stack booting it elsewhere fails.
func (r *RegionImages) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil // as for any map: left as it is
	}
	var single string
	if err := json.Unmarshal(data, &single); err == nil {
		return fmt.Errorf("images: %q is a single image, and images are per region now (an image boots only in the regions it is in): write {<region>: %q} for every region the stacks run in, the DR region included (environments/*.yaml, release.images; see components/core/images.go)", single, single)
	}
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("images: use a mapping of region to image, e.g. {eu-west-2: ami-0123456789abcdef0}: %w", err)
	}
	*r = m
	return nil
}
