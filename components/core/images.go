package core

// Images is the machine image the application runs from on each cloud: what
// a release names and promotes (the environments' `release.images`), and
// what the autoscaling group launches. A cloud no stack of the environment
// runs on may be left empty.
type Images struct {
	// AWS is an AMI id in the stack's region: "ami-0123456789abcdef0".
	AWS string `json:"aws,omitempty"`
	// GCP is an image path: "projects/P/global/images/NAME", or (dev only,
	// in a stack's own setting) a family "projects/P/global/images/family/F".
	GCP string `json:"gcp,omitempty"`
	// Azure is an image resource id ("/subscriptions/.../images/NAME" or a
	// gallery image version id) or (in a stack's own setting) a marketplace
	// URN "publisher:offer:sku:version" (version "latest" in dev only).
	Azure string `json:"azure,omitempty"`
}

// For returns the image for cloud ("" for an unknown cloud).
func (i Images) For(c Cloud) string {
	switch c {
	case AWS:
		return i.AWS
	case GCP:
		return i.GCP
	case Azure:
		return i.Azure
	}
	return ""
}
